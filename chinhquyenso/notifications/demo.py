"""Demo data for notifications: the default templates of every app (idempotent)."""

from __future__ import annotations

from chinhquyenso.notifications.services import notification_templates_load_all


def load(*, log) -> None:
    results = notification_templates_load_all()
    created = sum(r["created"] for r in results.values())
    log(f"Mẫu thông báo: {created} mẫu mới ({', '.join(sorted(results)) or 'không có tệp'}).")
