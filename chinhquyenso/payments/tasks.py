"""Background work of the payments app (thin wrappers around services)."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from chinhquyenso.core.schedule import periodic
from chinhquyenso.payments.services import vnpay_pending_check


@periodic("payments.vnpay_check_pending", every=timedelta(minutes=5))
def vnpay_check_pending_job() -> dict:
    """Orders whose payment window is over without an IPN: ask VNPAY (querydr), then expire."""
    return vnpay_pending_check()


@task()
def payments_check_pending() -> dict:
    """The same check on demand (enqueue it, or run ``chinhquyenso manage payments_check_pending``)."""
    return vnpay_pending_check()
