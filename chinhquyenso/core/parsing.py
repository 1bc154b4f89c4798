"""Reading numbers from untrusted text: query strings, form fields, path segments, import cells.

``str.isdigit()`` is true for characters ``int()`` refuses ("²", "①") and ``int()`` itself accepts
any Unicode decimal digit ("١٢", full-width "１２") and numbers of any size, which overflow SQL
integers (SQLite "datatype mismatch", PostgreSQL DataError). Both turned junk input into 500s.
Here a number is ASCII digits only, of bounded length, within bounds the caller gives; anything
else is "no number" and the caller decides what that means (ignore the filter, a field error).
"""

from __future__ import annotations

import re
import uuid

# The largest value of a 64-bit signed SQL integer (BigAutoField, PostgreSQL bigint, SQLite INTEGER).
MAX_SQL_INT = 2**63 - 1
_INTEGER = re.compile(r"-?[0-9]+")
_ASCII_DIGITS = re.compile(r"[0-9]+")


def is_ascii_digits(value: object) -> bool:
    """True for a non-empty string of ``0``–``9`` only (not "²", not "１")."""
    return isinstance(value, str) and _ASCII_DIGITS.fullmatch(value) is not None


def parse_int(value: object, default: int | None = None, *, min_value: int | None = None,
              max_value: int | None = None, clamp: bool = False) -> int | None:
    """``value`` as an int when it is an optional ``-`` and ASCII digits (surrounding spaces
    allowed) within ``[min_value, max_value]``; otherwise ``default``. With ``clamp`` a number
    outside the bounds is brought to the nearest bound instead (page numbers)."""
    low = -MAX_SQL_INT if min_value is None else min_value
    high = MAX_SQL_INT if max_value is None else max_value
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _INTEGER.fullmatch(text := value.strip()):
        if len(text.lstrip("-").lstrip("0")) > 19:  # beyond any SQL integer (and int()'s digit limit)
            number = high + 1 if not text.startswith("-") else low - 1
        else:
            number = int(text)
    else:
        return default
    if low <= number <= high:
        return number
    if clamp:
        return max(low, min(number, high))
    return default


def parse_id(value: object) -> int | None:
    """A primary key from a form field or query string (``None`` for anything that cannot be one)."""
    return parse_int(value, min_value=1)


def parse_uuid(value: object) -> uuid.UUID | None:
    """A UUID from a form field or query string (``None`` for anything else: a UUID primary key
    filtered with junk raises ValidationError, a 500, where "not found" is meant)."""
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str) or len(value) > 45:
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        return None
