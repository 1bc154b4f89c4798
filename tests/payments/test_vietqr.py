"""VietQR (NAPAS EMVCo) payloads: the known-good payload, round trips, CRC, tags."""

from __future__ import annotations

import binascii
import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chinhquyenso.payments.providers import vietqr

# subiz/vietqr README (facts file §8): VietinBank, amount 120000, purpose "ung ho lu lut".
KNOWN = ("00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN"
         "62170813ung ho lu lut6304C15C")


def test_known_good_payload_is_built_byte_for_byte():
    assert vietqr.build(bank_bin="970415", account="0011001932418", amount=120_000, purpose="ung ho lu lut") == KNOWN


def test_known_good_payload_parses():
    qr = vietqr.parse(KNOWN)
    assert (qr.bank_bin, qr.account, qr.amount, qr.purpose, qr.service) == (
        "970415", "0011001932418", 120_000, "ung ho lu lut", "QRIBFTTA")
    assert qr.dynamic


def test_crc_is_ccitt_false():
    assert vietqr.crc16_ccitt_false(b"123456789") == "29B1"  # the catalogue check value of CRC-16/CCITT-FALSE


def test_a_changed_character_fails_the_crc():
    tampered = KNOWN.replace("120000", "920000")
    with pytest.raises(vietqr.PayloadError, match="CRC"):
        vietqr.parse(tampered)


def test_static_payload_has_no_amount_and_initiation_11():
    payload = vietqr.build(bank_bin="970436", account="0071000123456")
    fields = vietqr.parse_tlv(payload[:-8])
    assert fields["01"] == "11" and "54" not in fields
    assert vietqr.parse(payload).amount is None


def test_purpose_text_is_plain_ascii_and_short():
    assert vietqr.purpose_text("CQS7K4M9P2X nộp lệ phí đăng ký hộ kinh doanh") == "CQS7K4M9P2X nop le phi da"
    assert len(vietqr.purpose_text("x" * 80)) == 25


bins = st.sampled_from(["970415", "970436", "970418", "970405", "970422", "970407", "970416"])
accounts = st.text(alphabet="0123456789", min_size=6, max_size=19)
purposes = st.text(alphabet="ABCDEFGHJKMNPQRSTVWXYZ0123456789 ", max_size=25).map(str.strip)


@settings(deadline=None)
@given(bank_bin=bins, account=accounts, amount=st.one_of(st.none(), st.integers(1, 10**12)), purpose=purposes)
def test_build_then_parse_round_trips_with_valid_crc_and_tags(bank_bin, account, amount, purpose):
    payload = vietqr.build(bank_bin=bank_bin, account=account, amount=amount, purpose=purpose)
    # CRC over everything up to and including "6304", upper-case hex, last.
    assert payload[-8:-4] == "6304"
    assert payload[-4:] == f"{binascii.crc_hqx(payload[:-4].encode(), 0xFFFF):04X}"
    fields = vietqr.parse_tlv(payload[:-8])
    assert list(fields)[:2] == ["00", "01"] and fields["00"] == "01"
    assert fields["53"] == "704" and fields["58"] == "VN"
    merchant = vietqr.parse_tlv(fields["38"])
    assert merchant["00"] == "A000000727" and merchant["02"] == "QRIBFTTA"
    assert vietqr.parse_tlv(merchant["01"]) == {"00": bank_bin, "01": account}
    qr = vietqr.parse(payload)
    assert (qr.bank_bin, qr.account, qr.amount, qr.purpose) == (bank_bin, account, amount, purpose)


@settings(deadline=None)
@given(st.text(max_size=60))
def test_parsing_garbage_raises_payload_error_never_anything_else(text):
    with contextlib.suppress(vietqr.PayloadError):
        vietqr.parse(text)


def test_bad_inputs_are_refused():
    with pytest.raises(vietqr.PayloadError):
        vietqr.build(bank_bin="9704", account="123")
    with pytest.raises(vietqr.PayloadError):
        vietqr.build(bank_bin="970415", account="12-34")
    with pytest.raises(vietqr.PayloadError):
        vietqr.build(bank_bin="970415", account="123", amount=0)
