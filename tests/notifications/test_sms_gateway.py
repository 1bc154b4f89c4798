"""The SMS gateway simulator checks requests the way a brandname gateway does; the provider reacts."""

from __future__ import annotations

import pytest
import requests

from chinhquyenso.notifications.providers import OutgoingMessage, ProviderError
from chinhquyenso.notifications.providers.sms import HttpSmsProvider, unaccent
from chinhquyenso.simulators.sms import segments


def _send(settings, **change):
    body = {"phone": "84912345678", "brandname": settings.SMS_BRANDNAME, "content": "Ho so da duoc tiep nhan",
            "client_message_id": "c-1", "unicode": False, **{k: v for k, v in change.items() if k != "key"}}
    return requests.post(settings.SMS_API_URL, json=body, timeout=5,
                         headers={"X-Api-Key": change.get("key", settings.SMS_API_KEY)})


@pytest.mark.parametrize(("change", "status", "code"), [
    ({"key": "wrong"}, 401, 101),
    ({"brandname": "KHAC"}, 400, 104),
    ({"phone": "84234382222"}, 400, 108),  # a landline
    ({"phone": "1234"}, 400, 108),
    ({"content": "Hồ sơ đã được tiếp nhận"}, 400, 114),  # accented text needs unicode
    ({"content": "a" * 613}, 400, 113),  # more than four 153-character parts
    ({"content": "Hồ sơ " * 50, "unicode": True}, 400, 113),  # 300 UCS-2 characters > 4 × 67
    ({"content": "  "}, 400, 110),
])
def test_the_gateway_refuses_what_a_real_gateway_refuses(sims, settings, change, status, code):
    response = _send(settings, **change)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert sims.sms() == []


def test_a_repeated_client_message_id_is_not_sent_twice_and_the_provider_takes_it_as_sent(sims, settings):
    first = _send(settings).json()
    again = _send(settings)
    assert again.status_code == 409 and again.json()["code"] == 124
    assert again.json()["message_id"] == first["message_id"]
    result = HttpSmsProvider().send(OutgoingMessage(client_message_id="c-1", address="0912345678", subject="",
                                                    body="Ho so da duoc tiep nhan"))
    assert result.provider_message_id == first["message_id"]
    assert len(sims.sms()) == 1


def test_an_unreachable_gateway_is_a_retryable_error(settings):
    provider = HttpSmsProvider(url="http://127.0.0.1:9/api/send")
    with pytest.raises(ProviderError) as caught:
        provider.send(OutgoingMessage(client_message_id="c-2", address="0912345678", subject="", body="x"))
    assert caught.value.retryable and caught.value.code == "network"


def test_vietnamese_is_sent_unaccented_unless_unicode_is_on(sims, settings):
    message = OutgoingMessage(client_message_id="c-3", address="0912345678", subject="",
                              body="Đăng ký khai sinh: hồ sơ đã được tiếp nhận")
    HttpSmsProvider().send(message)
    HttpSmsProvider(unicode=True).send(OutgoingMessage(**{**message.__dict__, "client_message_id": "c-4"}))
    contents = {m["client_message_id"]: (m["content"], m["segments"]) for m in sims.sms()}
    assert contents["c-3"] == ("Dang ky khai sinh: ho so da duoc tiep nhan", 1)
    assert contents["c-4"] == ("Đăng ký khai sinh: hồ sơ đã được tiếp nhận", 1)
    assert unaccent("Ủy ban nhân dân Đ") == "Uy ban nhan dan D"


@pytest.mark.parametrize(("content", "unicode", "parts"), [
    ("a" * 160, False, 1), ("a" * 161, False, 2), ("a" * 612, False, 4), ("€" * 80, False, 1),
    ("đ" * 70, True, 1), ("đ" * 71, True, 2),
])
def test_segments_follow_gsm_and_ucs2_lengths(content, unicode, parts):
    assert segments(content, unicode=unicode)[0] == parts


def test_the_simulator_page_lists_messages_in_vietnamese_with_masked_numbers(sims, settings):
    _send(settings)
    page = requests.get(f"{sims.base}/sms/", timeout=5).text
    assert "Tổng đài SMS brandname (giả lập)" in page and "091****678" in page and "84912345678" not in page
