"""Import and export: JSON and XLSX round-trips, row-level errors, all-or-nothing, idempotence."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook, load_workbook

from chinhquyenso.catalog import exchange
from chinhquyenso.catalog.models import Procedure, RequiredDocument
from chinhquyenso.catalog.services import catalog_import
from chinhquyenso.core.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


def _procedures(data: dict) -> list[dict]:
    return data["procedures"]


def _wipe():
    Procedure.objects.all().delete()


def _import_json(payload, **kwargs):
    records, issues = exchange.parse_json(payload)
    return catalog_import(records=records, actor=None, parse_issues=issues, **kwargs)


def _import_xlsx(content: bytes, **kwargs):
    records, issues = exchange.parse_xlsx(content, default_unit=kwargs.pop("default_unit_code", None))
    return catalog_import(records=records, actor=None, parse_issues=issues, **kwargs)


def test_json_round_trips_the_whole_catalogue(catalog, make_procedure):
    make_procedure(terms=[{"effective_from": "2024-01-01", "processing_days": 5},
                          {"effective_from": "2099-01-01", "processing_days": 2, "fee_rules": [
                              {"code": "chung_thuc", "label": "Phí", "kind": "tiered", "tier_mode": "graduated",
                               "unit_label": "trang", "tiers": [{"from": 1, "to": 2, "amount_vnd": 2000},
                                                                {"from": 3, "to": None, "amount_vnd": 1000}],
                               "max_vnd": 200000, "exempt_categories": ["poor_household"]}]}],
                   status="retired", note="Lưu ý", applicants="Công dân Việt Nam",
                   required_documents=[{"name": "Giấy tờ A", "form": "present", "count": 2,
                                        "requirement": "conditional", "condition_note": "khi ủy quyền",
                                        "template_name": "Mẫu 01"}],
                   legal_basis=[{"title": "Luật Hộ tịch", "url": "https://vbpl.vn/luat-ho-tich"}])
    first = _procedures(exchange.export_json())
    _wipe()
    report = _import_json(exchange.export_json_bytes() if False else json.dumps({"procedures": first}))
    assert report.ok and len(report.created) == 38
    assert _procedures(exchange.export_json()) == first


def test_importing_the_same_file_again_changes_nothing(catalog):
    payload = exchange.export_json_bytes()
    audits = AuditEvent.objects.count()
    report = _import_json(payload)
    assert report.ok and report.created == [] and report.updated == [] and len(report.unchanged) == 37
    assert AuditEvent.objects.count() == audits + 1  # only the import itself


def test_xlsx_round_trips_the_demo_catalogue(catalog):
    before = _procedures(exchange.export_json())
    content = exchange.export_xlsx_bytes()
    _wipe()
    report = _import_xlsx(content)
    assert report.ok, [str(i) for i in report.issues]
    assert len(report.created) == 37
    assert _procedures(exchange.export_json()) == before
    again = _import_xlsx(exchange.export_xlsx_bytes())
    assert again.ok and len(again.unchanged) == 37


def test_xlsx_export_looks_like_the_national_sheet(catalog):
    wb = load_workbook(io.BytesIO(exchange.export_xlsx_bytes()))
    headers = [c.value for c in wb["Thủ tục"][1]]
    for column in ("Mã thủ tục", "Tên thủ tục", "Lĩnh vực", "Cấp thực hiện", "Cơ quan thực hiện",
                   "Thời hạn giải quyết", "Phí, lệ phí", "Thành phần hồ sơ", "Căn cứ pháp lý", "Mức độ DVC"):
        assert column in headers
    rows = {r[0]: dict(zip(headers, r, strict=False)) for r in wb["Thủ tục"].iter_rows(min_row=2, values_only=True)}
    birth = rows["1.001193"]
    assert birth["Cấp thực hiện"] == "Cấp xã"
    assert birth["Thời hạn giải quyết"] == 0 and birth["Loại ngày"] == "ngày làm việc"
    assert "Giấy chứng sinh" in birth["Thành phần hồ sơ"] and "(Bản chính: 1)" in birth["Thành phần hồ sơ"]
    assert "Bản sao Giấy khai sinh: 8.000 đ/bản" in birth["Phí, lệ phí"]
    fee_rows = list(wb["Phí, lệ phí"].iter_rows(min_row=2, values_only=True))
    assert any(r[0] == "2.000815" and r[7] == "1-2: 2000; 3-: 1000" for r in fee_rows)


def _sheet(rows: list[list], fees: list[list] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Thủ tục"
    for row in rows:
        ws.append(row)
    if fees is not None:
        fs = wb.create_sheet("Phí, lệ phí")
        for row in fees:
            fs.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


NATIONAL_HEADER = ["Mã thủ tục", "Tên thủ tục", "Lĩnh vực", "Cấp thực hiện", "Cơ quan thực hiện", "Mức độ DVC",
                   "Thời hạn giải quyết", "Phí, lệ phí", "Thành phần hồ sơ", "Căn cứ pháp lý"]


def test_a_national_style_sheet_imports_with_lenient_cells(locality):
    content = _sheet([
        NATIONAL_HEADER,
        ["1.000001", "Thủ tục đăng ký giám hộ", "Hộ tịch", "Cấp xã", "UBND cấp xã", "Mức độ 4",
         "03 ngày làm việc", "Miễn phí",
         "- Tờ khai đăng ký giám hộ (Bản chính: 1)\n- [Khi thuộc trường hợp: cử giám hộ] Văn bản cử người giám hộ "
         "(Bản chính: 1)", "Luật Hộ tịch 2014\nNghị định 123/2015/NĐ-CP — https://vbpl.vn/123"],
        ["1.000002", "Thủ tục chứng thực chữ ký người dịch", "Chứng thực", "Cấp huyện; Cấp xã", "Phòng Tư pháp",
         "Một phần", "Trong ngày", "10.000 đ", "", ""],
        ["1.000003", "Thủ tục cấp giấy phép X", "Văn hóa", "Cấp huyện", "", "", "Theo từng trường hợp",
         "Theo Nghị quyết của HĐND tỉnh", "", ""],
    ])
    report = _import_xlsx(content, default_unit=factories.unit(factories.DISTRICT))
    assert report.ok, [str(i) for i in report.issues]
    guardian = Procedure.objects.get(code="1.000001")
    assert guardian.online_level == "full" and guardian.channels == ["online", "desk"]
    terms = guardian.terms.get()
    assert terms.processing_days == 3 and terms.day_kind == "working" and terms.fee_rules.count() == 0
    docs = list(guardian.required_documents.all())
    assert [d.requirement for d in docs] == ["required", "conditional"] and docs[1].condition_note == "cử giám hộ"
    assert guardian.legal_basis.last().url == "https://vbpl.vn/123"
    signature = Procedure.objects.get(code="1.000002")
    assert signature.levels == ["district", "commune"]
    assert signature.terms.get().processing_days == 0
    assert signature.terms.get().fee_rules.get().amount_vnd == 10000
    licence = Procedure.objects.get(code="1.000003").terms.get()
    assert licence.processing_days is None and licence.processing_note == "Theo từng trường hợp"
    assert licence.fee_rules.get().amount_vnd is None  # "not entered yet", not a guess


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_saved(locality):
    content = _sheet([
        NATIONAL_HEADER,
        ["1.000001", "Thủ tục hợp lệ", "Hộ tịch", "Cấp xã", "", "", "3", "0", "", ""],
        ["1.000002", "", "Hộ tịch", "Cấp xã", "", "", "3", "0", "", ""],
        ["1.000003", "Thủ tục sai cấp", "Hộ tịch", "Cấp thôn", "", "", "3", "0", "", ""],
        ["1.000004", "Thủ tục sai mức độ", "Hộ tịch", "Cấp xã", "", "Mức độ 9", "3", "0", "", ""],
        ["1.000001", "Trùng mã", "Hộ tịch", "Cấp xã", "", "", "3", "0", "", ""],
        ["1.000006", "Giấy tờ sai hình thức", "Hộ tịch", "Cấp xã", "", "", "3", "0",
         "- [Bắt buộc chăng] Tờ khai (Bản chính: 1)", ""],
    ])
    report = _import_xlsx(content, default_unit=factories.unit(factories.DISTRICT))
    assert not report.ok and not Procedure.objects.exists()
    where = {(i.row, i.column) for i in report.issues}
    assert (3, "Tên thủ tục") in where
    assert (4, "Cấp thực hiện") in where
    assert (5, "Mức độ DVC") in where
    assert (6, "Mã thủ tục") in where
    assert (7, "Thành phần hồ sơ") in where
    assert 2 not in {i.row for i in report.issues}
    texts = [str(i) for i in report.issues]
    assert any(t.startswith("Dòng 4, cột “Cấp thực hiện”: giá trị “Cấp thôn” không hợp lệ") for t in texts)
    assert any("trùng với dòng 2" in t for t in texts)
    assert report.summary().startswith("Không nhập")


def test_fee_sheet_errors_name_their_sheet(locality):
    content = _sheet(
        [NATIONAL_HEADER, ["1.000001", "Thủ tục A", "Hộ tịch", "Cấp xã", "", "", "3", "", "", ""]],
        fees=[["Mã thủ tục", "Mã khoản thu", "Tên khoản thu", "Cách tính", "Mức thu (đồng)", "Các bậc"],
              ["1.000001", "le_phi", "Lệ phí", "Theo bậc", "", "1-2: 2000; 5-: 1000"],
              ["1.000001", "ban_sao", "Bản sao", "Theo đơn vị tính", "tám nghìn", ""],
              ["1.999999", "x", "Không có thủ tục", "Mức cố định", "1000", ""]])
    report = _import_xlsx(content, default_unit=factories.unit(factories.DISTRICT))
    assert not report.ok
    texts = [str(i) for i in report.issues]
    assert any(t.startswith("Trang “Phí, lệ phí”, dòng 3, cột “Mức thu (đồng)”") for t in texts)
    assert any(t.startswith("Trang “Phí, lệ phí”, dòng 4") and "1.999999" in t for t in texts)
    assert any("Phí, lệ phí" in t and "dòng 2" in t and "bậc" in t for t in texts)


def test_a_sheet_without_required_columns_is_refused_at_once(locality):
    report = _import_xlsx(_sheet([["Mã thủ tục", "Tên"], ["1.000001", "x"]]))
    assert not report.ok and "Thiếu cột bắt buộc" in report.issues[0].message


def test_a_file_that_is_not_a_workbook_is_refused(locality):
    report = _import_xlsx(b"not a workbook")
    assert not report.ok and "Không đọc được tệp Excel" in str(report.issues[0])


def test_json_errors_name_the_record_and_key(locality):
    report = _import_json(json.dumps({"procedures": [
        {"code": "1.000001", "name": "A", "field": "Hộ tịch", "unit": "477", "levels": ["commune"],
         "terms": [{"processing_days": -1}]},
        {"code": "1.000002", "name": "B", "field": "Hộ tịch", "unit": "477", "levels": ["commune"],
         "channels": ["desk"], "online_level": "full", "terms": [{"processing_days": 1}]},
    ]}))
    assert not report.ok and not Procedure.objects.exists()
    texts = [str(i) for i in report.issues]
    assert any(t.startswith("Thủ tục thứ 1, mục “processing_days”") for t in texts)
    assert any(t.startswith("Thủ tục thứ 2, mục “channels”") for t in texts)


def test_an_in_force_version_cannot_be_rewritten_by_import(catalog):
    data = exchange.export_json()
    data["procedures"][0]["terms"][0]["processing_days"] = 99
    report = _import_json(json.dumps(data))
    assert not report.ok and "đã áp dụng, không sửa được" in report.issues[0].message


def test_a_changed_row_updates_and_keeps_the_attached_template(catalog):
    from chinhquyenso.core.files import stored_file_create

    birth = Procedure.objects.get(code="1.001193")
    doc = birth.required_documents.first()
    doc.template = stored_file_create(content=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                                      name="to-khai.pdf", purpose="office")
    doc.save()
    wb = load_workbook(io.BytesIO(exchange.export_xlsx_bytes()))
    ws = wb["Thủ tục"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "1.001193":
            row[1].value = "Thủ tục đăng ký khai sinh (sửa tên)"
    buffer = io.BytesIO()
    wb.save(buffer)
    report = _import_xlsx(buffer.getvalue())
    assert report.ok and report.updated == ["1.001193"] and len(report.unchanged) == 36
    birth.refresh_from_db()
    assert birth.name.endswith("(sửa tên)")
    assert RequiredDocument.objects.get(pk=doc.pk).template_id == doc.template_id


def test_dry_run_reports_without_saving(locality):
    report = _import_json(json.dumps({"procedures": [
        {"code": "1.000001", "name": "A", "field": "Hộ tịch", "unit": "477", "levels": ["commune"],
         "terms": [{"processing_days": 1}]}]}), dry_run=True)
    assert report.ok and report.created == ["1.000001"] and not report.applied
    assert report.summary().startswith("Sẽ tạo 1")
    assert not Procedure.objects.exists()


def test_an_importer_needs_the_right_to_manage_each_row(locality, commune_admin):
    records, issues = exchange.parse_json(json.dumps({"procedures": [
        {"code": "1.000001", "name": "A", "field": "Hộ tịch", "unit": "477", "levels": ["commune"],
         "terms": [{"processing_days": 1}]}]}))
    report = catalog_import(records=records, actor=commune_admin, parse_issues=issues)
    assert not report.ok and "không có quyền" in report.issues[0].message
    assert not Procedure.objects.exists()
