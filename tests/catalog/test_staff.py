"""Administrators' pages: who gets in, and that each page writes through the services."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from chinhquyenso.accounts.roles import Role
from chinhquyenso.catalog import exchange
from chinhquyenso.catalog.models import Procedure, ProcedureStatus
from chinhquyenso.core.models import AuditEvent
from tests import factories
from tests.catalog.test_services import xlsx_bytes

pytestmark = pytest.mark.django_db

BIRTH = "1.001193"


def staff_urls():
    return [
        reverse("catalog:staff_list"), reverse("catalog:staff_create"), reverse("catalog:staff_import"),
        reverse("catalog:staff_report_missing_eforms"), reverse("catalog:staff_export", args=["xlsx"]),
        reverse("catalog:staff_edit", args=[BIRTH]), reverse("catalog:staff_documents", args=[BIRTH]),
        reverse("catalog:staff_terms", args=[BIRTH]),
    ]


def test_district_administrator_opens_every_staff_page(shared_catalog, client, district_admin):
    client.force_login(district_admin)
    for url in staff_urls():
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role,unit", [
    (Role.ADMINISTRATOR, factories.QUANG_THO), (Role.SPECIALIST, factories.DISTRICT),
    (Role.RECEPTION_OFFICER, factories.QUANG_THO),
])
def test_other_staff_are_refused(shared_catalog, client, role, unit):
    client.force_login(factories.make_staff(role, unit))
    for url in staff_urls():
        assert client.get(url).status_code == 403, url
    response = client.post(reverse("catalog:staff_retire", args=[BIRTH]), {"reason": "thử"})
    assert response.status_code == 403
    assert Procedure.objects.get(code=BIRTH).status == ProcedureStatus.ACTIVE


def test_citizens_are_refused_and_anonymous_users_sent_to_login(shared_catalog, client, citizen):
    response = client.get(reverse("catalog:staff_list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    client.force_login(citizen)
    for url in staff_urls():
        assert client.get(url).status_code == 403, url


def _form_data(record: dict, **changes) -> dict:
    data = {
        "code": record["code"], "name": record["name"], "field": record["field"]["code"], "new_field": "",
        "unit": record["unit"], "levels": record["levels"], "level_since_2025_07": record["level_since_2025_07"],
        "agencies": record["agencies"], "agency_text": record["agency_text"], "online_level": record["online_level"],
        "channels": record["channels"], "submission_note": record["submission_note"],
        "applicants": record["applicants"], "note": record["note"], "source_note": record["source_note"],
        "sources": "\n".join(record["sources"]),
    }
    if record["code_is_national"]:
        data["code_is_national"] = "on"
    if record["confirmed"]:
        data["confirmed"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _record(code: str) -> dict:
    return exchange.export_record(exchange.export_queryset(Procedure.objects.filter(code=code)).get())


def test_edit_page_saves_through_the_service_and_audits(shared_catalog, client, district_admin):
    client.force_login(district_admin)
    data = _form_data(_record(BIRTH), note="Mang theo CCCD khi nhận kết quả.", online_level="full")
    response = client.post(reverse("catalog:staff_edit", args=[BIRTH]), data)
    assert response.status_code == 302
    p = Procedure.objects.get(code=BIRTH)
    assert p.note == "Mang theo CCCD khi nhận kết quả." and p.online_level == "full"
    audit = AuditEvent.objects.filter(action="catalog.procedure_update", object_id=str(p.pk)).latest("seq")
    assert audit.actor_id == district_admin.pk and set(audit.after["changed"]) == {"note", "online_level"}


def test_edit_page_shows_a_service_error_by_its_field(shared_catalog, client, district_admin):
    client.force_login(district_admin)
    data = _form_data(_record(BIRTH), online_level="full", channels=["desk"])
    response = client.post(reverse("catalog:staff_edit", args=[BIRTH]), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-field-error="channels"' in body and "Trực tuyến" in body
    assert 'data-testid="error-summary"' in body


def test_create_page_adds_a_procedure_with_its_first_terms(shared_catalog, client, district_admin):
    client.force_login(district_admin)
    data = {
        "code": "1.012345", "code_is_national": "on", "name": "Thủ tục đăng ký thử nghiệm", "field": "ho-tich",
        "unit": factories.DISTRICT, "levels": ["commune"], "online_level": "none", "channels": ["desk", "post"],
        "agencies": ["000.29.14.H57"],
        "terms-effective_from": "01/07/2025", "terms-processing_days": "5", "terms-day_kind": "working",
    }
    response = client.post(reverse("catalog:staff_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    p = Procedure.objects.get(code="1.012345")
    assert p.terms.get().processing_days == 5 and p.channels == ["desk", "post"]
    assert list(p.agencies.values_list("identifier_code", flat=True)) == ["000.29.14.H57"]


def test_a_commune_cannot_be_chosen_as_catalogue_owner(shared_catalog, client, district_admin):
    client.force_login(district_admin)
    body = client.get(reverse("catalog:staff_create")).content.decode()
    assert 'value="477"' in body and 'value="19894"' not in body


def test_documents_page_edits_removes_and_adds_documents(shared_catalog, client, district_admin):
    client.force_login(district_admin)
    p = Procedure.objects.get(code="2.000884")
    docs = list(p.required_documents.all())
    data = {"doc-TOTAL_FORMS": str(len(docs) + 1), "doc-INITIAL_FORMS": str(len(docs)), "doc-MIN_NUM_FORMS": "0",
            "doc-MAX_NUM_FORMS": "60", "result_documents": "Giấy tờ được chứng thực chữ ký",
            "legal_basis": "Nghị định 23/2015/NĐ-CP — https://vbpl.vn/nd23"}
    for i, d in enumerate(docs):
        data.update({f"doc-{i}-id": d.pk, f"doc-{i}-name": d.name, f"doc-{i}-form": d.form,
                     f"doc-{i}-count": d.count, f"doc-{i}-requirement": d.requirement})
    data["doc-0-DELETE"] = "on"
    n = len(docs)
    data.update({f"doc-{n}-name": "Giấy tờ mới", f"doc-{n}-form": "copy", f"doc-{n}-count": "2",
                 f"doc-{n}-requirement": "conditional", f"doc-{n}-condition_note": "khi ủy quyền"})
    response = client.post(reverse("catalog:staff_documents", args=[p.code]), data)
    assert response.status_code == 302
    names = list(p.required_documents.values_list("name", flat=True))
    assert docs[0].name not in names and names[-1] == "Giấy tờ mới"
    assert p.legal_basis.get().url == "https://vbpl.vn/nd23"


def test_template_upload_from_the_documents_page(shared_catalog, client, district_admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(district_admin)
    doc = Procedure.objects.get(code=BIRTH).required_documents.first()
    upload = SimpleUploadedFile("To khai.xlsx", xlsx_bytes())
    response = client.post(reverse("catalog:staff_template_upload", args=[BIRTH, doc.pk]), {"file": upload})
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.template is not None and doc.template.uploaded_by == district_admin
    client.post(reverse("catalog:staff_template_upload", args=[BIRTH, doc.pk]), {"remove": "1"})
    doc.refresh_from_db()
    assert doc.template is None


def test_terms_page_adds_a_version_with_fee_rules(shared_catalog, client, district_admin):
    client.force_login(district_admin)
    data = {"effective_from": "01/01/2099", "processing_days": "1", "day_kind": "working",
            "fee-TOTAL_FORMS": "2", "fee-INITIAL_FORMS": "0", "fee-MIN_NUM_FORMS": "0", "fee-MAX_NUM_FORMS": "30",
            "fee-0-code": "chung_thuc", "fee-0-label": "Phí chứng thực", "fee-0-kind": "tiered",
            "fee-0-tier_mode": "graduated", "fee-0-tiers": "1-2: 3000; 3-: 1500", "fee-0-unit_label": "trang",
            "fee-0-max_vnd": "250000", "fee-0-exempt_categories": ["poor_household"]}
    response = client.post(reverse("catalog:staff_terms", args=["2.000815"]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    future = Procedure.objects.get(code="2.000815").terms.get(effective_from__year=2099)
    rule = future.fee_rules.get()
    assert rule.tiers == [{"from": 1, "to": 2, "amount_vnd": 3000}, {"from": 3, "to": None, "amount_vnd": 1500}]
    assert rule.exempt_categories == ["poor_household"] and rule.max_vnd == 250000


def test_terms_page_refuses_to_rewrite_the_version_in_force(shared_catalog, client, district_admin):
    client.force_login(district_admin)
    data = {"effective_from": "01/07/2025", "processing_days": "9", "day_kind": "working",
            "fee-TOTAL_FORMS": "0", "fee-INITIAL_FORMS": "0", "fee-MIN_NUM_FORMS": "0", "fee-MAX_NUM_FORMS": "30"}
    response = client.post(reverse("catalog:staff_terms", args=["2.000815"]), data)
    assert response.status_code == 200
    assert "không sửa được" in response.content.decode()


def test_retire_and_reactivate_from_the_edit_page(shared_catalog, client, district_admin):
    client.force_login(district_admin)
    client.post(reverse("catalog:staff_retire", args=[BIRTH]), {"reason": "QĐ 5/QĐ-UBND bãi bỏ"})
    assert Procedure.objects.get(code=BIRTH).status == ProcedureStatus.RETIRED
    client.post(reverse("catalog:staff_reactivate", args=[BIRTH]))
    assert Procedure.objects.get(code=BIRTH).status == ProcedureStatus.ACTIVE


def test_report_lists_online_procedures_without_an_eform(shared_catalog, client, district_admin, published_forms):
    client.force_login(district_admin)
    body = client.get(reverse("catalog:staff_report_missing_eforms")).content.decode()
    assert "0/19 thủ tục trực tuyến" in body and BIRTH in body
    published_forms.add(Procedure.objects.get(code=BIRTH).pk)
    body = client.get(reverse("catalog:staff_report_missing_eforms")).content.decode()
    assert "1/19 thủ tục trực tuyến" in body
    assert f">{BIRTH}<" not in body
    assert "Thiết kế biểu mẫu" in body  # the builder link, once the e-form engine provides it


def test_edit_page_links_the_eform_builder_when_it_exists(shared_catalog, client, district_admin, published_forms):
    client.force_login(district_admin)
    p = Procedure.objects.get(code=BIRTH)
    body = client.get(reverse("catalog:staff_edit", args=[BIRTH])).content.decode()
    assert f'href="/bieu-mau/quan-tri/{p.pk}/" data-testid="builder-link"' in body


def test_export_then_import_through_the_pages(shared_catalog, client, district_admin):
    client.force_login(district_admin)
    exported = client.get(reverse("catalog:staff_export", args=["xlsx"]))
    assert exported["Content-Disposition"].startswith('attachment; filename="danh-muc-thu-tuc-')
    wb = load_workbook(io.BytesIO(exported.content))
    for row in wb["Thủ tục"].iter_rows(min_row=2):
        if row[0].value == BIRTH:
            row[1].value = "Thủ tục đăng ký khai sinh (đã sửa)"
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.name = "danh-muc.xlsx"
    buffer.seek(0)
    check = client.post(reverse("catalog:staff_import"), {"file": buffer, "unit": factories.DISTRICT},
                        HTTP_HX_REQUEST="true")
    body = check.content.decode()
    assert "Sẽ tạo 0, cập nhật 1, giữ nguyên 36" in body
    assert Procedure.objects.get(code=BIRTH).name == "Thủ tục đăng ký khai sinh"  # nothing saved yet
    file_id = re.search(r'name="file_id" value="([^"]+)"', body).group(1)
    applied = client.post(reverse("catalog:staff_import"), {"action": "apply", "file_id": file_id,
                                                            "unit": factories.DISTRICT})
    assert applied.status_code == 302
    assert Procedure.objects.get(code=BIRTH).name == "Thủ tục đăng ký khai sinh (đã sửa)"


def test_import_page_lists_bad_rows(shared_catalog, client, district_admin):
    client.force_login(district_admin)
    wb = load_workbook(io.BytesIO(exchange.export_xlsx_bytes()))
    wb["Thủ tục"]["D3"] = "Cấp thôn"
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.name = "loi.xlsx"
    buffer.seek(0)
    body = client.post(reverse("catalog:staff_import"), {"file": buffer, "unit": factories.DISTRICT}).content.decode()
    assert 'data-testid="import-issues"' in body and "Cấp thôn" in body and "<td>3</td>" in body
    assert 'data-testid="import-apply"' not in body


def test_export_json_from_the_page_round_trips(shared_catalog, client, district_admin):
    client.force_login(district_admin)
    data = client.get(reverse("catalog:staff_export", args=["json"])).json()
    assert data["schema"] == "chinhquyenso.catalog/1" and len(data["procedures"]) == 37
