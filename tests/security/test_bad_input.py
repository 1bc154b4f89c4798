"""Identity numbers are compared as people mean them: a CCCD typed with other digit characters
(full-width ０-９ from a phone keyboard, Arabic-Indic digits) is either normalised or refused —
never stored as a different number that slips past the one-account-per-CCCD rule."""

from __future__ import annotations

import datetime as dt

import pytest

from chinhquyenso.core.errors import DomainError

pytestmark = pytest.mark.django_db

ASCII_CCCD = "046186000123"
# The same number, the year digits in ASCII and the rest full-width (what a phone IME may send).
MIXED_CCCD = "0461860" + "００１２３"

UNICODE_DIGITS = ("accounts/validators.py:47 validate_cccd accepts any Unicode digit (str.isdigit()): "
                  f"{MIXED_CCCD!r} passes and is stored as-is, a different string from {ASCII_CCCD!r}; "
                  "normalise with unicodedata.normalize('NFKC', …) and require [0-9]{12} (re.fullmatch).")


@pytest.mark.xfail(strict=True, reason=UNICODE_DIGITS)
def test_cccd_in_full_width_digits_is_normalised_or_refused():
    from django.core.exceptions import ValidationError

    from chinhquyenso.accounts.validators import validate_cccd

    try:
        value = validate_cccd(MIXED_CCCD, date_of_birth=dt.date(1986, 5, 12), gender="female")
    except ValidationError:
        return
    assert value == ASCII_CCCD


@pytest.mark.xfail(strict=True, reason=UNICODE_DIGITS)
def test_the_same_cccd_in_other_digits_cannot_open_a_second_account(locality):
    from tests import factories

    factories.make_citizen(cccd=ASCII_CCCD, date_of_birth=dt.date(1986, 5, 12), gender="female")
    with pytest.raises(DomainError):
        factories.make_citizen(cccd=MIXED_CCCD, date_of_birth=dt.date(1986, 5, 12), gender="female")


def test_phone_in_full_width_digits_is_normalised():
    from chinhquyenso.accounts.validators import normalize_phone

    assert normalize_phone("０９１２３４５６７８") == "0912345678"
