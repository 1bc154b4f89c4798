"""Reading bank statements (CSV or XLSX) into plain rows, and finding invoice references in them.

Banks export statements with different headings, so columns are recognised by name, in Vietnamese
or English, accents and case ignored: date (ngày giao dịch), amount (số tiền / ghi có), description
(nội dung / diễn giải) and reference (số tham chiếu / mã giao dịch). Amounts may be written
``120.000``, ``120,000``, ``120000`` or ``120000.00``; debits are negative and skipped later.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from chinhquyenso.core.errors import DomainError
from chinhquyenso.core.text import fold

# Invoice references: "CQS" + 8 Crockford base-32 characters (see services._new_reference).
REFERENCE_PREFIX = "CQS"
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_REFERENCE_IN_TEXT = re.compile(r"(?=(CQS[0-9A-Z]{8}))")
# Characters people (and bank apps) type instead of Crockford digits.
_CROCKFORD_FIX = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})

COLUMNS = {
    "date": ("ngay giao dich", "ngay hach toan", "ngay", "date", "transaction date", "booking date"),
    "amount": ("so tien ghi co", "ghi co", "so tien", "amount", "credit"),
    "description": ("noi dung", "dien giai", "mo ta", "description", "content", "details"),
    "reference": ("so tham chieu", "ma giao dich", "so but toan", "reference", "ref", "transaction id"),
}


@dataclass(frozen=True)
class StatementRow:
    row_number: int
    booked_on: dt.date
    amount: int
    description: str
    reference: str


def normalise_for_matching(text: str) -> str:
    """Accents, case, spaces and punctuation do not matter: "cqs 7k4m-9p2x" → "CQS7K4M9P2X"."""
    return re.sub(r"[^0-9A-Z]", "", fold(text).upper())


def references_in(text: str) -> list[str]:
    """Every invoice reference that appears in a statement description (tolerant, deduplicated)."""
    squeezed = normalise_for_matching(text)
    found: dict[str, None] = {}
    for match in _REFERENCE_IN_TEXT.finditer(squeezed):
        found.setdefault(match.group(1), None)
    # A second pass with look-alike letters fixed catches "CQS7K4M9P2O" typed with an O.
    fixed_text = squeezed.replace("CQS", "\0").translate(_CROCKFORD_FIX).replace("\0", "CQS")
    for match in _REFERENCE_IN_TEXT.finditer(fixed_text):
        found.setdefault(match.group(1), None)
    return list(found)


def line_hashes(rows: list[StatementRow], *, account_key: str) -> list[str]:
    """A stable hash per line. Two identical lines in one statement (same day, amount, text, no
    reference) are told apart by their occurrence number, so re-importing the file, or a statement
    that overlaps an earlier one, adds nothing twice."""
    seen: Counter[str] = Counter()
    hashes = []
    for row in rows:
        base = "|".join([account_key, row.booked_on.isoformat(), str(row.amount),
                         normalise_for_matching(row.description), row.reference.strip().upper()])
        seen[base] += 1
        hashes.append(hashlib.sha256(f"{base}|{seen[base]}".encode()).hexdigest())
    return hashes


def _column_map(header: list[str]) -> dict[str, int]:
    folded = [fold(str(h or "")).strip() for h in header]
    mapping: dict[str, int] = {}
    for key, names in COLUMNS.items():
        for name in names:  # most specific names first
            for index, heading in enumerate(folded):
                if index in mapping.values():
                    continue
                if heading == name or (len(name) > 3 and name in heading):
                    mapping[key] = index
                    break
            if key in mapping:
                break
    missing = [k for k in ("date", "amount", "description") if k not in mapping]
    if missing:
        raise DomainError("statement_columns_missing",
                          _("Không tìm thấy cột %(cols)s trong sao kê. Cần các cột: ngày, số tiền, nội dung, "
                            "số tham chiếu.") % {"cols": ", ".join(missing)}, "file")
    return mapping


_GROUPED = re.compile(r"^-?\d{1,3}([.,]\d{3})+$")
_DECIMAL = re.compile(r"^-?\d+([.,]\d{1,2})?$")


def parse_amount(value) -> int:
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        if Decimal(str(value)) != Decimal(str(value)).to_integral_value():
            raise ValueError("amount has fractions of a đồng")
        return int(value)
    text = re.sub(r"(?i)\s|vnd|đ|d$", "", str(value or ""))
    text = text.replace("+", "")
    if text.startswith("(") and text.endswith(")"):
        text = "-" + text[1:-1]
    if _GROUPED.match(text):
        return int(re.sub(r"[.,]", "", text))
    if _DECIMAL.match(text):
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation as exc:
            raise ValueError(str(exc)) from exc
        if number != number.to_integral_value():
            raise ValueError("amount has fractions of a đồng")
        return int(number)
    raise ValueError(f"not an amount: {value!r}")


def parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip().split(" ")[0]
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {value!r}")


def _rows_from_table(table: list[list]) -> list[StatementRow]:
    # The header is the first row that names the needed columns (banks put a title block above it).
    mapping, start = None, 0
    for index, header in enumerate(table[:15]):
        try:
            mapping, start = _column_map([str(c) if c is not None else "" for c in header]), index
            break
        except DomainError:
            continue
    if mapping is None:  # raises the message that names the missing columns
        mapping = _column_map([str(c) if c is not None else "" for c in (table[0] if table else [])])
    rows: list[StatementRow] = []
    for offset, cells in enumerate(table[start + 1:], start=start + 2):
        if not any(str(c or "").strip() for c in cells):
            continue

        def cell(key, cells=cells):
            index = mapping.get(key)
            return cells[index] if index is not None and index < len(cells) else None

        try:
            booked_on = parse_date(cell("date"))
            amount = parse_amount(cell("amount"))
        except ValueError:
            raise DomainError("statement_bad_row",
                              _("Dòng %(row)s của sao kê có ngày hoặc số tiền không đọc được.") % {"row": offset},
                              "file") from None
        rows.append(StatementRow(offset, booked_on, amount, str(cell("description") or "").strip()[:500],
                                 str(cell("reference") or "").strip()[:100]))
    return rows


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError("statement_encoding", _("Không đọc được bảng mã của tệp CSV (cần UTF-8)."), "file")


def parse_csv(data: bytes) -> list[StatementRow]:
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return _rows_from_table([list(r) for r in csv.reader(io.StringIO(text), dialect)])


def parse_xlsx(data: bytes) -> list[StatementRow]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise DomainError("statement_unreadable", _("Không đọc được tệp Excel."), "file") from None
    sheet = workbook.worksheets[0]
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    workbook.close()
    return _rows_from_table(table)


def parse_statement(data: bytes, mime_type: str) -> list[StatementRow]:
    if mime_type.endswith("spreadsheetml.sheet") or data[:2] == b"PK":
        return parse_xlsx(data)
    return parse_csv(data)
