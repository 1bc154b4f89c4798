"""The catalogue's only contact with the e-form engine (``eforms``), through its selectors.

The catalogue never imports eforms models. Until the eforms app is installed every procedure
simply has no e-form; once it is, these calls answer from ``eforms.selectors``.
"""

from __future__ import annotations

from django.apps import apps
from django.urls import NoReverseMatch, reverse


def _eforms_selectors():
    if not apps.is_installed("chinhquyenso.eforms"):
        return None
    try:
        from chinhquyenso.eforms import selectors
    except ImportError:
        return None
    return selectors


def procedures_with_published_form_ids() -> set[int]:
    selectors = _eforms_selectors()
    if selectors is None or not hasattr(selectors, "procedures_with_published_form_ids"):
        return set()
    return set(selectors.procedures_with_published_form_ids())


def current_form_version(procedure):
    selectors = _eforms_selectors()
    if selectors is None or not hasattr(selectors, "current_version_for"):
        return None
    return selectors.current_version_for(procedure)


def eform_url(name: str, procedure) -> str | None:
    """``eforms:fill`` / ``eforms:builder`` for a procedure, or None while that page does not exist."""
    try:
        return reverse(name, kwargs={"procedure_id": procedure.pk})
    except NoReverseMatch:
        return None
