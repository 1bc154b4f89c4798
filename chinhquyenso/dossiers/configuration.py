"""Checks of the dossier configuration that administrators edit (law is data): the dossier code
pattern. Process templates are checked by ``services.process_template_validate``."""

from __future__ import annotations

import datetime as dt
import re
import string

from django.utils.translation import gettext as _

CODE_FIELDS = frozenset({"agency", "date", "seq"})
CODE_MAX_LENGTH = 40  # Dossier.code
# The longest receiving-agency identifier QCVN 102:2016 allows (four groups: 3.2.2.3 characters).
SAMPLE_AGENCY = "000.00.14.H57"
SAMPLE_SEQ = 9999


def code_pattern_render(pattern: str, *, agency: str = SAMPLE_AGENCY, day: dt.date | None = None,
                        seq: int = SAMPLE_SEQ) -> str:
    return pattern.format(agency=agency, date=day or dt.date(2026, 12, 31), seq=seq)


def code_pattern_check(pattern: str) -> list[str]:
    """What is wrong with a dossier code pattern (empty when it is usable): only the fields
    ``{agency}``, ``{date}`` and ``{seq}``, all three (the code must be unique per agency, day and
    sequence), a valid format, and a sample code of at most 40 characters."""
    problems: list[str] = []
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        return [_("Mẫu mã hồ sơ không đúng cú pháp: %(e)s.") % {"e": exc}]
    names = [field for _text, field, _spec, _conv in parsed if field is not None]
    specs = [spec or "" for _text, field, spec, _conv in parsed if field is not None]
    bases = [re.split(r"[.\[]", name, maxsplit=1)[0] for name in names]
    unknown = sorted({name for name, base in zip(names, bases, strict=True) if base not in CODE_FIELDS})
    if unknown:
        problems.append(_("Mẫu mã hồ sơ chỉ được dùng các trường {agency}, {date}, {seq}; không dùng: %(f)s.")
                        % {"f": ", ".join("{" + n + "}" for n in unknown)})
    elif names != bases or any("{" in spec for spec in specs):
        # "{agency.__class__}" and nested fields would read attributes of the values: never.
        problems.append(_("Mẫu mã hồ sơ không được truy cập thuộc tính, phần tử hay lồng trường."))
    missing = sorted(CODE_FIELDS - set(bases))
    if missing:
        problems.append(_("Mẫu mã hồ sơ phải có đủ các trường: %(f)s.")
                        % {"f": ", ".join("{" + n + "}" for n in missing)})
    if problems:
        return problems
    try:
        sample = code_pattern_render(pattern)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        return [_("Mẫu mã hồ sơ không tạo được mã: %(e)s.") % {"e": exc}]
    if len(sample) > CODE_MAX_LENGTH:
        problems.append(_("Mã hồ sơ tạo ra dài %(n)s ký tự (%(sample)s), vượt quá %(max)s ký tự.")
                        % {"n": len(sample), "sample": sample, "max": CODE_MAX_LENGTH})
    if any(ch.isspace() for ch in sample):
        problems.append(_("Mã hồ sơ không được chứa khoảng trắng."))
    return problems
