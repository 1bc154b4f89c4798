"""``unread_notifications`` for the navigation bar: one capped COUNT on a partial index, lazily."""

from __future__ import annotations

# Beyond this the badge shows "99+": the count never scans more than this many index entries.
BADGE_CAP = 99


class _UnreadCount:
    """Evaluated only when a template renders it (admin pages and JSON views never pay for it)."""

    def __init__(self, user):
        self._user = user
        self._value: int | None = None

    def _get(self) -> int:
        if self._value is None:
            from chinhquyenso.notifications.selectors import notification_unread_count

            self._value = notification_unread_count(user=self._user, cap=BADGE_CAP + 1)
        return self._value

    def __bool__(self) -> bool:
        return self._get() > 0

    def __int__(self) -> int:
        return self._get()

    def __str__(self) -> str:
        value = self._get()
        return f"{BADGE_CAP}+" if value > BADGE_CAP else str(value)


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": _UnreadCount(user)}
