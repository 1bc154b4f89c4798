"""Masking of personal data for lists, logs and open data."""

from __future__ import annotations

import re

_CCCD = re.compile(r"(?<!\d)(\d{3})\d{6}(\d{3})(?!\d)")
_PHONE = re.compile(r"(?<!\d)(0|\+84)(\d{2})\d{4}(\d{3})(?!\d)")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+)")


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


def mask_text(text: str) -> str:
    """Mask anything that looks like a CCCD, phone number or e-mail inside free text."""
    text = _CCCD.sub(lambda m: f"{m.group(1)}******{m.group(2)}", text)
    text = _PHONE.sub(lambda m: f"{m.group(1)}{m.group(2)}****{m.group(3)}", text)
    return _EMAIL.sub(lambda m: f"{m.group(1)}***{m.group(2)}", text)
