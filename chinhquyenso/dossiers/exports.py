"""The dossier tracking register (sổ theo dõi hồ sơ) as XLSX.

Circular 01/2018 requires the register but its columns are not confirmed in our sources
(reference/vn-egov-facts.md §1); these follow the receipt's wording and what Decision 766 counts.
Rows stream from the database (write-only workbook, ``iterator``) so a commune-quarter or a whole
district-year exports without loading everything into memory.
"""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from chinhquyenso.core.masking import mask_address
from chinhquyenso.dossiers.models import Channel, Status
from chinhquyenso.dossiers.selectors import register_rows

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = [
    ("STT", 6), ("Mã hồ sơ", 28), ("Thủ tục hành chính", 48), ("Người nộp", 26), ("Địa chỉ", 36),
    ("Kênh nộp", 14), ("Ngày nộp", 17), ("Ngày tiếp nhận", 17), ("Ngày hẹn trả", 13), ("Ngày có kết quả", 17),
    ("Ngày trả kết quả", 17), ("Tình trạng", 22), ("Đúng hạn / quá hạn", 16), ("Số lần bổ sung", 10),
    ("Số lần hẹn lại", 10),
]
_CHANNELS = {k: str(v) for k, v in Channel.choices}
_STATUSES = {k: str(v) for k, v in Status.choices}
_FIELDS = ("code", "procedure__name", "applicant_name", "applicant_address", "channel", "submitted_at",
           "received_at", "due_date", "finished_at", "returned_at", "status", "is_late", "supplement_count",
           "apology_count")


def _dt(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if value else ""


def _d(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _timeliness(finished_at, due_date, is_late) -> str:
    if finished_at is None:
        return "Quá hạn" if is_late else "Đang giải quyết"
    if is_late:
        return "Quá hạn"
    if due_date and timezone.localtime(finished_at).date() < due_date:
        return "Trước hạn"
    return "Đúng hạn"


def register_xlsx(*, unit, start: dt.date, end: dt.date, mask_addresses: bool = False) -> bytes:
    """``mask_addresses``: the house and street of each applicant hidden (core.masking.mask_address),
    for readers of the register who are not its legal keepers (policies.can_read_full_register)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Sổ theo dõi hồ sơ")
    for index, (_title, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    title = WriteOnlyCell(sheet, value=f"SỔ THEO DÕI HỒ SƠ — {unit.full_name.upper()}")
    title.font = Font(bold=True, size=13)
    sheet.append([title])
    sheet.append([f"Từ ngày {_d(start)} đến ngày {_d(end)}"])
    header = []
    for name, _width in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        header.append(cell)
    sheet.append(header)
    rows = register_rows(unit=unit, start=start, end=end).values_list(*_FIELDS)
    for n, (code, procedure, name, address, channel, submitted, received, due, finished, returned, status,
            is_late, supplements, apologies) in enumerate(rows.iterator(chunk_size=2000), start=1):
        if mask_addresses:
            address = mask_address(address)
        sheet.append([n, code, procedure, name, address, _CHANNELS.get(channel, channel), _dt(submitted),
                      _dt(received), _d(due), _dt(finished), _dt(returned), _STATUSES.get(status, status),
                      _timeliness(finished, due, is_late), supplements, apologies])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
