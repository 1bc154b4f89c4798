"""Rendering notification templates: a plain-text Django template engine and a safe context.

The engine does not auto-escape (SMS, e-mail text and ZNS parameters are not HTML; the inbox
escapes at display time). The context holds plain dicts only, never model instances, so an
administrator editing a template cannot reach ``{{ recipient.password }}`` or any other field
we did not put there on purpose.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import translation

_engine = Engine(autoescape=False, builtins=["chinhquyenso.notifications.templatetags.notification_text"])

__all__ = ["TemplateSyntaxError", "build_context", "render_text", "template_check"]


@lru_cache(maxsize=1024)
def _compiled(text: str):
    # Compiled once per distinct text: templates are configuration, events are many.
    return _engine.from_string(text)


def template_check(text: str) -> None:
    """Raise ``TemplateSyntaxError`` if ``text`` does not compile (used by the admin form)."""
    _engine.from_string(text or "")


def render_text(text: str, context: dict, *, language: str = "vi") -> str:
    if not text:
        return ""
    with translation.override(language):
        return _compiled(text).render(Context(context)).strip()


def build_context(*, event, recipient) -> dict:
    from chinhquyenso.portal.selectors import site_info

    return {
        "recipient": {
            "full_name": recipient.get_full_name(),
            "short_name": recipient.get_short_name(),
            "username": recipient.get_username(),
        },
        "payload": dict(event.payload or {}) if event is not None else {},
        "event": {
            "type": event.event_type,
            "occurred_at": event.occurred_at,
            "aggregate_type": event.aggregate_type,
            "aggregate_id": event.aggregate_id,
        } if event is not None else {},
        "site": {"name": site_info().name, "url": settings.SITE_URL},
    }
