"""Database aliases: heavy reads (dashboards, exports, registers) may go to a read replica."""

from __future__ import annotations

from django.conf import settings


def reporting_db() -> str:
    """Alias for dashboard/export reads: ``replica`` when ``DATABASE_REPLICA_URL`` is set.

    Use it as ``Model.objects.using(reporting_db())`` in selectors that feed dashboards and exports;
    a few seconds of replication lag are acceptable there, never for work queues or writes.
    """
    return "replica" if "replica" in settings.DATABASES else "default"
