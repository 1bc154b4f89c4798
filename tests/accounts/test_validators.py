"""Vietnamese identity validators: CCCD, tax code (MST), phone numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given
from hypothesis import strategies as st

from chinhquyenso.accounts.validators import (
    CCCD_PROVINCE_CODES,
    FEMALE,
    MALE,
    cccd_century_digit,
    normalize_phone,
    validate_cccd,
    validate_tax_code,
)


def _code(exc: pytest.ExceptionInfo) -> str:
    return exc.value.code


# --- CCCD --------------------------------------------------------------------------------------------

def test_cccd_structure_is_twelve_digits():
    assert validate_cccd(" 046 186 000 123 ") == "046186000123"
    for bad in ("", "04618600012", "0461860001234", "04618600012a", "046-186-000-12"):
        with pytest.raises(ValidationError) as exc:
            validate_cccd(bad)
        assert _code(exc) == "cccd_format"
        assert "12 chữ số" in exc.value.messages[0]


@pytest.mark.parametrize("written", ["０４６１８６０００１２３", "046\u3000186\u3000000\u3000123", "0461860001²³"])
def test_cccd_in_compatibility_digits_is_the_same_ascii_number(written):
    """NFKC: full-width digits, ideographic spaces (and superscripts) are one spelling of the number."""
    assert validate_cccd(written) == "046186000123"


@pytest.mark.parametrize("bad", ["٠٤٦١٨٦٠٠٠١٢٣", "০৪৬১৮৬০০০১২৩", "04618600012３a"])
def test_cccd_in_other_digit_characters_is_refused(bad):
    with pytest.raises(ValidationError) as exc:
        validate_cccd(bad)
    assert _code(exc) == "cccd_format"


@pytest.mark.parametrize("province", ["000", "003", "047", "097", "999"])
def test_cccd_with_an_unknown_province_code_is_refused(province):
    with pytest.raises(ValidationError) as exc:
        validate_cccd(f"{province}186000123")
    assert _code(exc) == "cccd_province"
    assert province in exc.value.messages[0]


@pytest.mark.parametrize(("number", "born", "gender"), [
    ("046086000123", dt.date(1986, 5, 12), MALE),     # 0: man born in the 1900s
    ("046186000123", dt.date(1986, 5, 12), FEMALE),   # 1: woman born in the 1900s
    ("001205000123", dt.date(2005, 1, 1), MALE),      # 2: man born in the 2000s
    ("079308000123", dt.date(2008, 12, 31), FEMALE),  # 3: woman born in the 2000s
    ("048200000001", dt.date(2000, 1, 1), MALE),      # the year 2000 itself is in the 2000s
    ("048199000001", dt.date(1999, 12, 31), FEMALE),
])
def test_cccd_century_and_gender_digit_agree_with_birth(number, born, gender):
    assert validate_cccd(number, date_of_birth=born, gender=gender) == number


@pytest.mark.parametrize(("number", "born", "gender", "code"), [
    ("046086000123", dt.date(1987, 5, 12), MALE, "cccd_birth_year"),   # wrong two-digit year
    ("046086000123", dt.date(2086, 5, 12), MALE, "cccd_birth_year"),   # right digits, wrong century
    ("046205000123", dt.date(1905, 1, 1), MALE, "cccd_birth_year"),    # 2000s digit for a 1905 birth
    ("046005000123", dt.date(2005, 1, 1), MALE, "cccd_birth_year"),    # 1900s digit for a 2005 birth
    ("046086000123", dt.date(1986, 5, 12), FEMALE, "cccd_gender"),
    ("046305000123", dt.date(2005, 5, 12), MALE, "cccd_gender"),
])
def test_cccd_that_contradicts_birth_or_gender_is_refused(number, born, gender, code):
    with pytest.raises(ValidationError) as exc:
        validate_cccd(number, date_of_birth=born, gender=gender)
    assert _code(exc) == code


def test_cccd_without_birth_or_gender_checks_only_the_structure():
    assert validate_cccd("046986000123") == "046986000123"
    assert validate_cccd("046186000123", gender="") == "046186000123"


cccd_parts = st.tuples(
    st.sampled_from(sorted(CCCD_PROVINCE_CODES)),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)),
    st.sampled_from([MALE, FEMALE]),
    st.integers(min_value=0, max_value=999_999),
)


def _build(province: str, born: dt.date, gender: str, serial: int) -> str:
    return f"{province}{cccd_century_digit(born.year, gender)}{born.year % 100:02d}{serial:06d}"


@given(cccd_parts)
def test_generated_cccd_from_province_birth_and_gender_validates(parts):
    province, born, gender, serial = parts
    number = _build(province, born, gender, serial)

    assert validate_cccd(number, date_of_birth=born, gender=gender) == number


@given(cccd_parts)
def test_flipping_the_gender_digit_is_caught(parts):
    province, born, gender, serial = parts
    number = _build(province, born, gender, serial)
    flipped = number[:3] + str(int(number[3]) ^ 1) + number[4:]  # 0↔1, 2↔3: same century, other gender

    with pytest.raises(ValidationError) as exc:
        validate_cccd(flipped, date_of_birth=born, gender=gender)
    assert _code(exc) == "cccd_gender"


@given(cccd_parts, st.integers(min_value=1, max_value=99))
def test_a_different_birth_year_is_caught(parts, shift):
    province, born, gender, serial = parts
    number = _build(province, born, gender, serial)
    other_year = 1900 + (born.year - 1900 + shift) % 200

    with pytest.raises(ValidationError) as exc:
        validate_cccd(number, date_of_birth=born.replace(year=other_year, day=min(born.day, 28)), gender=gender)
    assert _code(exc) == "cccd_birth_year"


def test_century_digit_table():
    assert [cccd_century_digit(y, g) for y in (1950, 2010, 2150) for g in (MALE, FEMALE)] == [
        "0", "1", "2", "3", "4", "5"]
    with pytest.raises(ValueError):
        cccd_century_digit(1899, MALE)


# --- Tax code (MST) -------------------------------------------------------------------------------------

def test_valid_ten_digit_tax_code():
    assert validate_tax_code(" 0100109106 ") == "0100109106"
    assert validate_tax_code("3301234568") == "3301234568"


def test_tax_code_in_full_width_digits_is_the_same_ascii_code():
    assert validate_tax_code("０１００１０９１０６") == "0100109106"
    with pytest.raises(ValidationError):
        validate_tax_code("٠١٠٠١٠٩١٠٦")


def test_branch_tax_code_has_thirteen_digits():
    assert validate_tax_code("0100109106-001") == "0100109106001"
    assert validate_tax_code("0100109106001") == "0100109106001"


@pytest.mark.parametrize("bad", ["0100109107", "0100109107-001", "010010910", "01001091060", "ABCDEFGHIJ", ""])
def test_bad_tax_code_is_refused_in_vietnamese(bad):
    with pytest.raises(ValidationError) as exc:
        validate_tax_code(bad)
    assert _code(exc) == "tax_code_invalid"
    assert "Mã số thuế" in exc.value.messages[0]


@given(st.integers(min_value=10_000_000, max_value=999_999_999), st.integers(min_value=1, max_value=9))
def test_changing_the_check_digit_of_a_valid_tax_code_is_caught(body, offset):
    from stdnum.vn.mst import calc_check_digit

    base = f"{body:09d}"  # two-digit province prefix 01–99, then the serial
    check = calc_check_digit(base)
    assume(len(check) == 1 and base[2:] != "0000000")  # never issued: a check of 10, a zero serial
    good = base + check

    assert validate_tax_code(good) == good
    with pytest.raises(ValidationError):
        validate_tax_code(good[:-1] + str((int(check) + offset) % 10))


# --- Phone -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("0912345678", "0912345678"),
    ("0912 345 678", "0912345678"),
    ("+84912345678", "0912345678"),
    ("+84 91 234 5678", "0912345678"),
    ("02343822222", "02343822222"),  # Huế landline (area code 0234)
])
def test_phone_numbers_are_normalised_to_national_format(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("bad", ["", "12345", "0123456789", "091234567", "09123456789", "abc", "+1 202 555 0101"])
def test_invalid_phone_numbers_are_refused_in_vietnamese(bad):
    with pytest.raises(ValidationError) as exc:
        normalize_phone(bad)
    assert _code(exc) == "phone_invalid"
    assert "Số điện thoại" in exc.value.messages[0]


MOBILE_PREFIXES = ["090", "091", "093", "094", "096", "097", "098", "032", "033", "034", "035", "036", "037",
                   "038", "039", "070", "076", "077", "078", "079", "081", "082", "083", "084", "085", "086", "088"]


@given(st.sampled_from(MOBILE_PREFIXES), st.integers(min_value=0, max_value=9_999_999))
def test_mobile_numbers_in_any_common_spelling_normalise_to_the_same(prefix, rest):
    national = f"{prefix}{rest:07d}"
    international = "+84" + national[1:]

    assert normalize_phone(national) == national
    assert normalize_phone(international) == national
    assert normalize_phone(f"{national[:4]} {national[4:7]} {national[7:]}") == national
