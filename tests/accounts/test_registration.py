"""Citizen self-registration (/tai-khoan/dang-ky/) and the "Thông tin cá nhân" page."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from chinhquyenso.accounts.models import User
from chinhquyenso.core.models import AuditEvent, DomainEvent
from tests import factories
from tests.accounts.conftest import page_text

pytestmark = pytest.mark.django_db

REGISTER = "/tai-khoan/dang-ky/"


def _form(units, **overrides):
    data = {
        "full_name": "  Nguyễn   Thị Mai ", "cccd": "046192000123", "date_of_birth": "05/06/1992", "gender": "female",
        "phone": "0912 000 111", "email": "mai@example.vn", "address_unit": str(units.quang_tho.pk),
        "password1": "Hoa-sen-tren-ho-2026", "password2": "Hoa-sen-tren-ho-2026",
    }
    data.update(overrides)
    return data


def _field_errors(response) -> dict[str, str]:
    html = response.content.decode()
    return {m.group(1): re.sub(r"\s+", " ", m.group(2)).strip()
            for m in re.finditer(r'data-field-error="(\w+)">(.*?)</div>', html, re.S)}


def test_registration_page_lists_communes_grouped_by_district(client, units):
    page = client.get(REGISTER)

    assert page.status_code == 200
    html = page.content.decode()
    assert '<optgroup label="Huyện Quảng Điền">' in html
    assert f'value="{units.quang_tho.pk}"' in html and "Xã Quảng Thọ" in html
    assert 'placeholder="dd/mm/yyyy"' in html


def test_citizen_registers_and_is_logged_in(client, units):
    response = client.post(REGISTER, _form(units))

    assert response.status_code == 302 and response["Location"] == "/trang-cua-toi/"
    user = User.objects.get(username="046192000123")
    assert int(client.session["_auth_user_id"]) == user.pk
    profile = user.citizen_profile
    assert (user.full_name, user.phone, user.email) == ("Nguyễn Thị Mai", "0912000111", "mai@example.vn")
    assert (profile.date_of_birth, profile.gender, profile.address_unit) == (dt.date(1992, 6, 5), "female",
                                                                             units.quang_tho)
    assert not profile.identity_verified  # verified later: at the desk or through VNeID
    assert user.check_password("Hoa-sen-tren-ho-2026")
    assert AuditEvent.objects.filter(action="accounts.citizen_register", object_id=str(user.pk)).exists()
    # The CCCD is the user name: the citizen can log in with it.
    client.post("/tai-khoan/dang-xuat/")
    login = client.post("/tai-khoan/dang-nhap/", {"username": "046192000123", "password": "Hoa-sen-tren-ho-2026"})
    assert login.status_code == 302


@pytest.mark.parametrize(("overrides", "field", "text"), [
    ({"full_name": ""}, "full_name", "bắt buộc"),
    ({"cccd": "12345"}, "cccd", "đúng 12 chữ số"),
    ({"cccd": "999192000123"}, "cccd", "không phải mã tỉnh"),
    ({"cccd": "046092000123"}, "cccd", "giới tính"),  # century digit 0 = a man born in the 1900s
    ({"cccd": "046193000123"}, "cccd", "năm sinh"),
    ({"date_of_birth": "1992-06-05"}, "date_of_birth", "ngày/tháng/năm"),
    ({"date_of_birth": "31/02/1992"}, "date_of_birth", "ngày/tháng/năm"),
    ({"date_of_birth": "01/01/2999"}, "date_of_birth", "sau ngày hôm nay"),
    ({"gender": ""}, "gender", "bắt buộc"),
    ({"phone": "12345"}, "phone", "không hợp lệ"),
    ({"email": "khong-phai-email"}, "email", "hợp lệ"),
    ({"address_unit": ""}, "address_unit", "bắt buộc"),
    ({"address_unit": "999999"}, "address_unit", "hợp lệ"),
    ({"password2": "khac-hoan-toan-2026"}, "password2", "không khớp"),
    ({"password1": "12345678901", "password2": "12345678901"}, "password1", "số"),
    ({"password1": "ngan", "password2": "ngan"}, "password1", "ngắn"),
])
def test_each_invalid_field_gets_a_vietnamese_error_beside_it(client, units, overrides, field, text):
    response = client.post(REGISTER, _form(units, **overrides))

    assert response.status_code == 200
    errors = _field_errors(response)
    assert field in errors, errors
    assert text in errors[field].lower() or text in errors[field]
    assert not User.objects.filter(kind=User.Kind.CITIZEN).exists()


def test_taken_cccd_phone_and_email_are_reported_on_their_fields(client, units):
    factories.make_citizen(cccd="046192000123", date_of_birth=dt.date(1992, 6, 5), gender="female")
    assert _field_errors(client.post(REGISTER, _form(units)))["cccd"] == "Số CCCD này đã có tài khoản."

    factories.make_citizen(phone="0912000111")
    response = client.post(REGISTER, _form(units, cccd="046192000124"))
    assert _field_errors(response)["phone"] == "Số điện thoại đã được dùng."


def test_garbage_input_never_gives_a_500(client, units):
    for data in ({}, {"cccd": "x" * 5000, "date_of_birth": "31/02/2026", "address_unit": "abc", "gender": "khác"},
                 {"address_unit": ["1", "2"], "phone": "+84" + "9" * 40}, {"cccd": "²" * 12, "phone": "０９１２"}):
        assert client.post(REGISTER, data).status_code == 200
    # A NUL character is refused before the form (core.middleware): PostgreSQL text cannot hold it.
    assert client.post(REGISTER, {"date_of_birth": "\x00"}).status_code == 400


def test_registration_is_rate_limited_per_ip(client, units, settings):
    settings.REGISTRATION_LIMIT_PER_HOUR = 2
    client.post(REGISTER, _form(units, cccd="12"))
    client.post(REGISTER, _form(units, cccd="34"))

    limited = client.post(REGISTER, _form(units))

    assert limited.status_code == 429
    assert "quá nhiều lượt đăng ký" in page_text(limited)
    assert not User.objects.filter(username="046192000123").exists()


def test_logged_in_user_is_sent_home_from_the_registration_page(client, citizen):
    client.force_login(citizen)

    assert client.get(REGISTER)["Location"] == "/trang-cua-toi/"


# --- Thông tin cá nhân ---------------------------------------------------------------------------------

INFO = "/tai-khoan/thong-tin-ca-nhan/"


def test_personal_info_shows_the_profile_with_a_masked_cccd(client, units):
    user = factories.make_citizen(cccd="046090123456", phone="0905111222")
    client.force_login(user)

    page = page_text(client.get(INFO))

    assert "Thông tin cá nhân" in page and "046******456" in page and "046090123456" not in page
    assert "15/01/1990" in page


def test_citizen_changes_phone_email_and_address_and_it_is_audited_masked(client, units):
    user = factories.make_citizen(phone="0905111222", email="cu@example.vn")
    client.force_login(user)

    response = client.post(INFO, {"phone": "0905 333 444", "email": "moi@example.vn", "address_line": "Thôn 3",
                                  "address_unit": str(units.quang_phu.pk)})

    assert response.status_code == 302 and response["Location"] == INFO
    user.refresh_from_db()
    profile = user.citizen_profile
    assert (user.phone, user.email, profile.phone, profile.email) == ("0905333444", "moi@example.vn",
                                                                      "0905333444", "moi@example.vn")
    assert (profile.address_line, profile.address_unit) == ("Thôn 3", units.quang_phu)
    event = AuditEvent.objects.get(action="accounts.contact_update", object_id=str(user.pk))
    assert event.actor_id == user.pk and event.unit_id == units.quang_phu.pk
    assert event.before == {"phone": "090****222", "email": "c***@example.vn", "address_line": "",
                            "address_unit": str(units.quang_tho.pk)}
    assert event.after["phone"] == "090****444" and "0905333444" not in str(event.after)
    assert DomainEvent.objects.filter(event_type="accounts.contact_updated").exists()
    assert "Đã lưu thông tin liên hệ" in page_text(client.get(INFO))


def test_contact_errors_are_shown_per_field(client, units):
    factories.make_citizen(phone="0905999888")
    user = factories.make_citizen()
    client.force_login(user)

    taken = client.post(INFO, {"phone": "0905999888", "email": "", "address_unit": str(units.quang_tho.pk)})
    invalid = client.post(INFO, {"phone": "abc", "email": "x@", "address_unit": str(units.quang_tho.pk)})

    assert _field_errors(taken) == {"phone": "Số điện thoại đã được dùng."}
    assert set(_field_errors(invalid)) == {"phone", "email"}
    assert not AuditEvent.objects.filter(action="accounts.contact_update").exists()


def test_unchanged_contact_details_write_no_audit(client, units):
    user = factories.make_citizen(phone="0905111222")
    client.force_login(user)

    client.post(INFO, {"phone": "0905111222", "email": "", "address_line": "",
                       "address_unit": str(units.quang_tho.pk)})

    assert not AuditEvent.objects.filter(action="accounts.contact_update").exists()


def test_staff_edit_phone_and_email_without_an_address(client, make_staff):
    officer = make_staff("specialist")
    client.force_login(officer)
    page = client.get(INFO).content.decode()
    assert 'name="address_unit"' not in page

    response = client.post(INFO, {"phone": "0905777666", "email": "canbo@quangdien.gov.vn"})

    assert response.status_code == 302
    officer.refresh_from_db()
    assert (officer.phone, officer.email) == ("0905777666", "canbo@quangdien.gov.vn")


def test_personal_info_needs_login(client, db):
    assert client.get(INFO)["Location"].startswith("/tai-khoan/dang-nhap/")
