"""A procedure of the demo district with a fee and required documents, and the officers who handle it."""

from __future__ import annotations

import datetime as dt

import pytest

from chinhquyenso.accounts.roles import Role
from chinhquyenso.catalog.models import FeeRule, Field, Procedure, ProcedureTerms, RequiredDocument
from chinhquyenso.core.files import stored_file_create
from chinhquyenso.dossiers.services import DocumentInput
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
DISTRICT_ONE_STOP = "000.09.14.H57"
JUSTICE = "000.05.14.H57"  # Phòng Tư pháp
DISTRICT_UBND = "000.00.14.H57"


@pytest.fixture
def procedure(locality):
    field, _ = Field.objects.get_or_create(code="ho-tich", defaults={"name": "Hộ tịch"})
    proc = Procedure.objects.create(
        code="T.000001", name="Đăng ký khai sinh có yếu tố nước ngoài", field=field, unit=factories.unit("477"),
        level_district=True, online_level="full", channel_online=True, channel_desk=True, status="active")
    proc.agencies.add(factories.agency(JUSTICE))
    terms = ProcedureTerms.objects.create(procedure=proc, effective_from=dt.date(2020, 1, 1), processing_days=5)
    FeeRule.objects.create(terms=terms, code="le-phi", label="Lệ phí", kind="fixed", amount_vnd=50_000)
    RequiredDocument.objects.create(procedure=proc, order=1, name="Tờ khai đăng ký khai sinh", requirement="required")
    RequiredDocument.objects.create(procedure=proc, order=2, name="Giấy chứng sinh", requirement="required")
    RequiredDocument.objects.create(procedure=proc, order=3, name="Văn bản ủy quyền", requirement="conditional")
    RequiredDocument.objects.create(procedure=proc, order=4, name="CCCD", requirement="required", form="present")
    return proc


@pytest.fixture
def documents(procedure):
    def make():
        out = []
        for rd in procedure.required_documents.filter(requirement="required").exclude(form="present"):
            stored = stored_file_create(content=PDF + rd.name.encode(), name=f"{rd.name}.pdf", purpose="document")
            out.append(DocumentInput(name=rd.name, file=stored, required_document_id=rd.pk))
        return out

    return make


@pytest.fixture
def officers(locality):
    return {
        "reception": factories.make_staff(Role.RECEPTION_OFFICER, "477", agency_code=DISTRICT_ONE_STOP),
        "specialist": factories.make_staff(Role.SPECIALIST, "477", agency_code=JUSTICE),
        "head": factories.make_staff(Role.DEPARTMENT_HEAD, "477", agency_code=JUSTICE),
        "leader": factories.make_staff(Role.UNIT_LEADER, "477", agency_code=DISTRICT_UBND),
        "commune_reception": factories.make_staff(Role.RECEPTION_OFFICER, "19894"),
        "other_specialist": factories.make_staff(Role.SPECIALIST, "477", agency_code="000.07.14.H57"),
    }


# --- For the web pages: the commune birth registration with its e-form, and the commune officers ---

COMMUNE_ONE_STOP = "001.29.14.H57"  # Bộ phận Một cửa xã Quảng Thọ
COMMUNE_UBND = "000.29.14.H57"


@pytest.fixture
def birth_procedure(locality):
    """Commune-level birth registration with the demo e-form (published) and two required uploads."""
    from chinhquyenso.catalog.services import procedure_create
    from chinhquyenso.eforms import demo
    from tests.eforms.conftest import birth_spec, procedure_record

    proc = procedure_create(actor=None, record=procedure_record(
        code="1.001193", name="Thủ tục đăng ký khai sinh", channels=["online", "desk", "post"],
        required_documents=[
            {"name": "Tờ khai đăng ký khai sinh", "form": "original", "count": 1},
            {"name": "Giấy chứng sinh", "form": "original", "count": 1},
            {"name": "Văn bản ủy quyền", "form": "original", "count": 1, "requirement": "conditional"},
            {"name": "Giấy tờ tùy thân của người yêu cầu", "form": "present", "count": 1},
        ],
        terms=[{"effective_from": "2025-07-01", "processing_days": 3, "day_kind": "working", "fee_rules": [
            {"code": "ban_sao", "label": "Bản sao Giấy khai sinh", "kind": "fixed", "amount_vnd": 8000}]}]))
    demo.form_load(procedure=proc, spec=birth_spec())
    return proc


@pytest.fixture
def commune_officers(locality):
    return {
        "reception": factories.make_staff(Role.RECEPTION_OFFICER, "19894", agency_code=COMMUNE_ONE_STOP),
        "specialist": factories.make_staff(Role.SPECIALIST, "19894", agency_code=COMMUNE_UBND),
        "leader": factories.make_staff(Role.UNIT_LEADER, "19894", agency_code=COMMUNE_UBND),
        "other_reception": factories.make_staff(Role.RECEPTION_OFFICER, "19897", agency_code="001.30.14.H57"),
    }


def complete_draft(user, procedure, **overrides):
    """The citizen has filled the e-form and passed its check (what eforms:fill saves)."""
    from chinhquyenso.eforms.selectors import current_version_for
    from chinhquyenso.eforms.services import form_draft_save
    from tests.eforms.conftest import birth_data

    version = current_version_for(procedure)
    return form_draft_save(user=user, definition=version.definition, form_version=version,
                           data=birth_data(**overrides), is_complete=True)


def upload(name: str = "giay.pdf", body: bytes = b"x"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PDF + body, content_type="application/pdf")
