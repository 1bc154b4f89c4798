"""Writes: turning events into notifications, sending them, delivery reports, reads, preferences.

Flow (docs/notifications.md): a service records a DomainEvent → the outbox relay calls the
``notifications.fanout`` subscriber → ``notifications_create_for_event`` writes one row per
(recipient, channel) → on commit, one ``notification_send_task`` per external message → the task
calls ``notification_send`` → the provider → later a delivery report (webhook) marks it delivered.

Every step is idempotent: the unique (event, recipient, channel) constraint absorbs a second
delivery of the same event, and ``notification_send`` claims the row with a conditional UPDATE
so a message already sent (or being sent by another worker) is never sent again.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from chinhquyenso.core.audit import audit_record
from chinhquyenso.core.errors import DomainError, NotFound
from chinhquyenso.core.events import backoff
from chinhquyenso.core.masking import mask_email, mask_phone
from chinhquyenso.notifications import rendering
from chinhquyenso.notifications.constants import (
    EXTERNAL_CHANNELS,
    OPTIONAL_CHANNELS,
    PAYLOAD_LINK,
    PAYLOAD_RECIPIENTS,
    TEMPLATES_FILE,
    Channel,
    Language,
    Status,
)
from chinhquyenso.notifications.models import Notification, NotificationPreference, NotificationTemplate
from chinhquyenso.notifications.providers import OutgoingMessage, ProviderError, provider_for
from chinhquyenso.notifications.selectors import preference_allows, preferences_map, templates_in_force

log = logging.getLogger(__name__)

SEND_LEASE = timedelta(minutes=2)


def mask_address(address: str) -> str:
    return mask_email(address) if "@" in (address or "") else mask_phone(address)


# --- From events to rows -------------------------------------------------------------------------

def event_recipient_ids(event) -> list[int]:
    """Who an event concerns (the convention every app follows, docs/notifications.md):

    1. ``payload["notify_user_ids"]``: the users to notify, explicitly;
    2. else ``payload["user_id"]``: the one user the event is about;
    3. else the aggregate itself when it is a user (``accounts.user``).
    """
    payload = event.payload or {}
    raw = payload.get(PAYLOAD_RECIPIENTS)
    if raw is None and payload.get("user_id") is not None:
        raw = [payload["user_id"]]
    if raw is None and event.aggregate_type == "accounts.user" and event.aggregate_id:
        raw = [event.aggregate_id]
    ids: list[int] = []
    for value in raw or []:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            log.warning("event %s: ignoring recipient %r (not a user id)", event.event_id, value)
    return list(dict.fromkeys(ids))


def _address(user, channel: str) -> str:
    profile = getattr(user, "citizen_profile", None)  # RelatedObjectDoesNotExist is an AttributeError
    if channel in (Channel.SMS, Channel.ZALO):
        return user.phone or (profile.phone if profile else "")
    if channel == Channel.EMAIL:
        return user.email or (profile.email if profile else "")
    return ""


def _pick(templates: dict, channel: str, language: str) -> NotificationTemplate | None:
    return templates.get((channel, language)) or templates.get((channel, Language.VI)) or next(
        (t for (ch, _lang), t in templates.items() if ch == channel), None
    )


def _render(template: NotificationTemplate, context: dict, language: str) -> tuple[str, str, dict]:
    subject = rendering.render_text(template.subject, context, language=language)
    body = rendering.render_text(template.body, context, language=language)
    provider_data: dict = {}
    if template.channel == Channel.ZALO:
        provider_data = {
            "template_id": template.provider_template_id,
            "template_data": {name: rendering.render_text(str(expr), context, language=language)
                              for name, expr in (template.provider_params or {}).items()},
        }
    return subject[:255], body, provider_data


def _user_model():
    from django.contrib.auth import get_user_model

    return get_user_model()


def notifications_create_for_event(*, event) -> list[Notification]:
    """Write the notifications an event calls for (templates in force × recipients × channels).

    Runs inside the outbox relay's transaction; messages leave only after it commits.
    """
    templates = templates_in_force(event_type=event.event_type, at=event.occurred_at)
    if not templates:
        return []
    user_ids = event_recipient_ids(event)
    if not user_ids:
        log.info("event %s (%s) has templates but no recipients", event.event_id, event.event_type)
        return []
    users = list(_user_model().objects.filter(pk__in=user_ids, is_active=True).select_related("citizen_profile"))
    prefs = preferences_map(user_ids=[u.pk for u in users])
    existing = set(Notification.objects.filter(event=event).values_list("recipient_id", "channel"))
    channels = sorted({channel for channel, _lang in templates})
    now = timezone.now()
    link = str((event.payload or {}).get(PAYLOAD_LINK) or "")[:500]
    if link and not link.startswith("/"):
        link = ""  # site-relative only: a payload must not turn the inbox into an open redirect
    rows: list[Notification] = []
    for user in users:
        context = rendering.build_context(event=event, recipient=user)
        for channel in channels:
            if (user.pk, channel) in existing:
                continue
            template = _pick(templates, channel, user.language)
            category = template.effective_category
            if not preference_allows(prefs, user_id=user.pk, channel=channel, category=category):
                continue
            address = _address(user, channel)
            if channel in EXTERNAL_CHANNELS and not address:
                continue
            try:
                subject, body, provider_data = _render(template, context, user.language)
            except Exception:
                log.exception("template %s failed to render for event %s", template.pk, event.event_id)
                continue
            in_app = channel == Channel.IN_APP
            rows.append(Notification(
                recipient=user, channel=channel, event=event, template=template, category=category,
                address=address, subject=subject, body=body, link=link, provider_data=provider_data,
                status=Status.DELIVERED if in_app else Status.QUEUED, created_at=now, next_attempt_at=now,
                sent_at=now if in_app else None, delivered_at=now if in_app else None,
            ))
    # ignore_conflicts: a relay running the same event concurrently may have won the race.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    created = list(Notification.objects.filter(event=event, public_id__in=[r.public_id for r in rows]))
    for notification in created:
        if notification.status == Status.QUEUED:
            transaction.on_commit(partial(_enqueue, notification.pk))
    return created


@transaction.atomic
def notification_create(*, recipient, channel: str, body: str, subject: str = "", link: str = "",
                        category: str = "", provider_data: dict | None = None,
                        respect_preferences: bool = True) -> Notification | None:
    """A message not tied to an event (e.g. a one-time code). ``None`` if the person opted out
    of the channel or has no address for it."""
    if respect_preferences and not preference_allows(preferences_map(user_ids=[recipient.pk]),
                                                     user_id=recipient.pk, channel=channel, category=category):
        return None
    address = _address(recipient, channel)
    if channel in EXTERNAL_CHANNELS and not address:
        return None
    now = timezone.now()
    in_app = channel == Channel.IN_APP
    notification = Notification.objects.create(
        recipient=recipient, channel=channel, category=category, address=address, subject=subject[:255],
        body=body, link=link if link.startswith("/") else "", provider_data=provider_data or {},
        status=Status.DELIVERED if in_app else Status.QUEUED,
        sent_at=now if in_app else None, delivered_at=now if in_app else None,
    )
    if not in_app:
        transaction.on_commit(partial(_enqueue, notification.pk))
    return notification


# --- Sending ---------------------------------------------------------------------------------------

def _enqueue(notification_id: int, run_after=None) -> None:
    from chinhquyenso.notifications.tasks import notification_send_task

    task = notification_send_task
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # no delayed jobs on this backend: ``notifications_enqueue_due`` picks it up
        task = task.using(run_after=run_after)
    task.enqueue(notification_id)


def notification_send(*, notification_id: int) -> str:
    """Send one queued notification through its provider. Idempotent; returns what happened."""
    now = timezone.now()
    free = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    # The claim: one conditional UPDATE, atomic on every backend, so two workers never both send.
    claimed = Notification.objects.filter(free, pk=notification_id, status=Status.QUEUED).update(
        locked_until=now + SEND_LEASE
    )
    if not claimed:
        return "skipped"
    notification = Notification.objects.get(pk=notification_id)
    message = OutgoingMessage(
        client_message_id=str(notification.public_id), address=notification.address,
        subject=notification.subject, body=notification.body, provider_data=notification.provider_data,
    )
    try:
        result = provider_for(notification.channel).send(message)
    except ProviderError as exc:
        return _record_failure(notification, exc)
    except Exception as exc:  # a bug or an unexpected library error: keep the row, retry later
        log.exception("notification %s: unexpected error while sending", notification.public_id)
        return _record_failure(notification, ProviderError("internal", f"{type(exc).__name__}", retryable=True))
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk).update(
            provider_message_id=result.provider_message_id[:100], attempts=F("attempts") + 1, sent_at=now,
            error="", locked_until=None,
        )
        # A delivery report may have beaten us here: never move a delivered/failed row back to "sent".
        Notification.objects.filter(pk=notification.pk, status=Status.QUEUED).update(status=Status.SENT)
    log.info("notification %s sent via %s to %s (provider id %s)", notification.public_id, notification.channel,
             mask_address(notification.address), result.provider_message_id)
    return "sent"


def _record_failure(notification: Notification, exc: ProviderError) -> str:
    attempts = notification.attempts + 1
    final = not exc.retryable or attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS
    next_at = timezone.now() + backoff(attempts)
    Notification.objects.filter(pk=notification.pk, status=Status.QUEUED).update(
        attempts=attempts, error=str(exc)[:2000], locked_until=None, next_attempt_at=next_at,
        status=Status.FAILED if final else Status.QUEUED,
    )
    log.warning("notification %s via %s to %s failed (attempt %s, %s): %s", notification.public_id,
                notification.channel, mask_address(notification.address), attempts,
                "final" if final else "will retry", exc)
    if final:
        return "failed"
    transaction.on_commit(partial(_enqueue, notification.pk, run_after=next_at))
    return "retry"


def notifications_enqueue_due(*, now=None, limit: int = 500) -> int:
    """Safety net (cron / worker loop): re-enqueue queued rows that are due and not being sent.

    Covers a lost enqueue (queue flushed, process killed between commit and enqueue) and retries
    on a backend without delayed jobs. Pushes ``next_attempt_at`` forward so the next sweep does
    not enqueue the same row again while it waits in the queue.
    """
    now = now or timezone.now()
    free = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    due = Notification.objects.filter(free, status=Status.QUEUED, next_attempt_at__lte=now)
    ids = list(due.order_by("next_attempt_at").values_list("id", flat=True)[:limit])
    if not ids:
        return 0
    Notification.objects.filter(id__in=ids, status=Status.QUEUED).update(next_attempt_at=now + SEND_LEASE)
    for notification_id in ids:
        _enqueue(notification_id)
    return len(ids)


# --- Delivery reports ---------------------------------------------------------------------------

def notification_delivery_report(*, channel: str, delivered: bool, client_message_id: str = "",
                                 provider_message_id: str = "", at=None, error: str = "") -> Notification | None:
    """Apply a provider's delivery report. Idempotent; ``None`` when no message matches."""
    notification = None
    if client_message_id:
        try:
            notification = Notification.objects.filter(
                channel=channel, public_id=uuid.UUID(str(client_message_id))).first()
        except ValueError:
            notification = None
    if notification is None and provider_message_id:
        notification = Notification.objects.filter(channel=channel, provider_message_id=provider_message_id).first()
    if notification is None:
        return None
    at = at or timezone.now()
    pending = Notification.objects.filter(pk=notification.pk, status__in=[Status.QUEUED, Status.SENT])
    if delivered:
        pending.update(status=Status.DELIVERED, delivered_at=at)
    else:
        pending.update(status=Status.FAILED, error=(error or _("Nhà mạng báo không chuyển được tin."))[:2000])
    if provider_message_id and not notification.provider_message_id:
        Notification.objects.filter(pk=notification.pk, provider_message_id="").update(
            provider_message_id=provider_message_id[:100])
    notification.refresh_from_db()
    return notification


# --- The inbox --------------------------------------------------------------------------------

def notification_mark_read(*, user, notification: Notification) -> Notification:
    if notification.recipient_id != user.pk:
        raise NotFound()
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notification_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, channel=Channel.IN_APP, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def notification_preferences_set(*, user, values: dict[str, bool], actor=None) -> dict[str, bool]:
    """Switch channels on or off for ``user`` (channel-wide). In-app cannot be switched off."""
    unknown = set(values) - set(OPTIONAL_CHANNELS)
    if unknown:
        raise DomainError("channel_not_optional", _("Không thể tắt kênh thông báo này."), "channel")
    before, after = {}, {}
    for channel, enabled in values.items():
        pref, created = NotificationPreference.objects.get_or_create(
            user=user, channel=channel, category="", defaults={"enabled": bool(enabled)}
        )
        previous = True if created else pref.enabled
        if not created and pref.enabled != bool(enabled):
            pref.enabled = bool(enabled)
            pref.save(update_fields=["enabled", "updated_at"])
        if previous != bool(enabled):
            before[channel], after[channel] = previous, bool(enabled)
    if after:
        audit_record(action="notifications.preferences_set", actor=actor or user, object_type="accounts.user",
                     object_id=str(user.pk), before=before, after=after)
    return values


# --- Templates from data files ---------------------------------------------------------------------

_TEMPLATE_FIELDS = ("category", "subject", "body", "provider_template_id", "provider_params", "active")


def _parse_effective_from(value) -> datetime:
    if not value:
        value = "2025-01-01"
    parsed = parse_datetime(value) or parse_datetime(f"{value}T00:00:00")
    if parsed is None:
        raise DomainError("invalid_effective_from", _("Ngày áp dụng “%(v)s” không hợp lệ.") % {"v": value})
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


@transaction.atomic
def notification_templates_load(*, path, origin: str = "", actor=None) -> dict[str, int]:
    """Load the ``notification_templates`` list of a JSON file. Idempotent and migration-free.

    A version is keyed by (event_type, channel, language, effective_from): a missing one is
    created; an existing one is left alone, so edits made in the admin survive a reload. A new
    wording in the file is a new entry with a later ``effective_from``.
    """
    path = Path(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = data.get("notification_templates", []) if isinstance(data, dict) else data
    created = unchanged = 0
    for entry in entries:
        for required in ("event_type", "channel", "body"):
            if not entry.get(required):
                raise DomainError("template_incomplete",
                                  _("Mẫu thông báo trong %(f)s thiếu “%(k)s”.") % {"f": path.name, "k": required})
        if entry["channel"] not in Channel.values:
            raise DomainError("template_channel", _("Kênh “%(c)s” không hợp lệ.") % {"c": entry["channel"]})
        for text in (entry.get("subject", ""), entry["body"], *(entry.get("provider_params") or {}).values()):
            try:
                rendering.template_check(str(text))
            except rendering.TemplateSyntaxError as exc:
                raise DomainError("template_syntax", _("Mẫu %(e)s có lỗi cú pháp: %(x)s")
                                  % {"e": entry["event_type"], "x": exc}) from exc
        _template, was_created = NotificationTemplate.objects.get_or_create(
            event_type=entry["event_type"], channel=entry["channel"], language=entry.get("language", Language.VI),
            effective_from=_parse_effective_from(entry.get("effective_from")),
            defaults={**{k: entry[k] for k in _TEMPLATE_FIELDS if k in entry}, "origin": origin or path.name},
        )
        created += was_created
        unchanged += not was_created
    if created:
        audit_record(action="notifications.templates_load", actor=actor, object_type="notifications.template",
                     object_id=origin or path.name, after={"created": created, "file": origin or path.name})
    return {"created": created, "unchanged": unchanged}


def notification_templates_load_all(*, actor=None) -> dict[str, dict[str, int]]:
    """Load ``<app>/notification_templates.json`` of every installed app of ours that has one."""
    results = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("chinhquyenso."):
            continue
        path = Path(config.path) / TEMPLATES_FILE
        if path.exists():
            results[config.label] = notification_templates_load(
                path=path, origin=f"{config.label}/{TEMPLATES_FILE}", actor=actor)
    return results
