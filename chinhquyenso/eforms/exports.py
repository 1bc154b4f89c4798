"""Exports of the specialised tables: XLSX (openpyxl, repeating groups on their own sheets) and CSV
(UTF-8 with BOM so Excel opens Vietnamese text correctly; repeating groups as row counts).

Personal identifiers (CCCD, phone, e-mail) are in clear only in rows the officer may see unmasked
(``policies.may_export_unmasked``: specialist, department head or unit leader of the receiving
unit); otherwise — and always for a reporter — they are masked. Rows are read in chunks, so the
export of a large table does not hold every row in memory (CSV is streamed).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook

from chinhquyenso.eforms import selectors
from chinhquyenso.eforms.selectors import Column, TableFilters, cell_text

MAX_ROWS = getattr(settings, "EFORMS_EXPORT_MAX_ROWS", 100_000)
CHUNK = 2000


class _Echo:
    def write(self, value):
        return value


class SubmissionExport:
    def __init__(self, *, user, definition, filters: TableFilters, columns: list[Column] | None = None):
        self.user = user
        self.definition = definition
        self.filters = filters
        self.columns = columns or selectors.table_columns(definition)
        self.groups = {c.key: [Column(key=ch.name, label=ch.label, widget=ch.widget, fdef=ch)
                               for ch in c.fdef.children] for c in self.columns if c.is_group}
        self._qs = (selectors.submissions_for_officer(user=user, definition=definition, filters=filters,
                                                      columns=self.columns)
                    .select_related("unit", "form_version").order_by("-created_at", "-id"))

    def count(self) -> int:
        return min(self._qs.count(), MAX_ROWS)

    def any_unmasked(self) -> bool:
        """Whether personal identifiers may leave in clear in some row (for the audit record)."""
        return selectors.may_export_unmasked(self.user, None)

    def header(self) -> list[str]:
        return ["Mã bản ghi", "Thời điểm nộp", "Đơn vị tiếp nhận", "Phiên bản biểu mẫu", "Nguồn",
                *[c.label for c in self.columns]]

    def rows(self) -> Iterator[tuple]:
        for row in self._qs[:MAX_ROWS].iterator(chunk_size=CHUNK):
            masked = not selectors.row_unmasked(self.user, row)
            yield row, masked

    def _cells(self, row, masked: bool) -> list[str]:
        when = timezone.localtime(row.created_at).strftime("%d/%m/%Y %H:%M")
        source = f"{row.source_type}:{row.source_id}" if row.source_type else ""
        return [str(row.pk), when, row.unit.full_name, str(row.form_version.number), source,
                *[cell_text(c, row.data.get(c.key), masked=masked) for c in self.columns]]

    def csv_chunks(self) -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff" + writer.writerow(self.header())
        for row, masked in self.rows():
            yield writer.writerow(self._cells(row, masked))

    def xlsx_bytes(self) -> bytes:
        book = Workbook(write_only=True)
        main = book.create_sheet("Du lieu")
        main.append(self.header())
        group_sheets = {}
        for key, cols in self.groups.items():
            sheet = book.create_sheet(_sheet_title(key))
            sheet.append(["Mã bản ghi", "Dòng", *[c.label for c in cols]])
            group_sheets[key] = (sheet, cols)
        for row, masked in self.rows():
            main.append(self._cells(row, masked))
            for key, (sheet, cols) in group_sheets.items():
                items = row.data.get(key)
                for i, item in enumerate(items if isinstance(items, list) else [], start=1):
                    item = item if isinstance(item, dict) else {}
                    sheet.append([row.pk, i, *[cell_text(c, item.get(c.key), masked=masked) for c in cols]])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


def _sheet_title(key: str) -> str:
    return key[:31]
