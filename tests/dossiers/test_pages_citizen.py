"""The citizen's pages: online submission one question per page, the dossier page (timeline,
supplement, withdraw, result, rating), "Hồ sơ của tôi" and the public lookup."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chinhquyenso.dossiers import services
from chinhquyenso.dossiers.models import Dossier, DossierDocument, FeeStatus, Status
from tests import factories
from tests.dossiers.conftest import PDF, complete_draft, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen_client(client, citizen):
    client.force_login(citizen)
    return client


def docs_of(procedure):
    return {rd.name: rd for rd in procedure.required_documents.all()}


def walk_to_review(client, citizen, procedure, *, delivery=None):
    """Unit → e-form draft → two uploads → delivery; returns the review page response."""
    pid = procedure.pk
    client.post(reverse("dossiers:submit_unit", args=[pid]), {"unit": factories.unit("19894").pk})
    complete_draft(citizen, procedure)
    docs = docs_of(procedure)
    response = client.post(reverse("dossiers:submit_documents", args=[pid]), {
        "_action": "continue",
        f"file_{docs['Tờ khai đăng ký khai sinh'].pk}": upload("to-khai.pdf", b"1"),
        f"file_{docs['Giấy chứng sinh'].pk}": upload("chung-sinh.pdf", b"2"),
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    client.post(reverse("dossiers:submit_delivery", args=[pid]), delivery or {"result_delivery": "desk"})
    return client.get(reverse("dossiers:submit_review", args=[pid]))


def test_submission_goes_page_by_page_to_a_code_a_receipt_and_a_fee_to_pay(citizen_client, citizen,
                                                                             birth_procedure):
    client, pid = citizen_client, birth_procedure.pk
    # The start page sends the citizen to the first page not done: the receiving unit.
    response = client.get(reverse("dossiers:start", args=[pid]))
    assert response.url == reverse("dossiers:submit_unit", args=[pid])
    page = client.get(response.url)
    assert page.status_code == 200
    quang_tho = factories.unit("19894")
    assert f'<option value="{quang_tho.pk}" selected>' in page.content.decode(), "defaults to the citizen's commune"
    assert "huyện Quảng Điền" not in page.context["form"].fields["unit"].queryset.values_list("full_name", flat=True)
    # Then the e-form (the eforms app's own page), whose review page comes back to "start".
    response = client.post(reverse("dossiers:submit_unit", args=[pid]), {"unit": quang_tho.pk})
    assert response.url == reverse("eforms:fill", kwargs={"procedure_id": pid})
    draft = complete_draft(citizen, birth_procedure)
    response = client.get(reverse("dossiers:start", args=[pid]))
    assert response.url == reverse("dossiers:submit_documents", args=[pid])
    page = client.get(response.url).content.decode()
    assert "Giấy chứng sinh" in page and "Bắt buộc" in page and "Khi thuộc trường hợp" in page
    assert "Mang theo để xuất trình" in page and "Giấy tờ tùy thân" in page

    review = walk_to_review(client, citizen, birth_procedure)
    body = review.content.decode()
    assert review.status_code == 200
    assert "Trần Minh An" in body, "the e-form answers are shown read-only"
    assert "to-khai.pdf" in body and "chung-sinh.pdf" in body
    assert "8.000 đ" in body

    response = client.post(reverse("dossiers:submit_review", args=[pid]))
    dossier = Dossier.objects.get()
    assert response.url == reverse("dossiers:submitted", args=[dossier.pk])
    assert dossier.channel == "online" and dossier.status == Status.SUBMITTED and dossier.unit == quang_tho
    assert dossier.form_data["ho_ten_tre"] == "Trần Minh An" and dossier.form_submission is not None
    assert dossier.documents.count() == 2 and dossier.fee_total == 8000
    assert citizen.personal_documents.filter(kind="submitted").count() == 2, "uploads go into the data warehouse"
    assert not type(draft).objects.filter(pk=draft.pk).exists(), "the e-form draft is cleared"

    page = client.get(response.url)
    body = page.content.decode()
    assert dossier.code in body and dossier.lookup_secret in body
    assert reverse("dossiers:slip", args=[dossier.pk, "receipt"]) in body
    invoice = page.context["invoice"]
    assert invoice.amount == 8000 and reverse("payments:invoice", args=[invoice.pk]) in body
    assert "Thanh toán" in body
    # Going back to the wizard starts afresh (the session state is cleared).
    assert client.get(reverse("dossiers:start", args=[pid])).url == reverse("dossiers:submit_unit", args=[pid])


def test_a_missing_required_document_is_named_beside_its_field(citizen_client, citizen, birth_procedure):
    client, pid = citizen_client, birth_procedure.pk
    client.post(reverse("dossiers:submit_unit", args=[pid]), {"unit": factories.unit("19894").pk})
    docs = docs_of(birth_procedure)
    response = client.post(reverse("dossiers:submit_documents", args=[pid]), {
        "_action": "continue", f"file_{docs['Tờ khai đăng ký khai sinh'].pk}": upload()})
    assert response.status_code == 400
    rows = {r["doc"].name: r for r in response.context["rows"]}
    assert "Vui lòng đính kèm" in rows["Giấy chứng sinh"]["error"]
    assert rows["Văn bản ủy quyền"]["error"] is None, "a conditional document is optional"
    assert rows["Tờ khai đăng ký khai sinh"]["attached"]["original_name"] == "giay.pdf", "kept for the next try"


def test_an_executable_renamed_pdf_is_refused_by_the_field(citizen_client, birth_procedure):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client, pid = citizen_client, birth_procedure.pk
    client.post(reverse("dossiers:submit_unit", args=[pid]), {"unit": factories.unit("19894").pk})
    doc = docs_of(birth_procedure)["Giấy chứng sinh"]
    response = client.post(reverse("dossiers:submit_documents", args=[pid]), {
        "_action": "save", f"file_{doc.pk}": SimpleUploadedFile("a.pdf", b"MZ\x90\x00" + b"\0" * 100)})
    assert response.status_code == 400
    assert "không phải định dạng được chấp nhận" in response.content.decode()


def test_a_document_from_the_data_warehouse_is_reused_without_uploading(citizen_client, citizen, birth_procedure):
    from chinhquyenso.core.files import stored_file_create
    from chinhquyenso.digitization.services import personal_document_add

    stored = stored_file_create(content=PDF + b"cs", name="chung-sinh-cu.pdf", purpose="document")
    personal = personal_document_add(owner=citizen, file=stored, title="Giấy chứng sinh", kind="uploaded")
    other = factories.make_citizen()
    foreign = personal_document_add(owner=other, file=stored_file_create(content=PDF + b"o", name="o.pdf",
                                                                         purpose="document"),
                                    title="Giấy chứng sinh", kind="uploaded")
    client, pid = citizen_client, birth_procedure.pk
    client.post(reverse("dossiers:submit_unit", args=[pid]), {"unit": factories.unit("19894").pk})
    complete_draft(citizen, birth_procedure)
    docs = docs_of(birth_procedure)
    page = client.get(reverse("dossiers:submit_documents", args=[pid])).content.decode()
    assert "(phù hợp)" in page, "a warehouse document with the same name is offered first"
    # Someone else's warehouse document cannot be picked by changing the id.
    response = client.post(reverse("dossiers:submit_documents", args=[pid]), {
        "_action": "save", f"kho_{docs['Giấy chứng sinh'].pk}": foreign.pk})
    assert response.status_code == 400 and "Không tìm thấy giấy tờ này" in response.content.decode()
    client.post(reverse("dossiers:submit_documents", args=[pid]), {
        "_action": "continue", f"kho_{docs['Giấy chứng sinh'].pk}": personal.pk,
        f"file_{docs['Tờ khai đăng ký khai sinh'].pk}": upload()})
    client.post(reverse("dossiers:submit_delivery", args=[pid]), {"result_delivery": "desk"})
    assert "từ kho dữ liệu" in client.get(reverse("dossiers:submit_review", args=[pid])).content.decode()
    client.post(reverse("dossiers:submit_review", args=[pid]))
    dossier = Dossier.objects.get()
    reused = dossier.documents.get(required_document=docs["Giấy chứng sinh"])
    assert reused.source == DossierDocument.Source.WAREHOUSE and reused.file_id == stored.pk
    assert dossier.reuses_digitized_data


def test_delivery_by_post_needs_an_address_and_a_phone_and_is_prefilled(citizen_client, citizen, birth_procedure):
    client, pid = citizen_client, birth_procedure.pk
    client.post(reverse("dossiers:submit_unit", args=[pid]), {"unit": factories.unit("19894").pk})
    page = client.get(reverse("dossiers:submit_delivery", args=[pid]))
    assert page.context["form"].initial["delivery_address"] == citizen.citizen_profile.address
    response = client.post(reverse("dossiers:submit_delivery", args=[pid]),
                           {"result_delivery": "post", "delivery_address": "", "applicant_phone": ""})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "delivery_address" in errors and "applicant_phone" in errors
    review = walk_to_review(client, citizen, birth_procedure, delivery={
        "result_delivery": "post", "delivery_address": "Thôn Phú Lễ, xã Quảng Thọ", "applicant_phone": "0912345678"})
    assert "Nhận qua bưu chính" in review.content.decode()
    client.post(reverse("dossiers:submit_review", args=[pid]))
    dossier = Dossier.objects.get()
    assert dossier.result_delivery == "post" and dossier.delivery_address == "Thôn Phú Lễ, xã Quảng Thọ"
    assert dossier.applicant_phone == "0912345678"


def test_a_unit_that_does_not_handle_the_procedure_cannot_be_chosen(citizen_client, birth_procedure):
    response = citizen_client.post(reverse("dossiers:submit_unit", args=[birth_procedure.pk]),
                                   {"unit": factories.unit("477").pk})
    assert response.status_code == 200 and "unit" in response.context["form"].errors


def test_an_invalid_e_form_sends_the_citizen_back_to_it(citizen_client, citizen, birth_procedure):
    walk_to_review(citizen_client, citizen, birth_procedure)
    from chinhquyenso.eforms.models import FormDraft

    draft = FormDraft.objects.get(user=citizen)
    draft.data = {**draft.data, "ho_ten_tre": ""}
    draft.save()
    response = citizen_client.post(reverse("dossiers:submit_review", args=[birth_procedure.pk]))
    assert response.status_code == 400
    assert reverse("eforms:fill", kwargs={"procedure_id": birth_procedure.pk}) in response.content.decode()
    assert Dossier.objects.count() == 0


def test_a_procedure_without_online_submission_says_so(citizen_client, procedure):
    procedure.channel_online = False
    procedure.save()
    response = citizen_client.get(reverse("dossiers:start", args=[procedure.pk]))
    assert response.status_code == 404 and "chưa nhận hồ sơ trực tuyến" in response.content.decode()


def test_a_procedure_without_e_form_skips_that_step(citizen_client, procedure):
    pid = procedure.pk
    citizen_client.post(reverse("dossiers:submit_unit", args=[pid]), {"unit": factories.unit("477").pk})
    assert citizen_client.get(reverse("dossiers:start", args=[pid])).url == reverse("dossiers:submit_documents",
                                                                                   args=[pid])


def submit_online(procedure, citizen, documents, unit="477"):
    return services.dossier_submit(procedure=procedure, unit=factories.unit(unit), applicant=citizen, form_data={},
                                   documents=documents())


def test_the_dossier_page_shows_the_public_timeline_the_holder_and_the_due_mark(citizen_client, citizen, procedure,
                                                                              documents, officers):
    dossier = submit_online(procedure, citizen, documents)
    dossier = services.dossier_receive(dossier=dossier, actor=officers["reception"])
    response = citizen_client.get(reverse("dossiers:detail", args=[dossier.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Phòng Tư pháp" in body, "who holds it now"
    assert dossier.due_date.strftime("%d/%m/%Y") in body
    assert response.context["due"].status in ("on_time", "due_soon")
    assert "Đã tiếp nhận hồ sơ" in body
    assert officers["reception"].get_full_name() not in body, "no officer names for the citizen"
    # Another citizen gets "not found", as for a dossier that does not exist.
    other = factories.make_citizen()
    citizen_client.force_login(other)
    assert citizen_client.get(reverse("dossiers:detail", args=[dossier.pk])).status_code == 404
    assert citizen_client.get(reverse("dossiers:detail", args=[999999])).status_code == 404


def test_the_citizen_answers_a_supplement_request_by_uploading_each_item(citizen_client, citizen, procedure,
                                                                         documents, officers):
    dossier = submit_online(procedure, citizen, documents)
    services.dossier_request_supplement(dossier=dossier, actor=officers["reception"], reason="Ảnh mờ",
                                        items=[{"name": "Giấy chứng sinh", "copy_kind": "Bản chính", "quantity": 1,
                                                "note": "chụp rõ"}])
    dossier.refresh_from_db()
    page = citizen_client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "Ảnh mờ" in page and "chụp rõ" in page and 'name="item_0"' in page
    empty = citizen_client.post(reverse("dossiers:supplement", args=[dossier.pk]), {"version": dossier.version})
    assert empty.status_code == 400 and "Vui lòng đính kèm giấy tờ bổ sung" in empty.content.decode()
    response = citizen_client.post(reverse("dossiers:supplement", args=[dossier.pk]),
                                   {"version": dossier.version, "item_0": upload("cs-ro.pdf")})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    assert dossier.documents.filter(source="supplement", name="Giấy chứng sinh").exists()


def test_withdrawing_needs_the_confirmation_and_a_reason(citizen_client, citizen, procedure, documents):
    dossier = submit_online(procedure, citizen, documents)
    url = reverse("dossiers:withdraw", args=[dossier.pk])
    assert citizen_client.get(url).status_code == 200
    response = citizen_client.post(url, {"version": dossier.version, "reason": "Nộp nhầm"})
    assert response.status_code == 400 and "confirm" in response.context["form"].errors
    response = citizen_client.post(url, {"version": dossier.version, "reason": "", "confirm": "on"})
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    response = citizen_client.post(url, {"version": dossier.version, "reason": "Nộp nhầm", "confirm": "on"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.WITHDRAWN
    # A stale page cannot withdraw again.
    assert citizen_client.get(url).status_code == 302


def finish(procedure, citizen, documents, officers, *, pay=True):
    d = submit_online(procedure, citizen, documents)
    d = services.dossier_receive(dossier=d, actor=officers["reception"])
    d = services.dossier_forward(dossier=d, actor=officers["specialist"])
    d = services.dossier_forward(dossier=d, actor=officers["head"])
    d = services.dossier_approve(dossier=d, actor=officers["leader"])
    if pay:
        services.dossier_mark_fee_paid(dossier_id=d.pk, amount=d.fee_total, method="vnpay")
    return Dossier.objects.get(pk=d.pk)


def test_the_result_is_downloadable_once_issued_and_paid_then_rated_once(citizen_client, citizen, procedure,
                                                                       documents, officers):
    unpaid = finish(procedure, citizen, documents, officers, pay=False)
    assert citizen_client.get(reverse("dossiers:result", args=[unpaid.pk])).status_code == 404
    dossier = finish(procedure, citizen, documents, officers)
    page = citizen_client.get(reverse("dossiers:detail", args=[dossier.pk]))
    assert page.context["result_available"] and page.context["can_rate"]
    response = citizen_client.get(reverse("dossiers:result", args=[dossier.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    bad = citizen_client.post(reverse("dossiers:rate", args=[dossier.pk]), {"level": "9"})
    assert bad.status_code == 400 and "level" in bad.context["rating_form"].errors
    ok = citizen_client.post(reverse("dossiers:rate", args=[dossier.pk]),
                             {"level": "3", "on_time": "1", "staff_attitude": "3", "comment": "Nhanh"})
    assert ok.status_code == 302
    assert dossier.rating.level == 3 and dossier.rating.on_time is True
    again = citizen_client.post(reverse("dossiers:rate", args=[dossier.pk]), {"level": "1"})
    assert again.status_code == 400 and "đã đánh giá" in again.content.decode()


def test_a_document_is_shown_inline_to_its_applicant_only(citizen_client, citizen, procedure, documents):
    dossier = submit_online(procedure, citizen, documents)
    document = dossier.documents.first()
    url = reverse("dossiers:document", args=[dossier.pk, document.pk])
    response = citizen_client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    citizen_client.force_login(factories.make_citizen())
    assert citizen_client.get(url).status_code == 404


def test_my_dossiers_lists_the_citizens_own(citizen_client, citizen, procedure, documents):
    mine = submit_online(procedure, citizen, documents)
    theirs = submit_online(procedure, factories.make_citizen(), documents)
    body = citizen_client.get(reverse("dossiers:mine")).content.decode()
    assert mine.code in body and theirs.code not in body


def test_public_lookup_shows_progress_without_personal_data(client, citizen, procedure, documents, officers):
    dossier = submit_online(procedure, citizen, documents)
    services.dossier_receive(dossier=dossier, actor=officers["reception"])
    url = reverse("dossiers:lookup")
    prefilled = client.get(url, {"ma": dossier.code})
    assert prefilled.status_code == 200 and f'value="{dossier.code}"' in prefilled.content.decode()
    wrong = client.get(url, {"ma": dossier.code, "mtc": "000000"})
    assert wrong.status_code == 404 and wrong.context["found"] is None
    response = client.get(url, {"ma": dossier.code.lower(), "mtc": dossier.lookup_secret.lower()})
    body = response.content.decode()
    assert response.status_code == 200 and "Đang giải quyết" in body and "Phòng Tư pháp" in body
    profile = citizen.citizen_profile
    for personal in (profile.full_name, profile.cccd, profile.phone or "0000000000",
                     officers["reception"].get_full_name()):
        assert personal not in body


def test_public_lookup_limits_guessing(client, settings, citizen, procedure, documents):
    settings.DOSSIER_LOOKUP_RATE_LIMIT = 3
    dossier = submit_online(procedure, citizen, documents)
    url = reverse("dossiers:lookup")
    codes = [client.get(url, {"ma": dossier.code, "mtc": f"00000{i}"}).status_code for i in range(3)]
    assert codes == [404, 404, 404]
    blocked = client.get(url, {"ma": dossier.code, "mtc": dossier.lookup_secret})
    assert blocked.status_code == 429 and blocked.context["found"] is None


def test_fee_status_unpaid_shows_the_pay_button_on_the_dossier_page(citizen_client, citizen, procedure, documents):
    dossier = submit_online(procedure, citizen, documents)
    services.dossier_invoice_ensure(dossier=dossier)
    services.dossier_invoice_ensure(dossier=dossier)
    page = citizen_client.get(reverse("dossiers:detail", args=[dossier.pk]))
    assert page.context["invoice"].amount == 50_000
    assert dossier.fee_status == FeeStatus.UNPAID and 'data-testid="pay"' in page.content.decode()
    from chinhquyenso.payments.models import Invoice

    assert Invoice.objects.filter(subject_type="dossiers.dossier", subject_id=str(dossier.pk)).count() == 1
