"""Import and export of the catalogue: JSON (our schema, lossless) and XLSX (national-style sheet).

Both formats become the same canonical *records* (plain dicts, schema ``chinhquyenso.catalog/1``)
that ``validate_records`` checks and ``services.catalog_import`` applies. A record looks like the
output of ``export_record``; every problem is reported as an ``ImportIssue`` with the place it
came from (record number in JSON; sheet, row and column in XLSX) and a Vietnamese message.

XLSX layout (modelled on the national procedure database spreadsheets): sheet "Thủ tục", one row
per procedure, multi-line cells for documents, results and legal basis; sheet "Phí, lệ phí", one
row per fee rule (optional: without it the "Phí, lệ phí" cell is read — an amount becomes a fixed
fee, other text an amount "not entered yet"). XLSX carries the terms version in force only, no
template files and no result notes; JSON carries everything.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone, translation
from django.utils.text import slugify

from chinhquyenso.catalog.fees import describe_rule
from chinhquyenso.catalog.models import (
    Channel,
    DayKind,
    DocumentForm,
    ExemptionCategory,
    FeeKind,
    Level,
    OnlineLevel,
    Procedure,
    ProcedureStatus,
    Requirement,
    TierMode,
)
from chinhquyenso.core.parsing import is_ascii_digits
from chinhquyenso.core.text import fold

SCHEMA = "chinhquyenso.catalog/1"
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,39}$")
NATIONAL_CODE_RE = re.compile(r"^\d\.\d{6}$")
FEE_CODE_RE = re.compile(r"^[a-z0-9_\-]{1,40}$")
MAX_RECORDS = 20000


@dataclass(frozen=True)
class Location:
    """Where a value came from: a JSON record, or a sheet/row/column of a workbook."""

    record: int | None = None  # 1-based position in the file
    sheet: str = ""
    row: int | None = None
    column: str = ""

    def describe(self) -> str:
        if self.row is not None:
            where = f"Trang “{self.sheet}”, dòng {self.row}" if self.sheet != SHEET_MAIN else f"Dòng {self.row}"
            return f"{where}, cột “{self.column}”" if self.column else where
        if self.record is not None:
            return f"Thủ tục thứ {self.record}, mục “{self.column}”" if self.column else f"Thủ tục thứ {self.record}"
        return ""


@dataclass(frozen=True)
class ImportIssue:
    location: Location
    message: str
    code: str = ""  # the procedure code, when known

    @property
    def row(self) -> int | None:
        return self.location.row

    @property
    def column(self) -> str:
        return self.location.column

    def __str__(self) -> str:
        where = self.location.describe()
        return f"{where}: {self.message}" if where else self.message

    def as_dict(self) -> dict:
        return {"row": self.location.row, "record": self.location.record, "sheet": self.location.sheet,
                "column": self.location.column, "code": self.code, "message": self.message, "text": str(self)}


class ImportFailed(Exception):
    def __init__(self, issues: list[ImportIssue]):
        super().__init__("; ".join(str(i) for i in issues[:5]))
        self.issues = issues


# --- Export -----------------------------------------------------------------------------------

def _rule_record(rule) -> dict:
    return {
        "code": rule.code, "label": rule.label, "kind": rule.kind, "amount_vnd": rule.amount_vnd,
        "unit_label": rule.unit_label, "tier_mode": rule.tier_mode,
        "tiers": [{"from": int(t["from"]), "to": None if t.get("to") is None else int(t["to"]),
                   "amount_vnd": int(t["amount_vnd"])} for t in rule.tiers or []],
        "max_vnd": rule.max_vnd, "exempt_categories": sorted(rule.exempt_categories or []),
        "conditional": rule.conditional, "condition_note": rule.condition_note,
    }


def terms_record(terms) -> dict:
    return {
        "effective_from": terms.effective_from.isoformat(),
        "processing_days": terms.processing_days,
        "day_kind": terms.day_kind,
        "processing_note": terms.processing_note,
        "fee_note": terms.fee_note,
        "basis": terms.basis,
        "fee_rules": [_rule_record(r) for r in terms.fee_rules.all()],
    }


def procedure_body(procedure: Procedure) -> dict:
    """Everything of a procedure except its terms versions (prefetch as in ``export_queryset``)."""
    return {
        "code": procedure.code,
        "code_is_national": procedure.code_is_national,
        "name": procedure.name,
        "field": {"code": procedure.field.code, "name": procedure.field.name},
        "unit": procedure.unit.code,
        "levels": procedure.levels,
        "level_since_2025_07": procedure.level_since_2025_07,
        "agencies": sorted(a.identifier_code for a in procedure.agencies.all()),
        "agency_text": procedure.agency_text,
        "online_level": procedure.online_level,
        "online_level_confirmed": procedure.online_level_confirmed,
        "channels": procedure.channels,
        "submission_note": procedure.submission_note,
        "applicants": procedure.applicants,
        "note": procedure.note,
        "status": procedure.status,
        "confirmed": procedure.confirmed,
        "source_note": procedure.source_note,
        "sources": list(procedure.sources or []),
        "required_documents": [
            {"name": d.name, "form": d.form, "count": d.count, "requirement": d.requirement,
             "condition_note": d.condition_note, "template_name": d.template_name,
             **({"template_sha256": d.template.sha256} if d.template_id else {})}
            for d in procedure.required_documents.all()
        ],
        "result_documents": [{"name": r.name, "note": r.note} for r in procedure.result_documents.all()],
        "legal_basis": [{"title": b.title, "url": b.url} for b in procedure.legal_basis.all()],
    }


def export_record(procedure: Procedure) -> dict:
    terms = sorted(procedure.terms.all(), key=lambda t: t.effective_from)
    return {**procedure_body(procedure), "terms": [terms_record(t) for t in terms]}


def export_queryset(qs=None):
    qs = Procedure.objects.all() if qs is None else qs
    return qs.select_related("field", "unit").prefetch_related(
        "agencies", "required_documents__template", "result_documents", "legal_basis", "terms__fee_rules",
    ).order_by("code")


def export_json(qs=None) -> dict:
    return {
        "schema": SCHEMA,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "procedures": [export_record(p) for p in export_queryset(qs)],
    }


def export_json_bytes(qs=None) -> bytes:
    return json.dumps(export_json(qs), ensure_ascii=False, indent=1).encode("utf-8")


# --- XLSX layout ----------------------------------------------------------------------------

SHEET_MAIN = "Thủ tục"
SHEET_FEES = "Phí, lệ phí"
SHEET_HELP = "Hướng dẫn"

COLUMNS = [  # (key, header, width, help)
    ("code", "Mã thủ tục", 14, "Bắt buộc. Mã quốc gia (1.001193) hoặc mã địa phương (DP-0001)."),
    ("name", "Tên thủ tục", 50, "Bắt buộc."),
    ("field", "Lĩnh vực", 22, "Bắt buộc. Tên lĩnh vực; lĩnh vực chưa có sẽ được tạo mới."),
    ("levels", "Cấp thực hiện", 16, "Bắt buộc. Cấp tỉnh; Cấp huyện; Cấp xã (nhiều cấp cách nhau bởi dấu ;)."),
    ("agency_text", "Cơ quan thực hiện", 30, "Mô tả cơ quan thực hiện."),
    ("agencies", "Mã định danh cơ quan", 22, "Mã QCVN 102 của các cơ quan thực hiện, cách nhau bởi dấu ;."),
    ("online_level", "Mức độ DVC", 16, "Toàn trình; Một phần; Không cung cấp trực tuyến (chấp nhận “Mức độ 4/3/2”)."),
    ("channels", "Cách thức thực hiện", 22, "Trực tuyến; Trực tiếp; Bưu chính."),
    ("processing_days", "Thời hạn giải quyết", 12, "Số ngày (0 = trong ngày); để trống nếu tùy trường hợp."),
    ("day_kind", "Loại ngày", 14, "ngày làm việc (mặc định) hoặc ngày."),
    ("processing_note", "Ghi chú thời hạn", 30, ""),
    ("fees", "Phí, lệ phí", 30, "Tóm tắt. Nếu có trang “Phí, lệ phí” thì trang đó là căn cứ; nếu không, "
                                "một số tiền (10.000 đ) là mức cố định, nội dung khác ghi nhận là chưa nhập mức thu."),
    ("fee_note", "Ghi chú phí, lệ phí", 30, ""),
    ("effective_from", "Hiệu lực từ", 12, "Ngày áp dụng thời hạn và phí (dd/mm/yyyy); trống = hôm nay."),
    ("basis", "Văn bản quy định thời hạn, phí", 30, "Quyết định công bố, nghị quyết HĐND …"),
    ("required_documents", "Thành phần hồ sơ", 60,
     "Mỗi dòng một giấy tờ: “- Tên giấy tờ (Bản chính: 1)”; giấy tờ chỉ nộp trong một số trường hợp ghi "
     "“- [Khi thuộc trường hợp: mô tả] Tên giấy tờ (Bản sao: 1)”."),
    ("result_documents", "Kết quả thực hiện", 30, "Mỗi dòng một kết quả."),
    ("legal_basis", "Căn cứ pháp lý", 40, "Mỗi dòng một văn bản; có thể thêm “ — https://…”."),
    ("unit", "Đơn vị quản lý", 12,
     "Mã đơn vị hành chính (TCTK) cấp tỉnh/huyện sở hữu danh mục; trống = đơn vị chọn khi nhập."),
    ("status", "Trạng thái", 14, "Đang áp dụng hoặc Đã bãi bỏ."),
    ("confirmed", "Đã xác minh", 10, "Có/Không: số liệu đã đối chiếu nguồn."),
    ("source_note", "Ghi chú nguồn", 40, ""),
    ("code_is_national", "Mã quốc gia", 10, "Có/Không; trống = tự nhận biết theo dạng mã."),
    ("level_since_2025_07", "Cấp thực hiện từ 01/7/2025", 14, ""),
    ("online_level_confirmed", "Mức độ DVC đã xác minh", 10, "Có/Không."),
    ("submission_note", "Nơi nộp, cách nộp", 30, ""),
    ("applicants", "Đối tượng thực hiện", 24, ""),
    ("note", "Lưu ý", 30, ""),
    ("sources", "Nguồn", 40, "Mỗi dòng một nguồn."),
]
HEADERS = {key: header for key, header, _w, _h in COLUMNS}

FEE_COLUMNS = [
    ("procedure", "Mã thủ tục", 14), ("code", "Mã khoản thu", 14), ("label", "Tên khoản thu", 40),
    ("kind", "Cách tính", 16), ("amount_vnd", "Mức thu (đồng)", 14), ("unit_label", "Đơn vị tính", 12),
    ("tier_mode", "Kiểu bậc", 22), ("tiers", "Các bậc", 30), ("max_vnd", "Tối đa (đồng)", 14),
    ("exempt_categories", "Đối tượng miễn", 30), ("conditional", "Có điều kiện", 10),
    ("condition_note", "Điều kiện", 30),
]
FEE_HEADERS = {key: header for key, header, _w in FEE_COLUMNS}
YES, NO = "Có", "Không"


def _date_vi(value: str | dt.date) -> str:
    d = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
    return d.strftime("%d/%m/%Y")


def _document_line(doc: dict) -> str:
    prefix = ""
    if doc["requirement"] == Requirement.CONDITIONAL:
        note = f": {doc['condition_note']}" if doc["condition_note"] else ""
        prefix = f"[Khi thuộc trường hợp{note}] "
    return f"- {prefix}{doc['name']} ({DocumentForm(doc['form']).label!s}: {doc['count']})"


def _tiers_text(tiers: list[dict]) -> str:
    return "; ".join(f"{t['from']}-{'' if t['to'] is None else t['to']}: {t['amount_vnd']}" for t in tiers)


def _current_terms(record: dict, on: dt.date) -> dict | None:
    versions = sorted(record["terms"], key=lambda t: t["effective_from"])
    in_force = [t for t in versions if t["effective_from"] <= on.isoformat()]
    if in_force:
        return in_force[-1]
    return versions[0] if versions else None


def export_xlsx_bytes(qs=None) -> bytes:
    """The workbook is always written in Vietnamese (its labels are what the import reads)."""
    with translation.override("vi"):
        return _export_xlsx(qs)


def _export_xlsx(qs=None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    today = timezone.localdate()
    wb = Workbook()
    main = wb.active
    main.title = SHEET_MAIN
    fees = wb.create_sheet(SHEET_FEES)
    helpsheet = wb.create_sheet(SHEET_HELP)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    wrap = Alignment(wrap_text=True, vertical="top")

    for sheet, columns in ((main, [(h, w) for _k, h, w, _x in COLUMNS]), (fees, [(h, w) for _k, h, w in FEE_COLUMNS])):
        sheet.append([h for h, _w in columns])
        for i, (_h, width) in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
            cell = sheet.cell(row=1, column=i)
            cell.font, cell.fill = bold, fill
        sheet.freeze_panes = "C2" if sheet is main else "A2"

    for record in (export_record(p) for p in export_queryset(qs)):
        terms = _current_terms(record, today) or {}
        values = {
            "code": record["code"], "name": record["name"], "field": record["field"]["name"],
            "levels": "; ".join(str(Level(v).label) for v in record["levels"]),
            "agency_text": record["agency_text"], "agencies": "; ".join(record["agencies"]),
            "online_level": str(OnlineLevel(record["online_level"]).label),
            "channels": "; ".join(_CHANNEL_SHORT[c] for c in record["channels"]),
            "processing_days": terms.get("processing_days"),
            "day_kind": str(DayKind(terms.get("day_kind", DayKind.WORKING)).label),
            "processing_note": terms.get("processing_note", ""),
            "fees": "\n".join(f"{r['label']}: {describe_rule(_SpecProxy(r))}" for r in terms.get("fee_rules", [])),
            "fee_note": terms.get("fee_note", ""),
            "effective_from": _date_vi(terms["effective_from"]) if terms else "",
            "basis": terms.get("basis", ""),
            "required_documents": "\n".join(_document_line(d) for d in record["required_documents"]),
            "result_documents": "\n".join(r["name"] for r in record["result_documents"]),
            "legal_basis": "\n".join(b["title"] + (f" — {b['url']}" if b["url"] else "")
                                     for b in record["legal_basis"]),
            "unit": record["unit"],
            "status": str(ProcedureStatus(record["status"]).label),
            "confirmed": YES if record["confirmed"] else NO,
            "source_note": record["source_note"],
            "code_is_national": YES if record["code_is_national"] else NO,
            "level_since_2025_07": str(Level(record["level_since_2025_07"]).label)
            if record["level_since_2025_07"] else "",
            "online_level_confirmed": YES if record["online_level_confirmed"] else NO,
            "submission_note": record["submission_note"],
            "applicants": record["applicants"],
            "note": record["note"],
            "sources": "\n".join(record["sources"]),
        }
        main.append([values[key] for key, *_rest in COLUMNS])
        for rule in terms.get("fee_rules", []):
            fees.append([
                record["code"], rule["code"], rule["label"], str(FeeKind(rule["kind"]).label), rule["amount_vnd"],
                rule["unit_label"], str(TierMode(rule["tier_mode"]).label) if rule["tier_mode"] else "",
                _tiers_text(rule["tiers"]), rule["max_vnd"],
                "; ".join(str(ExemptionCategory(c).label) for c in rule["exempt_categories"]),
                YES if rule["conditional"] else NO, rule["condition_note"],
            ])
    for row in main.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap

    n = max(main.max_row, 2)
    for col_key, options in (("online_level", [str(lvl.label) for lvl in OnlineLevel]),
                             ("status", [str(s.label) for s in ProcedureStatus]),
                             ("confirmed", [YES, NO])):
        letter = get_column_letter([k for k, *_r in COLUMNS].index(col_key) + 1)
        validation = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
        validation.add(f"{letter}2:{letter}{max(n, 1000)}")
        main.add_data_validation(validation)

    helpsheet.append(["Cột", "Hướng dẫn"])
    for _k, header, _w, text in COLUMNS:
        helpsheet.append([header, text])
    helpsheet.append([])
    helpsheet.append(["Trang “Phí, lệ phí”", "Mỗi dòng một khoản thu. Cách tính: Mức cố định / Theo đơn vị tính / "
                      "Theo bậc. Các bậc: “1-2: 2000; 3-: 1000” (từ-đến: mức thu). Để trống mức thu = chưa nhập "
                      "(theo Nghị quyết HĐND)."])
    helpsheet.column_dimensions["A"].width = 28
    helpsheet.column_dimensions["B"].width = 100
    for cell in helpsheet[1]:
        cell.font = bold

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


class _SpecProxy:
    """Lets ``describe_rule`` read a rule record (dict) as if it were a model row."""

    def __init__(self, data: dict):
        self.__dict__.update(data)


_CHANNEL_SHORT = {Channel.ONLINE: "Trực tuyến", Channel.DESK: "Trực tiếp", Channel.POST: "Bưu chính"}


# --- Reading ----------------------------------------------------------------------------------

def _key(text) -> str:
    return fold(str(text or "")).strip(" .")


def _choice_lookup(choices, extra: dict[str, str] | None = None) -> dict[str, str]:
    table = {}
    for value, label in choices:
        table[_key(value)] = value
        table[_key(label)] = value
    for k, v in (extra or {}).items():
        table[_key(k)] = v
    return table


LEVELS_IN = _choice_lookup(Level.choices, {"tinh": "province", "huyen": "district", "xa": "commune",
                                            "cap phuong": "commune", "phuong": "commune"})
ONLINE_IN = _choice_lookup(OnlineLevel.choices, {
    "muc do 4": "full", "muc 4": "full", "4": "full", "dvc truc tuyen toan trinh": "full",
    "muc do 3": "partial", "muc 3": "partial", "3": "partial", "dvc truc tuyen mot phan": "partial",
    "muc do 2": "none", "muc do 1": "none", "2": "none", "1": "none", "khong": "none",
    "khong truc tuyen": "none", "": "none"})
STATUS_IN = _choice_lookup(ProcedureStatus.choices, {"": "active", "con hieu luc": "active",
                                                     "het hieu luc": "retired", "bai bo": "retired"})
DAY_KIND_IN = _choice_lookup(DayKind.choices, {"": "working", "ngay lam viec": "working", "ngay": "calendar",
                                               "ngay theo lich": "calendar"})
FORM_IN = _choice_lookup(DocumentForm.choices, {"ban photo": "copy", "ban chup": "copy"})
REQUIREMENT_IN = _choice_lookup(Requirement.choices, {"khi thuoc truong hop": "conditional", "neu co": "conditional",
                                                      "truong hop": "conditional"})
FEE_KIND_IN = _choice_lookup(FeeKind.choices, {"co dinh": "fixed", "theo don vi": "per_unit", "bac": "tiered"})
TIER_MODE_IN = _choice_lookup(TierMode.choices, {"luy tien": "graduated", "tron goi": "bracket",
                                                  "theo khoang": "bracket"})
EXEMPT_IN = _choice_lookup(ExemptionCategory.choices, {
    "gia dinh co cong": "meritorious", "nguoi co cong": "meritorious", "ho ngheo": "poor_household"})
BOOL_IN = {"co": True, "x": True, "true": True, "1": True, "yes": True, "khong": False, "false": False, "0": False,
           "no": False, "": None}


def _split(value, seps: str = ";\n") -> list[str]:
    text = "" if value is None else str(value)
    return [part.strip() for part in re.split(f"[{re.escape(seps)}]", text) if part.strip()]


def _lines(value) -> list[str]:
    return [line.strip() for line in str(value or "").splitlines() if line.strip()]


def _int_or_none(value) -> int | str | None:
    """An integer, None for blank, or the original text when it is not a number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip().replace(".", "").replace(",", "").replace(" ", "")
    text = re.sub(r"(đ|đồng|vnđ|vnd)$", "", text, flags=re.IGNORECASE)
    return int(text) if is_ascii_digits(text) else str(value)


_DOC_REQ = re.compile(r"^\[(?P<req>[^\]]+)\]\s*")
# "(Bản chính: 1)" at the end of a line; the label may hold one parenthesis ("Xuất trình (không nộp)").
_DOC_TAIL = re.compile(r"\s*\((?P<form>[^()]*?(?:\([^()]*\))?[^()]*?):\s*(?P<count>\d+)\s*\)\s*$")
_AMOUNT_ONLY = re.compile(r"^\s*(?P<n>\d{1,3}(?:[.,]\d{3})+|\d+)\s*(?:đ|đồng|vnđ|vnd)?\s*$", re.IGNORECASE)
_FREE = {"", "0", "khong", "mien phi", "khong thu", "khong thu phi", "khong co", "mien", "khong thu phi, le phi",
         "khong quy dinh", "0 d", "0 dong"}
_PROCESSING_TEXT = re.compile(r"^\s*(?P<n>\d+)\s*(?P<unit>ngày làm việc|ngày)?\b", re.IGNORECASE)


class _RowReader:
    """Collects issues while turning one sheet row into record values."""

    def __init__(self, issues: list[ImportIssue], sheet: str, row: int, headers: dict[str, str], code: str = ""):
        self.issues, self.sheet, self.row, self.headers, self.code = issues, sheet, row, headers, code

    def loc(self, key: str) -> Location:
        return Location(sheet=self.sheet, row=self.row, column=self.headers.get(key, key))

    def error(self, key: str, message: str) -> None:
        self.issues.append(ImportIssue(self.loc(key), message, self.code))

    def choice(self, key: str, value, table: dict[str, str], label: str):
        k = _key(value)
        if k in table:
            return table[k]
        self.error(key, f"giá trị “{value}” không hợp lệ ({label}).")
        return None

    def boolean(self, key: str, value, default: bool | None) -> bool | None:
        k = _key(value)
        if k not in BOOL_IN:
            self.error(key, f"giá trị “{value}” không hợp lệ (ghi Có hoặc Không).")
            return default
        result = BOOL_IN[k]
        return default if result is None else result


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_date(reader: _RowReader, key: str, value) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    reader.error(key, f"ngày “{text}” không hợp lệ (ghi dd/mm/yyyy).")
    return None


def _parse_documents(reader: _RowReader, value) -> list[dict]:
    documents = []
    for n, line in enumerate(_lines(value), start=1):
        rest = line.lstrip("-•+* ").strip()
        form, count, requirement, condition = DocumentForm.ORIGINAL.value, 1, Requirement.REQUIRED.value, ""
        req = _DOC_REQ.match(rest)
        if req:
            rest = rest[req.end():]
            label, _sep, condition = req.group("req").partition(":")
            condition = condition.strip()
            if _key(label) not in REQUIREMENT_IN:
                reader.error("required_documents", f"giấy tờ thứ {n}: “[{req.group('req')}]” không hợp lệ "
                                                   "(ghi [Khi thuộc trường hợp: …] hoặc bỏ trống).")
                continue
            requirement = REQUIREMENT_IN[_key(label)]
        tail = _DOC_TAIL.search(rest)
        if tail and _key(tail.group("form")) in FORM_IN:  # otherwise the parenthesis is part of the name
            form, count = FORM_IN[_key(tail.group("form"))], int(tail.group("count"))
            rest = rest[:tail.start()]
        name = rest.strip()
        if not name:
            reader.error("required_documents", f"giấy tờ thứ {n} không có tên.")
            continue
        documents.append({"name": name, "form": form, "count": count, "requirement": requirement,
                          "condition_note": condition, "template_name": ""})
    return documents


def _parse_legal_basis(value) -> list[dict]:
    items = []
    for line in _lines(value):
        title, _sep, url = line.partition(" — http")
        items.append({"title": title.strip(), "url": f"http{url}".strip() if _sep else ""})
    return items


def _parse_fee_summary(reader: _RowReader, value) -> list[dict]:
    """The "Phí, lệ phí" cell of a sheet without a fee sheet."""
    text = _cell_text(value)
    if _key(text) in _FREE:
        return []
    m = _AMOUNT_ONLY.match(text)
    if m:
        return [_fee_rule(code="le_phi", label="Phí, lệ phí", kind="fixed",
                          amount_vnd=int(re.sub(r"[.,]", "", m.group("n"))))]
    return [_fee_rule(code="le_phi", label=text[:300], kind="fixed", amount_vnd=None)]


def _fee_rule(**values) -> dict:
    rule = {"code": "", "label": "", "kind": "fixed", "amount_vnd": None, "unit_label": "", "tier_mode": "",
            "tiers": [], "max_vnd": None, "exempt_categories": [], "conditional": False, "condition_note": ""}
    rule.update(values)
    return rule


def _parse_tiers(reader: _RowReader, value) -> list[dict]:
    tiers = []
    for part in _split(value, ";\n"):
        m = re.match(r"^(?P<a>\d+)\s*[-–]\s*(?P<b>\d*)\s*:\s*(?P<amt>[\d.,]+)\s*(?:đ|đồng)?$", part)
        if not m:
            reader.error("tiers", f"bậc “{part}” không đúng dạng “từ-đến: mức thu” (ví dụ 1-2: 2000; 3-: 1000).")
            continue
        tiers.append({"from": int(m.group("a")), "to": int(m.group("b")) if m.group("b") else None,
                      "amount_vnd": int(re.sub(r"[.,]", "", m.group("amt")))})
    return tiers


def _header_map(row: tuple, expected: dict[str, str]) -> dict[str, int]:
    by_header = {_key(h): k for k, h in expected.items()}
    mapping = {}
    for i, value in enumerate(row):
        key = by_header.get(_key(value))
        if key and key not in mapping:
            mapping[key] = i
    return mapping


def parse_xlsx(content: bytes, *, default_unit: str | None = None) -> tuple[list[dict], list[ImportIssue]]:
    """Read a workbook into records (with ``_loc`` markers) and the problems found while reading."""
    from openpyxl import load_workbook

    issues: list[ImportIssue] = []
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        return [], [ImportIssue(Location(), "Không đọc được tệp Excel (cần tệp .xlsx).")]
    sheet = wb[SHEET_MAIN] if SHEET_MAIN in wb.sheetnames else wb.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return [], [ImportIssue(Location(sheet=sheet.title, row=1), "Trang tính rỗng.")]
    cols = _header_map(header, HEADERS)
    missing = [HEADERS[k] for k in ("code", "name", "field", "levels") if k not in cols]
    if missing:
        return [], [ImportIssue(Location(sheet=SHEET_MAIN, row=1),
                                "Thiếu cột bắt buộc: " + ", ".join(f"“{m}”" for m in missing) + ".")]

    fee_rows: dict[str, list[dict]] = {}
    if SHEET_FEES in wb.sheetnames:
        fee_rows = _read_fee_sheet(wb[SHEET_FEES], issues)

    records = []
    for row_number, row in enumerate(rows, start=2):
        if row is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        if len(records) >= MAX_RECORDS:
            issues.append(ImportIssue(Location(sheet=SHEET_MAIN, row=row_number),
                                      f"Tệp có quá {MAX_RECORDS} thủ tục; hãy chia nhỏ."))
            break

        def get(key, row=row):
            i = cols.get(key)
            return row[i] if i is not None and i < len(row) else None

        code = _cell_text(get("code"))
        r = _RowReader(issues, SHEET_MAIN, row_number, HEADERS, code)
        levels = []
        for part in _split(get("levels")):
            level = r.choice("levels", part, LEVELS_IN, "Cấp tỉnh, Cấp huyện, Cấp xã")
            if level and level not in levels:
                levels.append(level)
        channels = []
        for part in _split(get("channels")):
            k = _key(part)
            channel = ("online" if "truc tuyen" in k else "desk" if "truc tiep" in k
                       else "post" if "buu" in k else None)
            if channel is None:
                r.error("channels", f"giá trị “{part}” không hợp lệ (Trực tuyến, Trực tiếp, Bưu chính).")
            elif channel not in channels:
                channels.append(channel)
        online_level = r.choice("online_level", _cell_text(get("online_level")), ONLINE_IN,
                                "Toàn trình, Một phần, Không cung cấp trực tuyến") or "none"
        if not channels:
            channels = (["online"] if online_level != "none" else []) + ["desk"]
        days_raw = get("processing_days")
        processing_note = _cell_text(get("processing_note"))
        day_kind = r.choice("day_kind", _cell_text(get("day_kind")), DAY_KIND_IN, "ngày làm việc, ngày") or "working"
        days = _int_or_none(days_raw)
        if isinstance(days, str):  # "03 ngày làm việc", "Trong ngày", "Theo từng trường hợp"
            m = _PROCESSING_TEXT.match(days)
            if m:
                days_value = int(m.group("n"))
                if m.group("unit") and _key(m.group("unit")) == "ngay" and not get("day_kind"):
                    day_kind = "calendar"
            elif _key(days).startswith("trong ngay"):
                days_value = 0
            else:
                days_value = None
            processing_note = processing_note or str(days_raw).strip()
            days = days_value
        code_national = get("code_is_national")
        terms = {
            "effective_from": _read_date(r, "effective_from", get("effective_from")),
            "processing_days": days,
            "day_kind": day_kind,
            "processing_note": processing_note,
            "fee_note": _cell_text(get("fee_note")),
            "basis": _cell_text(get("basis")),
            "fee_rules": fee_rows.pop(code, None) if code in fee_rows else _parse_fee_summary(r, get("fees")),
        }
        unit = _cell_text(get("unit")) or default_unit or ""
        record = {
            "_loc": Location(sheet=SHEET_MAIN, row=row_number),
            "code": code,
            "code_is_national": r.boolean("code_is_national", code_national, None)
            if _cell_text(code_national) else bool(NATIONAL_CODE_RE.match(code)),
            "name": _cell_text(get("name")),
            "field": {"code": "", "name": _cell_text(get("field"))},
            "unit": unit,
            "levels": levels,
            "level_since_2025_07": (r.choice("level_since_2025_07", _cell_text(get("level_since_2025_07")),
                                             LEVELS_IN, "Cấp tỉnh, Cấp huyện, Cấp xã") or "")
            if _cell_text(get("level_since_2025_07")) else "",
            "agencies": sorted(set(_split(get("agencies")))),
            "agency_text": _cell_text(get("agency_text")),
            "online_level": online_level,
            "online_level_confirmed": bool(r.boolean("online_level_confirmed", get("online_level_confirmed"), False)),
            "channels": [c for c in Channel.values if c in channels],
            "submission_note": _cell_text(get("submission_note")),
            "applicants": _cell_text(get("applicants")),
            "note": _cell_text(get("note")),
            "status": r.choice("status", _cell_text(get("status")), STATUS_IN, "Đang áp dụng, Đã bãi bỏ") or "active",
            "confirmed": bool(r.boolean("confirmed", get("confirmed"), False)),
            "source_note": _cell_text(get("source_note")),
            "sources": _lines(get("sources")),
            "required_documents": _parse_documents(r, get("required_documents")),
            "result_documents": [{"name": line, "note": ""} for line in _lines(get("result_documents"))],
            "legal_basis": _parse_legal_basis(get("legal_basis")),
            "terms": [terms],
        }
        records.append(record)
    for code, rules in fee_rows.items():
        loc = rules[0]["_loc"]
        issues.append(ImportIssue(loc, f"mã thủ tục “{code}” không có trong trang “{SHEET_MAIN}”.", code))
    wb.close()
    return records, issues


def _read_fee_sheet(sheet, issues: list[ImportIssue]) -> dict[str, list[dict]]:
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return {}
    cols = _header_map(header, FEE_HEADERS)
    result: dict[str, list[dict]] = {}
    for row_number, row in enumerate(rows, start=2):
        if row is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue

        def get(key, row=row):
            i = cols.get(key)
            return row[i] if i is not None and i < len(row) else None

        code = _cell_text(get("procedure"))
        r = _RowReader(issues, SHEET_FEES, row_number, FEE_HEADERS, code)
        if not code:
            r.error("procedure", "thiếu mã thủ tục.")
            continue
        amount = _int_or_none(get("amount_vnd"))
        if isinstance(amount, str):
            r.error("amount_vnd", f"mức thu “{amount}” không phải số tiền (đồng).")
            amount = None
        max_vnd = _int_or_none(get("max_vnd"))
        if isinstance(max_vnd, str):
            r.error("max_vnd", f"“{max_vnd}” không phải số tiền (đồng).")
            max_vnd = None
        exempt = []
        for part in _split(get("exempt_categories")):
            category = r.choice("exempt_categories", part, EXEMPT_IN,
                                ", ".join(str(c.label) for c in ExemptionCategory))
            if category:
                exempt.append(category)
        tier_mode_text = _cell_text(get("tier_mode"))
        rule = _fee_rule(
            code=_cell_text(get("code")), label=_cell_text(get("label")),
            kind=r.choice("kind", _cell_text(get("kind")) or "fixed", FEE_KIND_IN,
                          "Mức cố định, Theo đơn vị tính, Theo bậc") or "fixed",
            amount_vnd=amount, unit_label=_cell_text(get("unit_label")),
            tier_mode=(r.choice("tier_mode", tier_mode_text, TIER_MODE_IN, "Lũy tiến, Trọn gói theo khoảng") or "")
            if tier_mode_text else "",
            tiers=_parse_tiers(r, get("tiers")), max_vnd=max_vnd, exempt_categories=sorted(set(exempt)),
            conditional=bool(r.boolean("conditional", get("conditional"), False)),
            condition_note=_cell_text(get("condition_note")),
        )
        rule["_loc"] = Location(sheet=SHEET_FEES, row=row_number)
        result.setdefault(code, []).append(rule)
    return result


def parse_json(content: bytes | str | dict) -> tuple[list[dict], list[ImportIssue]]:
    if isinstance(content, dict):
        data = content
    else:
        try:
            data = json.loads(content)
        except (ValueError, UnicodeDecodeError):
            return [], [ImportIssue(Location(), "Tệp không phải JSON hợp lệ.")]
    if isinstance(data, list):
        procedures = data
    elif isinstance(data, dict) and isinstance(data.get("procedures"), list):
        if data.get("schema", SCHEMA) != SCHEMA:
            return [], [ImportIssue(Location(), f"Lược đồ “{data.get('schema')}” không được hỗ trợ (cần {SCHEMA}).")]
        procedures = data["procedures"]
    else:
        return [], [ImportIssue(Location(), "Tệp JSON phải có danh sách “procedures”.")]
    if len(procedures) > MAX_RECORDS:
        return [], [ImportIssue(Location(), f"Tệp có quá {MAX_RECORDS} thủ tục; hãy chia nhỏ.")]
    records = []
    issues = []
    for i, item in enumerate(procedures, start=1):
        if not isinstance(item, dict):
            issues.append(ImportIssue(Location(record=i), "mỗi thủ tục phải là một đối tượng JSON."))
            continue
        records.append({**item, "_loc": Location(record=i)})
    return records, issues


# --- Validation -------------------------------------------------------------------------------

@dataclass
class _Checker:
    record_loc: Location
    code: str
    issues: list[ImportIssue] = field(default_factory=list)

    def error(self, key: str, message: str, loc: Location | None = None) -> None:
        base = loc or self.record_loc
        if base.row is not None:
            headers = FEE_HEADERS if base.sheet == SHEET_FEES else HEADERS
            column = headers.get(key, HEADERS.get(key, ""))
            location = Location(sheet=base.sheet, row=base.row, column=column)
        else:
            location = Location(record=base.record, column=key)
        self.issues.append(ImportIssue(location, message, self.code))


def _text(value, *, max_length: int, checker: _Checker, key: str, required: bool = False, loc=None,
          label: str = "") -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = _cell_text(value)
        else:
            checker.error(key, "phải là chuỗi ký tự.", loc)
            return ""
    value = value.strip()
    if required and not value:
        checker.error(key, f"{label or 'giá trị'} là bắt buộc.", loc)
    if len(value) > max_length:
        checker.error(key, f"dài quá {max_length} ký tự.", loc)
    return value


def _bool(value, *, checker, key, default=False) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    checker.error(key, "phải là true hoặc false.")
    return default


def _int_field(value, *, checker, key, minimum=0, maximum=None, allow_none=True, loc=None) -> int | None:
    if value is None:
        if not allow_none:
            checker.error(key, "là bắt buộc.", loc)
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        checker.error(key, f"“{value}” phải là số nguyên.", loc)
        return None
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"từ {minimum}" + (f" đến {maximum}" if maximum is not None else " trở lên")
        checker.error(key, f"{value} nằm ngoài khoảng cho phép ({bound}).", loc)
        return None
    return value


def validate_fee_rules(rules, *, checker: _Checker, loc: Location | None = None) -> list[dict]:
    clean = []
    codes = set()
    if not isinstance(rules, list):
        checker.error("fee_rules", "phải là danh sách.", loc)
        return []
    for n, raw in enumerate(rules, start=1):
        rloc = raw.get("_loc", loc) if isinstance(raw, dict) else loc
        if not isinstance(raw, dict):
            checker.error("fee_rules", f"khoản thu thứ {n} phải là một đối tượng.", rloc)
            continue
        before = len(checker.issues)
        code = _text(raw.get("code"), max_length=40, checker=checker, key="code", loc=rloc) or f"khoan_{n}"
        if not FEE_CODE_RE.match(code):
            checker.error("code", f"mã khoản thu “{code}” chỉ gồm chữ thường không dấu, số, _ và -.", rloc)
        if code in codes:
            checker.error("code", f"mã khoản thu “{code}” bị trùng.", rloc)
        codes.add(code)
        label = _text(raw.get("label"), max_length=300, checker=checker, key="label", required=True, loc=rloc,
                      label="Tên khoản thu")
        kind = raw.get("kind") or "fixed"
        if kind not in FeeKind.values:
            checker.error("kind", f"cách tính “{kind}” không hợp lệ.", rloc)
            kind = "fixed"
        amount = _int_field(raw.get("amount_vnd"), checker=checker, key="amount_vnd", loc=rloc)
        max_vnd = _int_field(raw.get("max_vnd"), checker=checker, key="max_vnd", loc=rloc)
        tier_mode = raw.get("tier_mode") or ""
        tiers_raw = raw.get("tiers") or []
        tiers = []
        if kind == "tiered":
            if tier_mode not in TierMode.values:
                checker.error("tier_mode", "khoản thu theo bậc cần kiểu bậc (lũy tiến hoặc trọn gói theo khoảng).",
                              rloc)
            if not tiers_raw:
                checker.error("tiers", "khoản thu theo bậc cần ít nhất một bậc.", rloc)
            expected = 1
            for i, t in enumerate(tiers_raw, start=1):
                if not isinstance(t, dict):
                    checker.error("tiers", f"bậc thứ {i} không hợp lệ.", rloc)
                    break
                start = _int_field(t.get("from"), checker=checker, key="tiers", minimum=1, allow_none=False, loc=rloc)
                end = _int_field(t.get("to"), checker=checker, key="tiers", minimum=1, loc=rloc)
                amt = _int_field(t.get("amount_vnd"), checker=checker, key="tiers", allow_none=False, loc=rloc)
                if start is None or amt is None:
                    break
                if start != expected:
                    checker.error("tiers", f"bậc thứ {i} phải bắt đầu từ {expected} (các bậc liền nhau, từ 1).", rloc)
                    break
                if end is not None and end < start:
                    checker.error("tiers", f"bậc thứ {i}: “đến” nhỏ hơn “từ”.", rloc)
                    break
                if end is None and i != len(tiers_raw):
                    checker.error("tiers", "chỉ bậc cuối cùng được để trống “đến”.", rloc)
                    break
                tiers.append({"from": start, "to": end, "amount_vnd": amt})
                expected = (end or 0) + 1
        elif tiers_raw:
            checker.error("tiers", "chỉ khoản thu theo bậc mới có các bậc.", rloc)
        if kind != "tiered":
            tier_mode = ""
        if kind == "tiered" and amount is not None:
            amount = None  # the bands carry the amounts
        exempt = raw.get("exempt_categories") or []
        if not isinstance(exempt, list) or any(c not in ExemptionCategory.values for c in exempt):
            checker.error("exempt_categories", "đối tượng miễn không hợp lệ.", rloc)
            exempt = []
        rule = {
            "code": code, "label": label, "kind": kind, "amount_vnd": amount,
            "unit_label": _text(raw.get("unit_label"), max_length=40, checker=checker, key="unit_label", loc=rloc),
            "tier_mode": tier_mode, "tiers": tiers, "max_vnd": max_vnd, "exempt_categories": sorted(set(exempt)),
            "conditional": _bool(raw.get("conditional"), checker=checker, key="conditional"),
            "condition_note": _text(raw.get("condition_note"), max_length=300, checker=checker,
                                    key="condition_note", loc=rloc),
        }
        if len(checker.issues) == before:
            clean.append(rule)
    return clean


def validate_terms(raw: dict, *, checker: _Checker, default_date: dt.date) -> dict | None:
    loc = raw.get("_loc") if isinstance(raw, dict) else None
    if not isinstance(raw, dict):
        checker.error("terms", "phải là một đối tượng.")
        return None
    effective = raw.get("effective_from")
    if effective in (None, ""):
        effective_date = default_date
    else:
        try:
            effective_date = effective if isinstance(effective, dt.date) else dt.date.fromisoformat(str(effective))
        except ValueError:
            checker.error("effective_from", f"ngày hiệu lực “{effective}” không hợp lệ.", loc)
            return None
    day_kind = raw.get("day_kind") or "working"
    if day_kind not in DayKind.values:
        checker.error("day_kind", f"loại ngày “{day_kind}” không hợp lệ.", loc)
    return {
        "effective_from": effective_date.isoformat(),
        "processing_days": _int_field(raw.get("processing_days"), checker=checker, key="processing_days",
                                      maximum=3650, loc=loc),
        "day_kind": day_kind,
        "processing_note": _text(raw.get("processing_note"), max_length=5000, checker=checker,
                                 key="processing_note", loc=loc),
        "fee_note": _text(raw.get("fee_note"), max_length=5000, checker=checker, key="fee_note", loc=loc),
        "basis": _text(raw.get("basis"), max_length=500, checker=checker, key="basis", loc=loc),
        "fee_rules": validate_fee_rules(raw.get("fee_rules") or [], checker=checker, loc=loc),
    }


def _choice_list(values, allowed: Iterable[str], *, checker, key, label) -> list[str]:
    if not isinstance(values, list):
        checker.error(key, "phải là danh sách.")
        return []
    allowed = list(allowed)
    bad = [v for v in values if v not in allowed]
    if bad:
        checker.error(key, f"giá trị “{bad[0]}” không hợp lệ ({label}).")
    return [v for v in allowed if v in values]


def validate_record(raw: dict, *, default_date: dt.date, known_agencies: set[str], known_units: dict[str, str],
                    fields_by_name: dict[str, str]) -> tuple[dict | None, list[ImportIssue]]:
    """Check one record and return its canonical form (the shape of ``export_record``)."""
    loc = raw.get("_loc") or Location()
    code = str(raw.get("code") or "").strip()
    ck = _Checker(loc, code)
    if not code:
        ck.error("code", "mã thủ tục là bắt buộc.")
    elif not CODE_RE.match(code):
        ck.error("code", f"mã thủ tục “{code}” chỉ gồm chữ, số, dấu chấm và gạch ngang (tối đa 40 ký tự).")
    name = _text(raw.get("name"), max_length=1000, checker=ck, key="name", required=True, label="Tên thủ tục")

    field_raw = raw.get("field")
    if isinstance(field_raw, str):
        field_raw = {"code": "", "name": field_raw}
    if not isinstance(field_raw, dict):
        field_raw = {}
    field_name = _text(field_raw.get("name"), max_length=200, checker=ck, key="field", required=True,
                       label="Lĩnh vực")
    field_code = str(field_raw.get("code") or "").strip() or fields_by_name.get(fold(field_name)) or \
        slugify(fold(field_name))[:60]

    unit = str(raw.get("unit") or "").strip()
    if not unit:
        ck.error("unit", "thiếu đơn vị quản lý danh mục (mã đơn vị hành chính cấp tỉnh hoặc huyện).")
    elif unit not in known_units:
        ck.error("unit", f"không có đơn vị hành chính mã “{unit}”.")
    elif known_units[unit] not in ("province", "district"):
        ck.error("unit", "danh mục thủ tục do cấp tỉnh hoặc cấp huyện quản lý, không phải cấp xã.")

    levels = _choice_list(raw.get("levels") or [], Level.values, checker=ck, key="levels",
                          label="province, district, commune")
    if not levels:
        ck.error("levels", "cần ít nhất một cấp thực hiện.")
    level_2025 = raw.get("level_since_2025_07") or ""
    if level_2025 and level_2025 not in Level.values:
        ck.error("level_since_2025_07", f"cấp “{level_2025}” không hợp lệ.")
        level_2025 = ""
    agencies = raw.get("agencies") or []
    if not isinstance(agencies, list):
        ck.error("agencies", "phải là danh sách mã cơ quan.")
        agencies = []
    unknown = [a for a in agencies if a not in known_agencies]
    if unknown:
        ck.error("agencies", "không có cơ quan mã " + ", ".join(f"“{a}”" for a in unknown[:5]) + ".")
    online_level = raw.get("online_level") or "none"
    if online_level not in OnlineLevel.values:
        ck.error("online_level", f"mức độ “{online_level}” không hợp lệ (full, partial, none).")
        online_level = "none"
    channels = _choice_list(raw.get("channels") if raw.get("channels") is not None else ["desk"], Channel.values,
                            checker=ck, key="channels", label="online, desk, post")
    if online_level != "none" and "online" not in channels:
        ck.error("channels", "thủ tục có mức độ dịch vụ công trực tuyến phải có cách thức “Trực tuyến”.")
    if online_level == "none" and "online" in channels:
        ck.error("channels", "thủ tục không cung cấp trực tuyến thì không có cách thức “Trực tuyến”.")
    if not channels:
        ck.error("channels", "cần ít nhất một cách thức thực hiện.")
    status = raw.get("status") or "active"
    if status not in ProcedureStatus.values:
        ck.error("status", f"trạng thái “{status}” không hợp lệ.")
    sources = raw.get("sources") or []
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        ck.error("sources", "phải là danh sách chuỗi.")
        sources = []

    documents = []
    for n, d in enumerate(raw.get("required_documents") or [], start=1):
        if not isinstance(d, dict):
            ck.error("required_documents", f"giấy tờ thứ {n} không hợp lệ.")
            continue
        form = d.get("form") or "original"
        if form not in DocumentForm.values:
            ck.error("required_documents", f"giấy tờ thứ {n}: hình thức “{form}” không hợp lệ.")
        requirement = d.get("requirement") or "required"
        if requirement not in Requirement.values:
            ck.error("required_documents", f"giấy tờ thứ {n}: “{requirement}” không hợp lệ (required, conditional).")
        count = _int_field(d.get("count", 1), checker=ck, key="required_documents", minimum=1, maximum=99)
        doc = {
            "name": _text(d.get("name"), max_length=1000, checker=ck, key="required_documents", required=True,
                          label=f"Tên giấy tờ thứ {n}"),
            "form": form, "count": count or 1, "requirement": requirement,
            "condition_note": _text(d.get("condition_note"), max_length=500, checker=ck, key="required_documents"),
            "template_name": _text(d.get("template_name"), max_length=200, checker=ck, key="required_documents"),
        }
        if d.get("template_sha256"):
            doc["template_sha256"] = str(d["template_sha256"])
        if isinstance(d.get("id"), int):  # a staff form editing an existing row (keeps its template)
            doc["id"] = d["id"]
        documents.append(doc)
    results = [{"name": _text(r.get("name") if isinstance(r, dict) else r, max_length=1000, checker=ck,
                              key="result_documents", required=True, label="Kết quả"),
                "note": _text(r.get("note") if isinstance(r, dict) else "", max_length=500, checker=ck,
                              key="result_documents")}
               for r in raw.get("result_documents") or []]
    basis = []
    for b in raw.get("legal_basis") or []:
        title = _text(b.get("title") if isinstance(b, dict) else b, max_length=500, checker=ck, key="legal_basis",
                      required=True, label="Tên văn bản")
        url = _text(b.get("url") if isinstance(b, dict) else "", max_length=500, checker=ck, key="legal_basis")
        if url and not re.match(r"^https?://", url):
            ck.error("legal_basis", f"đường dẫn “{url}” phải bắt đầu bằng http:// hoặc https://.")
        basis.append({"title": title, "url": url})

    terms_raw = raw.get("terms") or []
    if not isinstance(terms_raw, list) or not terms_raw:
        ck.error("terms", "cần ít nhất một phiên bản thời hạn, phí, lệ phí.")
        terms_raw = []
    terms = [t for t in (validate_terms(t, checker=ck, default_date=default_date) for t in terms_raw) if t]
    dates = [t["effective_from"] for t in terms]
    if len(dates) != len(set(dates)):
        ck.error("terms", "hai phiên bản thời hạn, phí có cùng ngày hiệu lực.")

    record = {
        "code": code,
        "code_is_national": _bool(raw.get("code_is_national"), checker=ck, key="code_is_national",
                                  default=bool(NATIONAL_CODE_RE.match(code))),
        "name": name,
        "field": {"code": field_code, "name": field_name},
        "unit": unit,
        "levels": levels,
        "level_since_2025_07": level_2025,
        "agencies": sorted(set(agencies)),
        "agency_text": _text(raw.get("agency_text"), max_length=500, checker=ck, key="agency_text"),
        "online_level": online_level,
        "online_level_confirmed": _bool(raw.get("online_level_confirmed"), checker=ck, key="online_level_confirmed"),
        "channels": channels,
        "submission_note": _text(raw.get("submission_note"), max_length=5000, checker=ck, key="submission_note"),
        "applicants": _text(raw.get("applicants"), max_length=300, checker=ck, key="applicants"),
        "note": _text(raw.get("note"), max_length=5000, checker=ck, key="note"),
        "status": status,
        "confirmed": _bool(raw.get("confirmed"), checker=ck, key="confirmed"),
        "source_note": _text(raw.get("source_note"), max_length=10000, checker=ck, key="source_note"),
        "sources": [s.strip() for s in sources if s.strip()],
        "required_documents": documents,
        "result_documents": results,
        "legal_basis": basis,
        "terms": sorted(terms, key=lambda t: t["effective_from"]),
    }
    return (None if ck.issues else record), ck.issues
