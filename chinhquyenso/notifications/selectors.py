"""Reads: the inbox, the unread badge, preferences, and which template version applies."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from chinhquyenso.core.errors import NotFound
from chinhquyenso.notifications.constants import OPTIONAL_CHANNELS, Channel
from chinhquyenso.notifications.models import Notification, NotificationPreference, NotificationTemplate

INBOX_PAGE_SIZE = 20


def notification_unread_count(*, user, cap: int = 100) -> int:
    """Unread in-app notifications, counted up to ``cap`` (served by the partial ``notif_unread_idx``)."""
    ids = Notification.objects.filter(recipient=user, channel=Channel.IN_APP, read_at__isnull=True)
    return ids.order_by().values("id")[:cap].count()


@dataclass(frozen=True)
class InboxPage:
    items: list[Notification]
    next_cursor: int | None  # the id to pass as ``before`` for the next page


def notification_inbox(*, user, before: int | None = None, unread_only: bool = False,
                       limit: int = INBOX_PAGE_SIZE) -> InboxPage:
    """A page of the person's in-app notifications, newest first, by keyset on id (one query)."""
    qs = Notification.objects.filter(recipient=user, channel=Channel.IN_APP)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    if before:
        qs = qs.filter(id__lt=before)
    rows = list(qs.only("id", "public_id", "subject", "body", "link", "created_at", "read_at", "category")
                .order_by("-id")[: limit + 1])
    more = len(rows) > limit
    items = rows[:limit]
    return InboxPage(items=items, next_cursor=items[-1].id if more and items else None)


def notification_get_for_user(*, user, public_id) -> Notification:
    """Gatekeeper read: someone else's notification is "not found", like a missing one."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound() from None
    notification = Notification.objects.filter(public_id=key, recipient=user).first()
    if notification is None:
        raise NotFound()
    return notification


def notification_preferences_for(*, user) -> dict[str, bool]:
    """Channel-wide switches for the preferences page; a channel never set is on."""
    saved = dict(
        NotificationPreference.objects.filter(user=user, category="", channel__in=OPTIONAL_CHANNELS)
        .values_list("channel", "enabled")
    )
    return {channel: saved.get(channel, True) for channel in OPTIONAL_CHANNELS}


def preferences_map(*, user_ids) -> dict[tuple[int, str, str], bool]:
    rows = NotificationPreference.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "channel", "category", "enabled"
    )
    return {(u, ch, cat): enabled for u, ch, cat, enabled in rows}


def preference_allows(prefs: dict, *, user_id: int, channel: str, category: str) -> bool:
    if channel == Channel.IN_APP:
        return True
    if (user_id, channel, category) in prefs:
        return prefs[(user_id, channel, category)]
    return prefs.get((user_id, channel, ""), True)


def templates_in_force(*, event_type: str, at) -> dict[tuple[str, str], NotificationTemplate]:
    """The active version per (channel, language) in force at ``at`` (the event's time)."""
    current: dict[tuple[str, str], NotificationTemplate] = {}
    qs = NotificationTemplate.objects.filter(event_type=event_type, active=True, effective_from__lte=at).order_by(
        "channel", "language", "-effective_from"
    )
    for template in qs:
        current.setdefault((template.channel, template.language), template)
    return current
