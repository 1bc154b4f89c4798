"""Slips render as real PDFs with correct Vietnamese text; the register exports as XLSX."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from chinhquyenso.dossiers import documents as slips
from chinhquyenso.dossiers import services
from chinhquyenso.dossiers.exports import register_xlsx
from tests import factories

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _received(procedure, citizen, documents_, officers):
    d = services.dossier_submit(procedure=procedure, unit=factories.unit("477"), applicant=citizen, form_data={},
                                documents=documents_())
    return services.dossier_receive(dossier=d, actor=officers["reception"])


def test_receipt_pdf_has_the_circular_fields_with_correct_diacritics(procedure, citizen, documents, officers):
    d = _received(procedure, citizen, documents, officers)
    pdf = slips.slip_pdf(d, "receipt")
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", d.code, "Giấy chứng sinh", "5 ngày làm việc",
                     d.due_date.strftime("%d/%m/%Y"), "Mẫu số 01", citizen.citizen_profile.full_name):
        assert expected in text, expected
    fonts = {str(f) for page in PdfReader(io.BytesIO(pdf)).pages for f in page["/Resources"]["/Font"].values()}
    assert fonts


def test_supplement_and_apology_and_refusal_slips_only_when_they_apply(procedure, citizen, documents, officers):
    d = _received(procedure, citizen, documents, officers)
    with pytest.raises(slips.SlipNotApplicable):
        slips.slip_pdf(d, "supplement")
    d = services.dossier_request_supplement(dossier=d, actor=officers["specialist"], reason="Bản sao không rõ",
                                            items=[{"name": "Bản sao giấy chứng sinh", "quantity": 1}])
    text = _text(slips.slip_pdf(d, "supplement"))
    assert "Bản sao giấy chứng sinh" in text and "Bản sao không rõ" in text and "Mẫu số 02" in text
    with pytest.raises(slips.SlipNotApplicable):
        slips.slip_pdf(d, "refusal")


def test_control_slip_lists_every_hand_over(procedure, citizen, documents, officers):
    d = _received(procedure, citizen, documents, officers)
    d = services.dossier_forward(dossier=d, actor=officers["specialist"])
    text = _text(slips.slip_pdf(d, "control"))
    assert "Phòng Tư pháp" in text and "Tiếp nhận hồ sơ" in text and "Lãnh đạo phòng xem xét" in text


def test_slip_view_checks_the_user(client, procedure, citizen, documents, officers):
    d = _received(procedure, citizen, documents, officers)
    client.force_login(citizen)
    ok = client.get(f"/ho-so/{d.pk}/phieu/receipt.pdf")
    assert ok.status_code == 200 and ok["Content-Type"] == "application/pdf"
    assert client.get(f"/ho-so/{d.pk}/phieu/control.pdf").status_code == 403
    client.force_login(officers["commune_reception"])
    assert client.get(f"/ho-so/{d.pk}/phieu/receipt.pdf").status_code == 404


def test_register_export_has_the_periods_dossiers_and_is_audited(client, procedure, citizen, documents, officers):
    d = _received(procedure, citizen, documents, officers)
    today = timezone.localdate()
    content = register_xlsx(unit=factories.unit("477"), start=today - dt.timedelta(days=1), end=today)
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "SỔ THEO DÕI HỒ SƠ" in rows[0][0]
    assert rows[2][1] == "Mã hồ sơ"
    assert rows[3][1] == d.code and rows[3][13] == 0
    client.force_login(officers["leader"])
    response = client.get("/ho-so/so-theo-doi/477.xlsx", {"from": str(today), "to": str(today)})
    assert response.status_code == 200 and response.content[:2] == b"PK"
    from chinhquyenso.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="dossier.register_export").exists()
    client.force_login(officers["specialist"])
    assert client.get("/ho-so/so-theo-doi/477.xlsx").status_code == 404


def test_register_export_masks_addresses_for_a_reporter_and_not_for_the_leader(client, procedure, citizen, documents,
                                                                                officers):
    from chinhquyenso.accounts.roles import Role
    from chinhquyenso.core.models import AuditEvent
    from chinhquyenso.dossiers.models import Dossier

    d = _received(procedure, citizen, documents, officers)
    full = "12 Lê Lợi, thôn Phú Lễ, xã Quảng Thọ, huyện Quảng Điền"
    Dossier.objects.filter(pk=d.pk).update(applicant_address=full)
    today = timezone.localdate()

    def address_in_export(user) -> str:
        client.force_login(user)
        response = client.get("/ho-so/so-theo-doi/477.xlsx", {"from": str(today), "to": str(today)})
        assert response.status_code == 200
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        assert rows[2][4] == "Địa chỉ" and rows[3][1] == d.code
        return rows[3][4]

    assert address_in_export(officers["leader"]) == full
    assert AuditEvent.objects.filter(action="dossier.register_export").latest("seq").after["addresses_masked"] is False
    reporter = factories.make_staff(Role.REPORTER, factories.DISTRICT)
    masked = address_in_export(reporter)
    assert masked == "***, xã Quảng Thọ, huyện Quảng Điền" and "Lê Lợi" not in masked
    assert AuditEvent.objects.filter(action="dossier.register_export").latest("seq").after["addresses_masked"] is True
