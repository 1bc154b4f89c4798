"""Shared tooling for the cross-cutting security tests: the demo data plus one object of every kind
in Quảng Thọ and in the district (dossiers, invoices, feedback, shipments, scan jobs, warehouse
documents), loaded once per test module, and clients logged in as the demo accounts."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pytest
from django.test import Client

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
# A Windows executable: what a renamed ``.exe`` looks like to libmagic whatever its name says.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"\x80\x00\x00\x00" + (
    b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21This program cannot be run in DOS mode.\r\r\n$"
    + b"\x00" * 64 + b"PE\x00\x00L\x01\x03\x00" + b"\x00" * 200
)

QUANG_THO, QUANG_PHU, DISTRICT = "19894", "19897", "477"
# Personal data of the demo citizen (accounts/demo.py) and of the reporter made here.
CITIZEN_CCCD, CITIZEN_PHONE = "046186000123", "0912345678"
REPORTER_PHONE = "0987654321"


@dataclass
class World:
    """Ids of the objects the security tests point URLs at."""

    ids: dict[str, object] = field(default_factory=dict)

    def __getitem__(self, key):
        return self.ids[key]


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (40, 30), 255).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (120, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def _documents_for(procedure, *, owner):
    from chinhquyenso.core.files import stored_file_create
    from chinhquyenso.dossiers.services import DocumentInput

    out = []
    for rd in procedure.required_documents.filter(requirement="required").exclude(form="present"):
        stored = stored_file_create(content=PDF + rd.name.encode(), name=f"{rd.pk}.pdf", purpose="document",
                                    uploaded_by=owner)
        out.append(DocumentInput(name=rd.name, file=stored, required_document_id=rd.pk))
    return out


def build_world() -> World:
    """The demo data (as ``chinhquyenso demo`` loads it) plus objects of each kind in two units."""
    from chinhquyenso.accounts.models import User
    from chinhquyenso.catalog.models import Procedure
    from chinhquyenso.core.demodata import demo_load_all
    from chinhquyenso.core.files import stored_file_create
    from chinhquyenso.delivery.services import shipment_create
    from chinhquyenso.digitization.models import PersonalDocument
    from chinhquyenso.digitization.services import scan_job_create
    from chinhquyenso.dossiers.services import (
        dossier_invoice_ensure,
        dossier_receive,
        dossier_register_at_desk,
        dossier_submit_online,
    )
    from chinhquyenso.eforms.models import FormDefinition
    from chinhquyenso.feedback.models import Feedback, FeedbackCategory, FeedbackPhoto
    from chinhquyenso.feedback.services import Upload, feedback_submit
    from chinhquyenso.notifications.services import notification_create
    from chinhquyenso.payments.models import BankAccount, Receipt
    from chinhquyenso.payments.services import invoice_create, payment_record_desk, statement_import
    from chinhquyenso.units.models import AdministrativeUnit, Agency
    from tests.eforms.conftest import birth_data

    demo_load_all(log=lambda line: None)
    users = {u.username: u for u in User.objects.all()}
    citizen, quangtho, tiepnhan = users["congdan"], users["canbo.quangtho"], users["tiepnhan"]
    quang_tho = AdministrativeUnit.objects.get(code=QUANG_THO)
    district = AdministrativeUnit.objects.get(code=DISTRICT)
    ids: dict[str, object] = {"unit_qt": quang_tho.pk, "unit_district": district.pk}

    # A dossier of Quảng Thọ, submitted online by the demo citizen (with its fee invoice and its
    # uploads copied into her data warehouse) and received by the commune desk.
    birth = Procedure.objects.get(code="1.001193")
    qt = dossier_submit_online(procedure=birth, unit=quang_tho, applicant=citizen, form_data=birth_data(),
                               documents=_documents_for(birth, owner=citizen))
    qt = dossier_receive(dossier=qt, actor=quangtho, expected_version=qt.version)
    ids |= {"dossier_qt": qt.pk, "dossier_qt_code": qt.code, "procedure_qt": birth.pk,
            "procedure_qt_code": birth.code, "dossier_qt_document": qt.documents.first().pk}
    # A district dossier registered at the district one-stop desk for the same citizen.
    district_proc = (Procedure.objects.filter(status="active", level_district=True, channel_desk=True,
                                              level_commune=False).order_by("code").first())
    dd = dossier_register_at_desk(officer=tiepnhan, procedure=district_proc, unit=district,
                                  documents=_documents_for(district_proc, owner=tiepnhan), form_data={},
                                  applicant=citizen)
    ids |= {"dossier_district": dd.pk, "dossier_district_code": dd.code, "procedure_district": district_proc.pk,
            "procedure_district_code": district_proc.code}

    # The district dossier's fee, paid in cash at the desk (a receipt with its public look-up token).
    fee = dossier_invoice_ensure(dossier=dd, actor=tiepnhan) or invoice_create(
        subject_type="dossiers.dossier", subject_id=str(dd.pk), kind="charge", amount=50_000, unit=district,
        agency=dd.receiving_agency, payer=citizen, payer_name=citizen.full_name, description="Lệ phí",
        idempotency_key="security:fee", actor=tiepnhan)
    ids["invoice_district_open"] = fee.pk
    paid = invoice_create(
        subject_type="dossiers.dossier", subject_id=str(dd.pk), kind="charge", amount=20_000, unit=district,
        agency=dd.receiving_agency, payer=citizen, payer_name=citizen.full_name, description="Phí sao y",
        idempotency_key="security:paid", actor=tiepnhan)
    payment_record_desk(invoice=paid, method="cash", amount=20_000, actor=tiepnhan)
    ids["invoice_district_paid"] = paid.pk
    ids["receipt_token"] = Receipt.objects.get(invoice=paid).lookup_token
    # A postal return for the Quảng Thọ dossier (and its postage invoice).
    commune_desk = Agency.objects.get(identifier_code="001.29.14.H57")
    shipment = shipment_create(
        subject_type="dossiers.dossier", subject_id=str(qt.pk), unit=quang_tho, agency=commune_desk,
        direction="return", contact_name=citizen.full_name, contact_phone=CITIZEN_PHONE,
        address_line="Thôn Phú Lễ", address_unit=quang_tho, weight_g=200, idempotency_key="security:ship",
        citizen=citizen, subject_label=qt.code)
    ids["shipment_qt"] = shipment.pk
    ids["invoice_qt"] = shipment.invoice_id  # the postage, payable in Quảng Thọ

    # A bank statement of the district desk with one line (nothing matches it).
    account = BankAccount.objects.filter(agency__identifier_code="000.09.14.H57").first()
    statement = statement_import(
        bank_account=account, name="saoke.csv", actor=tiepnhan,
        content="Ngày giao dịch,Số tiền,Nội dung,Số tham chiếu\n05/01/2026,15000,chuyen tien,FT1\n".encode())
    ids |= {"statement_district": statement.pk, "statement_line_district": statement.lines.first().pk}

    # A private feedback report from the citizen in Quảng Thọ, with her phone and a photo.
    category = FeedbackCategory.objects.filter(handling_level="commune").first() or FeedbackCategory.objects.first()
    report = feedback_submit(reporter=citizen, category=category, title="Rác thải đổ trộm ven đường",
                             description=f"Gọi tôi theo số {REPORTER_PHONE} để chỉ chỗ.", unit=quang_tho,
                             contact_name=citizen.full_name, contact_phone=REPORTER_PHONE,
                             anonymous_public=False, photos=[Upload(name="rac.jpg", content=jpeg_bytes())],
                             attributes={a["code"]: a["values"][0]["key"] for a in category.attributes
                                         if a.get("required") and a.get("values")} or None)
    ids |= {"feedback_qt_code": report.code, "feedback_qt": report.pk,
            "feedback_photo": FeedbackPhoto.objects.filter(feedback=report).first().pk}
    public = Feedback.objects.filter(is_published=True).order_by("pk").first()
    ids["feedback_public_code"] = public.code if public else report.code

    # A scan job of the commune desk (not run: no worker inside the test transaction).
    scan = stored_file_create(content=png_bytes(), name="trang-1.png", purpose="scan", uploaded_by=quangtho)
    job = scan_job_create(files=[scan], requested_by=quangtho, unit=quang_tho, title="Giấy khai sinh bản gốc")
    ids["scan_job_qt"] = job.pk
    ids["warehouse_document"] = PersonalDocument.objects.filter(owner=citizen).first().pk
    note = notification_create(recipient=citizen, channel="in_app", body="Hồ sơ đã được tiếp nhận.", link="/ho-so/")
    ids["notification"] = note.public_id
    ids["form_definition_qt"] = FormDefinition.objects.filter(procedure=birth).first().pk
    ids["required_document"] = birth.required_documents.order_by("pk").first().pk
    ids["feedback_category_code"] = category.code
    ids["user_ids"] = {name: u.pk for name, u in users.items()}
    return World(ids)


def _storages(media) -> dict:
    from django.conf import settings

    return {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                             "OPTIONS": {"location": str(media)}}}


@pytest.fixture(scope="module")
def _world_media(tmp_path_factory):
    return tmp_path_factory.mktemp("security-media")


@pytest.fixture(scope="module")
def _world_for_module(django_db_setup, django_db_blocker, _world_media):
    """Build the world once per module inside a transaction rolled back at the module's end (what
    ``TestCase.setUpTestData`` does); each test still runs in its own savepoint. Its files go to a
    module media directory that every test of the module reads too."""
    from django.db import transaction
    from django.test import override_settings

    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS, AXES_ENABLED=False,
                                                        STORAGES=_storages(_world_media)):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            world = build_world()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield world
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _no_axes_for_force_login(settings):
    # force_login() has no client IP; django-axes would log "unknown" into an inet column (PostgreSQL).
    settings.AXES_ENABLED = False


@pytest.fixture
def world(_world_for_module, _world_media, db, settings) -> World:
    from chinhquyenso.portal.selectors import site_info_clear

    settings.STORAGES = _storages(_world_media)

    site_info_clear()
    return _world_for_module


@pytest.fixture
def client_as(world):
    """``client_as("congdan")``: a test client logged in as a demo account (``None``: anonymous)."""
    from chinhquyenso.accounts.models import User

    def make(username: str | None, **kwargs) -> Client:
        client = Client(**kwargs)
        if username:
            client.force_login(User.objects.get(username=username))
        return client

    return make
