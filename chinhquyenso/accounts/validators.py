"""Vietnamese identity validators: CCCD (personal id number), tax code (MST), phone numbers."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.vn import mst

# Digits 1–3 of a CCCD: province where the birth was registered (Circular 07/2016/TT-BCA,
# annex; the same numbers as the GSO province codes). 046 = Thừa Thiên Huế.
CCCD_PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang",
    "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định", "037": "Ninh Bình",
    "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị",
    "046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định",
    "054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước",
    "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh",
    "086": "Vĩnh Long", "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ",
    "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}

MALE, FEMALE = "male", "female"
_CCCD = re.compile(r"[0-9]{12}")


def ascii_form(text: str | None) -> str:
    """``text`` under Unicode NFKC: full-width digits and spaces (what some phone keyboards and
    IMEs send) become ASCII, so "０４６…" and "046…" are the same number, not two. Other scripts'
    digits (Arabic-Indic …) stay as they are, and the ``[0-9]`` checks below refuse them."""
    return unicodedata.normalize("NFKC", text or "")


def cccd_century_digit(birth_year: int, gender: str) -> str:
    """Digit 4 encodes century and gender: 1900s 0/1, 2000s 2/3, 2100s 4/5 … (male/female)."""
    century_index = birth_year // 100 - 19
    if not 0 <= century_index <= 4:
        raise ValueError("birth year outside 1900–2399")
    return str(century_index * 2 + (1 if gender == FEMALE else 0))


def validate_cccd(number: str, *, date_of_birth: dt.date | None = None, gender: str | None = None) -> str:
    """Check the structure of a 12-digit CCCD. No check digit exists, so we check what can be
    checked: digits 0–9 only (after NFKC), a known province code, and (when given) that digits 4–6
    agree with the birth year and gender. Returns the normalised number (ASCII, no spaces)."""
    value = re.sub(r"\s", "", ascii_form(number))
    if not _CCCD.fullmatch(value):
        raise ValidationError(_("Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số."), code="cccd_format")
    if value[:3] not in CCCD_PROVINCE_CODES:
        raise ValidationError(
            _("Ba số đầu “%(code)s” của CCCD không phải mã tỉnh, thành phố hợp lệ."),
            code="cccd_province", params={"code": value[:3]},
        )
    century_digit, year_digits = int(value[3]), value[4:6]
    if date_of_birth is not None:
        expected_century = 1900 + (century_digit // 2) * 100
        if date_of_birth.year // 100 * 100 != expected_century or f"{date_of_birth.year % 100:02d}" != year_digits:
            raise ValidationError(
                _("Số CCCD không khớp với năm sinh %(year)s (chữ số thứ 4–6)."),
                code="cccd_birth_year", params={"year": date_of_birth.year},
            )
    if gender in (MALE, FEMALE) and (century_digit % 2 == 1) != (gender == FEMALE):
        raise ValidationError(_("Số CCCD không khớp với giới tính đã khai (chữ số thứ 4)."), code="cccd_gender")
    return value


def validate_tax_code(code: str) -> str:
    """Enterprise tax code (MST): 10 digits with a check digit, or 13 for a branch (``-NNN``).
    Returns the compact form."""
    value = ascii_form(code).strip()
    try:
        return mst.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("Mã số thuế “%(code)s” không hợp lệ (sai độ dài hoặc chữ số kiểm tra)."),
            code="tax_code_invalid", params={"code": value},
        ) from exc


def normalize_phone(number: str) -> str:
    """Vietnamese phone number → national format ``0912345678``; raises ValidationError."""
    raw = ascii_form(number).strip()
    try:
        parsed = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Số điện thoại “%(n)s” không hợp lệ."), code="phone_invalid",
                              params={"n": raw}) from exc
    # A foreign number would lose its country code in the national format (and SMS brandname
    # gateways only deliver in Vietnam), so only Vietnamese numbers are accepted.
    if not phonenumbers.is_valid_number(parsed) or phonenumbers.region_code_for_number(parsed) != "VN":
        raise ValidationError(_("Số điện thoại “%(n)s” không hợp lệ."), code="phone_invalid", params={"n": raw})
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL).replace(" ", "")


def validate_phone(number: str) -> None:
    normalize_phone(number)
