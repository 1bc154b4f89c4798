"""Masking of personal data for lists, logs and open data."""

from __future__ import annotations

import re

_CCCD = re.compile(r"(?<!\d)(\d{3})\d{6}(\d{3})(?!\d)")
_PHONE = re.compile(r"(?<!\d)(0|\+84)(\d{2})\d{4}(\d{3})(?!\d)")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+)")
# The same numbers as people write them: grouped by spaces, dots or hyphens ("0912 345 678",
# "0912.345.678", "091-234-5678", "0912 345678", "+84 912 345 678", "046 186 000 123",
# "0461 8600 0123"). Only the usual groupings, one separator throughout, a CCCD starting with its
# province code (0xx), and not glued to a letter or digit before: amounts ("1.500.000.000.000"),
# dates, years ("2026 2027 2028") and dossier codes ("…H57-260105-0001") keep their digits.
_FREE_START = r"(?<![^\W_])(?<!\d[.\-])"
_GROUPED_PHONE = re.compile(
    _FREE_START + r"(\+84[ .\-]?|0)(?:\d{2,3}([ .\-])\d{3}\2\d{3,4}|\d{3}[ .\-]\d{6}|\d{2}[ .\-]\d{7})(?!\d)")
_GROUPED_CCCD = re.compile(_FREE_START + r"(0\d{2,3})([ .\-])(\d{3,4})\2(\d{3,4})(?:\2(\d{3}))?(?!\d)")


def mask_cccd(value: str | None) -> str:
    """``046084000999`` → ``046******999``."""
    if not value:
        return ""
    if len(value) <= 6:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 6) + value[-3:]


def mask_phone(value: str | None) -> str:
    """``0912345678`` → ``091****678``."""
    if not value:
        return ""
    if len(value) <= 6:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 6) + value[-3:]


def mask_email(value: str | None) -> str:
    if not value or "@" not in value:
        return mask_phone(value)
    local, domain = value.split("@", 1)
    return f"{local[:1]}***@{domain}"


def mask_address(value: str | None) -> str:
    """Keep only the last two parts (commune, district): the house and street are personal."""
    if not value:
        return ""
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if len(parts) <= 2:
        return "***"
    return "***, " + ", ".join(parts[-2:])


def _grouped_cccd(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return mask_cccd(digits) if len(digits) == 12 else match.group(0)


def _grouped_phone(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if match.group(1) == "0" and len(digits) == 10:
        return f"0{digits[1:3]}****{digits[-3:]}"
    if match.group(1).startswith("+84") and len(digits) == 11:
        return f"+84{digits[2:4]}****{digits[-3:]}"
    return match.group(0)


def mask_text(text: str) -> str:
    """Mask anything that looks like a CCCD, phone number or e-mail inside free text."""
    text = _CCCD.sub(lambda m: f"{m.group(1)}******{m.group(2)}", text)
    text = _PHONE.sub(lambda m: f"{m.group(1)}{m.group(2)}****{m.group(3)}", text)
    text = _GROUPED_CCCD.sub(_grouped_cccd, text)
    text = _GROUPED_PHONE.sub(_grouped_phone, text)
    return _EMAIL.sub(lambda m: f"{m.group(1)}***{m.group(2)}", text)
