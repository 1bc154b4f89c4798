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


def test_cccd_in_full_width_digits_is_normalised_or_refused():
    from django.core.exceptions import ValidationError

    from chinhquyenso.accounts.validators import validate_cccd

    try:
        value = validate_cccd(MIXED_CCCD, date_of_birth=dt.date(1986, 5, 12), gender="female")
    except ValidationError:
        return
    assert value == ASCII_CCCD


def test_the_same_cccd_in_other_digits_cannot_open_a_second_account(locality):
    from tests import factories

    factories.make_citizen(cccd=ASCII_CCCD, date_of_birth=dt.date(1986, 5, 12), gender="female")
    with pytest.raises(DomainError):
        factories.make_citizen(cccd=MIXED_CCCD, date_of_birth=dt.date(1986, 5, 12), gender="female")


def test_phone_in_full_width_digits_is_normalised():
    from chinhquyenso.accounts.validators import normalize_phone

    assert normalize_phone("０９１２３４５６７８") == "0912345678"


# --- NUL characters (PostgreSQL's text and jsonb cannot hold them) -------------------------------------

def test_forged_postal_webhook_with_nul_bytes_is_refused_and_audited(world, client):
    """An unauthenticated caller used to turn the rejection's audit entry into a PostgreSQL 500."""
    from chinhquyenso.core.models import AuditEvent

    response = client.post("/buu-chinh/webhook/", data=b'{"tracking_code": "\x00\x00"}',
                           content_type="application/json")
    assert response.status_code == 401
    rejected = AuditEvent.objects.filter(action="delivery.webhook_rejected").latest("seq")
    assert "\ufffd" in rejected.after["body_start"]


def test_shipment_cancel_reason_with_a_nul_character_is_not_a_500(world, client_as):
    """A stray NUL in a cancel reason used to be a DataError on PostgreSQL (a 500): it is refused
    once for every form (core.middleware), and by the service itself."""
    response = client_as("canbo.quangtho").post(f"/buu-chinh/van-don/{world['shipment_qt']}/huy/",
                                                {"reason": "Công dân đổi ý\x00"})
    assert response.status_code == 400
