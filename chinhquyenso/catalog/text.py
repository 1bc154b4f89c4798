"""The search key of a procedure name: folded, punctuation-free, spelling-variant-free.

``core.text.fold`` removes accents (``"Đăng ký"`` → ``"dang ky"``). On top of that the catalogue
search key
- drops punctuation, so a phrase can be matched word-aligned (``" khai sinh "``);
- writes ``y`` as ``i``: "ký"/"kí", "lý"/"lí", "quy"/"qui" are both accepted spellings and citizens
  type either; the same mapping is applied to the query, so nothing else changes;
- drops the leading "thủ tục" that half of the official titles carry and nobody types.
"""

from __future__ import annotations

import re

from chinhquyenso.core.text import fold

_NON_WORD = re.compile(r"[^0-9a-z]+")
_LEADING = ("thu tuc ",)
CODE_PATTERN = re.compile(r"^[0-9]+(\.[0-9]*)*$")


def search_key(text: str | None) -> str:
    folded = _NON_WORD.sub(" ", fold(text)).strip()
    for prefix in _LEADING:
        if folded.startswith(prefix):
            folded = folded[len(prefix):]
    return folded.replace("y", "i")


def query_terms(query: str | None) -> list[str]:
    """Distinct words of a query, in the search-key spelling."""
    seen: dict[str, None] = {}
    for word in search_key(query).split():
        seen.setdefault(word, None)
    return list(seen)


def looks_like_code(query: str | None) -> bool:
    """"1.001193", "1.0011", "2.000" are procedure-code searches, not name searches."""
    q = (query or "").strip()
    return bool(q) and "." in q and bool(CODE_PATTERN.match(q))
