"""Compile gettext catalogues (.po → .mo) in pure Python, so neither setup nor CI needs GNU gettext.

The compiled ``.mo`` files are committed next to their ``.po``; ``compile_translations --check`` and a
test fail when one is stale. Extracting new strings (``makemessages``) does need GNU gettext's
``xgettext`` — translators only; see docs/ui.md.
"""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings


def catalogue_paths() -> list[Path]:
    """Every ``.po`` of the project: the shared catalogue (LOCALE_PATHS) and any app's ``locale/``."""
    roots = [Path(p) for p in settings.LOCALE_PATHS]
    roots += sorted(Path(settings.BASE_DIR).glob("*/locale"))
    found: set[Path] = set()
    for root in roots:
        found.update(p.resolve() for p in root.glob("*/LC_MESSAGES/*.po"))
    return sorted(found)


def compiled(po_path: Path) -> bytes:
    """The ``.mo`` bytes for a ``.po``: translated entries only (fuzzy and obsolete ones are left out,
    as ``msgfmt`` does), sorted, so the output is the same on every machine."""
    return polib.pofile(str(po_path), wrapwidth=0).to_binary()


def stale_catalogues() -> list[Path]:
    """``.po`` files whose committed ``.mo`` is missing or differs from what they compile to."""
    stale = []
    for po_path in catalogue_paths():
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.read_bytes() != compiled(po_path):
            stale.append(po_path)
    return stale
