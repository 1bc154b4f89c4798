"""Background tasks of the feedback app (thin wrappers around services)."""

from __future__ import annotations

from django_tasks import task

from chinhquyenso.feedback.services import feedback_escalate_overdue


@task()
def feedback_escalate(limit: int = 500) -> int:
    """Escalate overdue reports; run hourly (``chinhquyenso manage feedback_escalate`` from cron or a
    systemd timer enqueues nothing and runs it directly). Idempotent: safe to run twice."""
    return feedback_escalate_overdue(limit=limit)
