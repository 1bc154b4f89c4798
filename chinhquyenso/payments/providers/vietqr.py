"""VietQR: the NAPAS merchant-presented QR for bank transfers (EMVCo QRCPS), facts in
shared/reference/vn-egov-facts.md §8.

A payload is a run of TLV fields — 2-digit ID, 2-digit length, value — some of which nest:

- ``00`` payload format ``01``; ``01`` initiation ``11`` static / ``12`` dynamic (with an amount)
- ``38`` merchant account: ``00`` GUID ``A000000727``; ``01`` beneficiary (``00`` bank BIN, ``01``
  account or card number); ``02`` service ``QRIBFTTA`` (to account) / ``QRIBFTTC`` (to card)
- ``53`` currency ``704`` (VND); ``54`` amount; ``58`` country ``VN``
- ``62`` additional data: ``08`` purpose of transaction (we put the invoice reference there, so the
  transfer's description on the bank statement carries it)
- ``63`` CRC-16/CCITT-FALSE over everything before it including ``6304``, 4 upper-case hex digits.

CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final XOR) is exactly what
``binascii.crc_hqx(data, 0xFFFF)`` computes.
"""

from __future__ import annotations

import binascii
import re
import unicodedata
from dataclasses import dataclass, field

from chinhquyenso.core.parsing import is_ascii_digits

GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
SERVICE_TO_CARD = "QRIBFTTC"
CURRENCY_VND = "704"
COUNTRY = "VN"
PURPOSE_MAX = 25


class PayloadError(ValueError):
    """A payload that is not well-formed, or whose CRC does not match."""


def crc16_ccitt_false(data: bytes) -> str:
    return f"{binascii.crc_hqx(data, 0xFFFF):04X}"


def tlv(tag: str, value: str) -> str:
    if len(tag) != 2 or not is_ascii_digits(tag):
        raise PayloadError(f"bad tag {tag!r}")
    if len(value) > 99:
        raise PayloadError(f"field {tag} longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def parse_tlv(data: str) -> dict[str, str]:
    """Top-level fields of ``data`` in order; raises on truncation, bad lengths or repeated tags."""
    fields: dict[str, str] = {}
    i = 0
    while i < len(data):
        head = data[i:i + 4]
        if len(head) < 4 or not is_ascii_digits(head):
            raise PayloadError(f"bad field header at {i}: {head!r}")
        tag, length = head[:2], int(head[2:])
        value = data[i + 4:i + 4 + length]
        if len(value) != length:
            raise PayloadError(f"field {tag} is truncated")
        if tag in fields:
            raise PayloadError(f"field {tag} appears twice")
        fields[tag] = value
        i += 4 + length
    return fields


_PURPOSE_UNSAFE = re.compile(r"[^A-Za-z0-9 ]+")


def purpose_text(text: str) -> str:
    """Bank apps and statements handle plain ASCII best: no accents, letters, digits, spaces; ≤ 25."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return " ".join(_PURPOSE_UNSAFE.sub(" ", text).split())[:PURPOSE_MAX].strip()


@dataclass(frozen=True)
class VietQR:
    bank_bin: str
    account: str
    amount: int | None = None
    purpose: str = ""
    service: str = SERVICE_TO_ACCOUNT
    bill_number: str = ""
    extra: dict = field(default_factory=dict, compare=False)  # fields we do not interpret

    @property
    def dynamic(self) -> bool:
        return self.amount is not None


def build(*, bank_bin: str, account: str, amount: int | None = None, purpose: str = "",
          service: str = SERVICE_TO_ACCOUNT, bill_number: str = "") -> str:
    """The payload string to put in a QR code (dynamic when an amount is given)."""
    if not (len(bank_bin) == 6 and is_ascii_digits(bank_bin)):
        raise PayloadError("bank BIN must be 6 digits")
    if not (0 < len(account) <= 19 and account.isalnum()):
        raise PayloadError("account number must be 1–19 letters or digits")
    if amount is not None and amount <= 0:
        raise PayloadError("amount must be positive")
    if len(purpose) > PURPOSE_MAX:
        raise PayloadError(f"purpose longer than {PURPOSE_MAX} characters")
    beneficiary = tlv("00", bank_bin) + tlv("01", account)
    merchant = tlv("00", GUID) + tlv("01", beneficiary) + tlv("02", service)
    parts = [
        tlv("00", "01"),
        tlv("01", "12" if amount is not None else "11"),
        tlv("38", merchant),
        tlv("53", CURRENCY_VND),
    ]
    if amount is not None:
        parts.append(tlv("54", str(amount)))
    parts.append(tlv("58", COUNTRY))
    additional = (tlv("01", bill_number) if bill_number else "") + (tlv("08", purpose) if purpose else "")
    if additional:
        parts.append(tlv("62", additional))
    body = "".join(parts) + "6304"
    return body + crc16_ccitt_false(body.encode("utf-8"))


def parse(payload: str) -> VietQR:
    """Read a payload back; checks the CRC, the format version, the GUID, currency and country."""
    if len(payload) < 8 or payload[-8:-4] != "6304":
        raise PayloadError("the CRC field (63) must come last")
    if crc16_ccitt_false(payload[:-4].encode("utf-8")) != payload[-4:].upper():
        raise PayloadError("CRC does not match")
    fields = parse_tlv(payload[:-8])
    if fields.get("00") != "01":
        raise PayloadError("payload format indicator must be 01")
    if "38" not in fields:
        raise PayloadError("no VietQR merchant account (field 38)")
    merchant = parse_tlv(fields["38"])
    if merchant.get("00") != GUID:
        raise PayloadError("field 38 is not a NAPAS VietQR account")
    beneficiary = parse_tlv(merchant.get("01", ""))
    if fields.get("53", CURRENCY_VND) != CURRENCY_VND or fields.get("58", COUNTRY) != COUNTRY:
        raise PayloadError("currency must be 704 (VND) and country VN")
    additional = parse_tlv(fields["62"]) if "62" in fields else {}
    amount = fields.get("54")
    if amount is not None and not is_ascii_digits(amount):
        raise PayloadError("amount must be a whole number of đồng")
    known = {"00", "01", "38", "53", "54", "58", "62"}
    return VietQR(
        bank_bin=beneficiary.get("00", ""),
        account=beneficiary.get("01", ""),
        amount=int(amount) if amount is not None else None,
        purpose=additional.get("08", ""),
        service=merchant.get("02", ""),
        bill_number=additional.get("01", ""),
        extra={k: v for k, v in fields.items() if k not in known},
    )
