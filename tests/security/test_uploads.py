"""Every upload endpoint checks the content, not the name: a Windows executable renamed ``.pdf`` or
``.jpg`` is refused with a clear Vietnamese message, and nothing is stored (no ``StoredFile`` row,
no file in the storage)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.security.conftest import EXE

pytestmark = pytest.mark.django_db

REFUSAL = "không phải định dạng được chấp nhận"  # core.files: "… có nội dung không phải định dạng …"


def exe(name: str) -> SimpleUploadedFile:
    content_type = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png",
                    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    "csv": "text/csv", "json": "application/json"}[name.rsplit(".", 1)[1]]
    return SimpleUploadedFile(name, EXE, content_type=content_type)


def stored_files(media: Path) -> set[Path]:
    return {p for p in media.rglob("*") if p.is_file()}


@pytest.fixture
def nothing_stored(world, settings):
    """Call it after the upload: asserts no StoredFile row and no file appeared since the fixture."""
    from chinhquyenso.core.models import StoredFile

    media = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    rows, files = StoredFile.objects.count(), stored_files(media)

    def check():
        assert StoredFile.objects.count() == rows, "a StoredFile row was written for the refused upload"
        assert stored_files(media) == files, f"files written: {sorted(map(str, stored_files(media) - files))}"

    return check


def text_of(response) -> str:
    return response.content.decode("utf-8", "replace")


def assert_refused(response, nothing_stored, *, name: str) -> None:
    assert response.status_code < 500
    body = text_of(response)
    assert REFUSAL in body, f"no clear refusal on the page ({response.status_code}): {body[:300]}"
    assert name.rsplit(".", 1)[0] in body  # the message names the file the person picked
    nothing_stored()


# --- Citizens ---------------------------------------------------------------------------------------


def test_feedback_photo_that_is_an_executable_is_refused(world, client_as, nothing_stored):
    from chinhquyenso.feedback.models import Feedback, FeedbackCategory

    category = FeedbackCategory.objects.filter(handling_level="commune", attributes=[]).first() \
        or FeedbackCategory.objects.filter(attributes=[]).first()
    before = Feedback.objects.count()
    response = client_as("congdan").post("/phan-anh/gui/", {
        "category": category.pk, "title": "Đèn đường hỏng", "description": "Đèn đường trước nhà văn hoá thôn hỏng.",
        "unit": world["unit_qt"], "confirm_not_duplicate": "on", "photos": exe("den-duong.jpg")})
    assert_refused(response, nothing_stored, name="den-duong.jpg")
    assert Feedback.objects.count() == before, "the report was kept although its photo was refused"


def test_feedback_additional_information_photo_that_is_an_executable_is_refused(world, client_as, nothing_stored,
                                                                                  feedback_info_requested):
    response = client_as("congdan").post(
        f"/phan-anh/{feedback_info_requested.code}/provide_info/",
        {"text": "Ảnh bổ sung", "version": feedback_info_requested.version, "photos": exe("bo-sung.jpg")},
        follow=True)
    assert_refused(response, nothing_stored, name="bo-sung.jpg")


def test_online_dossier_component_that_is_an_executable_is_refused(world, client_as, nothing_stored):
    from chinhquyenso.catalog.models import Procedure

    citizen = client_as("congdan")
    procedure = Procedure.objects.get(pk=world["procedure_qt"])
    unit = citizen.post(f"/ho-so/nop/{procedure.pk}/noi-nop/", {"unit": world["unit_qt"]})
    assert unit.status_code == 302, text_of(unit)[:300]
    nothing_stored = nothing_stored  # the wizard step above stores nothing
    document = procedure.required_documents.exclude(form="present").order_by("pk").first()
    response = citizen.post(f"/ho-so/nop/{procedure.pk}/giay-to/",
                            {f"file_{document.pk}": exe("to-khai.pdf"), "_action": "save"})
    assert response.status_code == 400
    assert_refused(response, nothing_stored, name="to-khai.pdf")


def test_supplement_that_is_an_executable_is_refused(world, client_as, nothing_stored, dossier_awaiting_supplement):
    response = client_as("congdan").post(
        f"/ho-so/{dossier_awaiting_supplement.pk}/bo-sung/",
        {"item_0": exe("giay-chung-sinh.pdf"), "version": dossier_awaiting_supplement.version})
    assert response.status_code == 400
    assert_refused(response, nothing_stored, name="giay-chung-sinh.pdf")


def test_data_warehouse_upload_that_is_an_executable_is_refused(world, client_as, nothing_stored):
    response = client_as("congdan").post("/kho-du-lieu/", {"title": "Bằng tốt nghiệp", "file": exe("bang.pdf")})
    assert_refused(response, nothing_stored, name="bang.pdf")


def test_api_dossier_submission_with_an_executable_is_refused(world, client_as, nothing_stored):
    from chinhquyenso.catalog.models import Procedure
    from tests.eforms.conftest import birth_data

    procedure = Procedure.objects.get(pk=world["procedure_qt"])
    document = procedure.required_documents.exclude(form="present").order_by("pk").first()
    response = client_as("congdan").post("/api/v1/dossiers/", {
        "procedure_code": procedure.code, "unit_code": "19894", "form_data": json.dumps(birth_data()),
        "document_ids": str(document.pk), "files": exe("to-khai.pdf")})
    assert response.status_code == 400, text_of(response)
    body = response.json()
    assert body["code"] == "file_type_not_allowed" and REFUSAL in body["message"]
    nothing_stored()


# --- Officers ---------------------------------------------------------------------------------------


def test_desk_registration_with_an_executable_is_refused(world, client_as, nothing_stored):
    from chinhquyenso.catalog.models import Procedure

    procedure = Procedure.objects.get(pk=world["procedure_district"])
    document = procedure.required_documents.exclude(form="present").order_by("pk").first()
    response = client_as("tiepnhan").post(f"/ho-so/tiep-nhan-truc-tiep/{procedure.pk}/", {
        "unit": world["unit_district"], "channel": "desk", "applicant_name": "Nguyễn Văn Bình",
        "applicant_id_number": "046090000777", "applicant_phone": "0905111222", "applicant_address": "Thôn 1",
        "result_delivery": "desk", f"file_{document.pk}": exe("don.pdf")})
    assert response.status_code == 400
    assert_refused(response, nothing_stored, name="don.pdf")


def test_result_file_that_is_an_executable_is_refused(world, client_as, nothing_stored, dossier_for_approval):
    response = client_as("lanhdao.quangtho").post(
        f"/ho-so/{dossier_for_approval.pk}/thao-tac/approve/",
        {"approve-result_number": "12/QĐ-UBND", "approve-result_file": exe("quyet-dinh.pdf"),
         "version": dossier_for_approval.version})
    assert response.status_code == 400
    assert_refused(response, nothing_stored, name="quyet-dinh.pdf")


def test_feedback_answer_photo_that_is_an_executable_is_refused(world, client_as, nothing_stored,
                                                                 feedback_in_handling):
    response = client_as("ubnd.quangtho").post(
        f"/phan-anh/can-bo/{feedback_in_handling.code}/answer/",
        {"text": "Đã thu gom rác.", "version": feedback_in_handling.version, "photos": exe("da-xu-ly.jpg")},
        follow=True)
    assert_refused(response, nothing_stored, name="da-xu-ly.jpg")


def test_scan_upload_that_is_an_executable_is_refused(world, client_as, nothing_stored):
    response = client_as("canbo.quangtho").post("/so-hoa/", {
        "title": "Giấy khai sinh", "unit": world["unit_qt"], "files": exe("trang-1.jpg")})
    assert_refused(response, nothing_stored, name="trang-1.jpg")


def test_bank_statement_that_is_an_executable_is_refused(world, client_as, nothing_stored):
    from chinhquyenso.payments.models import BankAccount

    account = BankAccount.objects.filter(agency__identifier_code="000.09.14.H57").first()
    response = client_as("tiepnhan").post("/thanh-toan/can-bo/sao-ke/", {
        "bank_account": account.pk, "file": exe("sao-ke.xlsx")})
    assert_refused(response, nothing_stored, name="sao-ke.xlsx")


def test_catalogue_import_that_is_an_executable_is_refused(world, client_as, nothing_stored):
    response = client_as("quantri").post("/thu-tuc/quan-tri/nhap/", {
        "unit": "477", "file": exe("danh-muc.xlsx")})
    assert_refused(response, nothing_stored, name="danh-muc.xlsx")


def test_blank_form_template_that_is_an_executable_is_refused(world, client_as, nothing_stored):
    response = client_as("quantri").post(
        f"/thu-tuc/quan-tri/{world['procedure_qt_code']}/ho-so/{world['required_document']}/mau/",
        {"file": exe("to-khai-mau.pdf")}, follow=True)
    assert_refused(response, nothing_stored, name="to-khai-mau.pdf")


# --- States the uploads need -------------------------------------------------------------------------


@pytest.fixture
def dossier_awaiting_supplement(world):
    """The Quảng Thọ dossier with a supplement request of the commune officer."""
    from chinhquyenso.accounts.models import User
    from chinhquyenso.core.errors import DomainError
    from chinhquyenso.dossiers.models import Dossier
    from chinhquyenso.dossiers.services import dossier_request_supplement

    dossier = Dossier.objects.get(pk=world["dossier_qt"])
    for username in ("canbo.quangtho", "chuyenvien.quangtho", "lanhdao.quangtho", "tiepnhan"):
        try:
            return dossier_request_supplement(dossier=dossier, actor=User.objects.get(username=username),
                                              reason="Thiếu giấy chứng sinh bản chính",
                                              items=[{"name": "Giấy chứng sinh", "quantity": 1}])
        except DomainError:
            continue
    pytest.fail("no demo officer could ask for a supplement")


@pytest.fixture
def dossier_for_approval(world):
    """The Quảng Thọ dossier taken and forwarded by the commune specialist to the chairman."""
    from chinhquyenso.accounts.models import User
    from chinhquyenso.dossiers.models import Dossier
    from chinhquyenso.dossiers.services import dossier_forward, dossier_take

    specialist = User.objects.get(username="chuyenvien.quangtho")
    dossier = dossier_take(dossier=Dossier.objects.get(pk=world["dossier_qt"]), actor=specialist)
    dossier = dossier_forward(dossier=dossier, actor=specialist, note="Đủ điều kiện")
    assert dossier.status == "pending_approval", dossier.status
    return dossier


@pytest.fixture
def feedback_in_handling(world):
    """The Quảng Thọ report routed by the commune desk and accepted by the commune handler."""
    from chinhquyenso.accounts.models import User
    from chinhquyenso.feedback.models import Feedback
    from chinhquyenso.feedback.services import feedback_accept, feedback_route

    report = Feedback.objects.get(code=world["feedback_qt_code"])
    report = feedback_route(feedback=report, actor=User.objects.get(username="canbo.quangtho"), publish=False)
    return feedback_accept(feedback=report, actor=User.objects.get(username="ubnd.quangtho"))


@pytest.fixture
def feedback_info_requested(feedback_in_handling):
    from chinhquyenso.accounts.models import User
    from chinhquyenso.feedback.services import feedback_request_info

    return feedback_request_info(feedback=feedback_in_handling, actor=User.objects.get(username="ubnd.quangtho"),
                                 question="Xin ảnh chụp gần hơn.")
