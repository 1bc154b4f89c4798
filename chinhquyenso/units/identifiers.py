"""QCVN 102:2016/BTTTT electronic identifiers of agencies: ``V1V2V3.Z1Z2.Y1Y2.MX1X2``.

Level 1 (``MX1X2``) is a letter and two digits (H57 = Thừa Thiên Huế UBND); level 2 (``Y1Y2``)
departments and district UBNDs; level 3 (``Z1Z2``) units under those, commune UBNDs included;
level 4 (``V1V2V3``) units under level 3. Unused levels are zero-filled. Some systems drop the
leading ``000.``; some write the province first (``H15.50.05.13``). We parse all of these and
always write the standard order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_STANDARD = re.compile(r"^(?:(?P<l4>\d{3})\.)?(?P<l3>\d{2})\.(?P<l2>\d{2})\.(?P<l1>[A-K]\d{2})$")
_PROVINCE_FIRST = re.compile(r"^(?P<l1>[A-K]\d{2})\.(?P<l2>\d{2})\.(?P<l3>\d{2})(?:\.(?P<l4>\d{2,3}))?$")


@dataclass(frozen=True)
class AgencyIdentifier:
    level1: str
    level2: str
    level3: str
    level4: str

    def __str__(self) -> str:
        return f"{self.level4}.{self.level3}.{self.level2}.{self.level1}"


def parse_agency_code(code: str) -> AgencyIdentifier:
    value = (code or "").strip().upper()
    match = _STANDARD.match(value) or _PROVINCE_FIRST.match(value)
    if not match:
        raise ValidationError(
            _("Mã định danh “%(code)s” không đúng cấu trúc QCVN 102:2016 (ví dụ 000.00.14.H57)."),
            code="invalid_agency_code", params={"code": code},
        )
    parts = match.groupdict()
    return AgencyIdentifier(parts["l1"], parts["l2"], parts["l3"], (parts["l4"] or "000").zfill(3))


def validate_agency_code(code: str) -> None:
    parse_agency_code(code)
