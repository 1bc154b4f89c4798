"""Background work of the feedback app (thin wrappers around services).

Escalation runs hourly from the worker loop (``core.schedule``), once per hour across workers;
``chinhquyenso manage feedback_escalate`` runs it by hand, and the ``feedback_escalate`` task lets
anything enqueue it. All are idempotent.
"""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from chinhquyenso.core.schedule import periodic
from chinhquyenso.feedback.services import feedback_escalate_overdue


@periodic("feedback.escalate_overdue", every=timedelta(hours=1))
def feedback_escalate_hourly() -> int:
    return feedback_escalate_overdue()


@task()
def feedback_escalate(limit: int = 500) -> int:
    return feedback_escalate_overdue(limit=limit)
