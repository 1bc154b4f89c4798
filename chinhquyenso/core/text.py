"""Vietnamese text folding for accent-insensitive search.

``fold("Đăng ký kết hôn") == "dang ky ket hon"``. Folded text lives in its own indexed column
(trigram on PostgreSQL, FTS5 on SQLite); queries fold the user's input the same way.
"""

from __future__ import annotations

import re
import unicodedata

# đ/Đ are letters of their own, not d + combining mark, so NFD does not strip them.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d", "ð": "d"})
_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    if not text:
        return ""
    # Lower-case first: "Ð".lower() is "ð", which must still become "d".
    decomposed = unicodedata.normalize("NFD", text.lower().translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", unicodedata.normalize("NFC", stripped)).strip()


def search_terms(query: str | None) -> list[str]:
    """Folded words of a search box, deduplicated, in order."""
    seen: dict[str, None] = {}
    for word in re.findall(r"[\w]+", fold(query)):
        seen.setdefault(word, None)
    return list(seen)


def without_nul(value):
    """``value`` (str, or dicts and lists of them) with NUL characters replaced by U+FFFD.

    PostgreSQL's text and jsonb cannot hold NUL; data that reaches the audit trail or the outbox
    from outside (a webhook body, a reason typed with a stray %00) must not turn into a 500."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [without_nul(v) for v in value]
    return value
