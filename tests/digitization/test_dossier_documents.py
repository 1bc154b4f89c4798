"""Digitising a component of a dossier from the desk: the PDF/A replaces the component's file (the
original stays with the scan job), the citizen's warehouse copy is upgraded, and the dossier's
"digitised" flag (Decision 766 indicator 4.2: components and result) is re-evaluated."""

from __future__ import annotations

import pytest

from chinhquyenso.core.errors import Conflict, PermissionDenied
from chinhquyenso.core.files import stored_file_create
from chinhquyenso.core.models import AuditEvent, DomainEvent
from chinhquyenso.digitization import selectors, services
from chinhquyenso.digitization.models import PersonalDocument, ScanJob
from chinhquyenso.dossiers import services as dossier_services
from chinhquyenso.dossiers.services import DocumentInput
from tests import factories
from tests.digitization.conftest import render_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(procedure, documents, citizen, officers):
    """An online dossier whose first component is a photo of a paper (PNG), received by the desk."""
    docs = documents()
    photo = stored_file_create(content=render_page(["TỜ KHAI ĐĂNG KÝ KHAI SINH"]), name="to-khai.png",
                               purpose="document", uploaded_by=citizen)
    docs[0] = DocumentInput(name=docs[0].name, file=photo, required_document_id=docs[0].required_document_id)
    d = dossier_services.dossier_submit_online(procedure=procedure, unit=factories.unit("477"), applicant=citizen,
                                               form_data={}, documents=docs)
    return dossier_services.dossier_receive(dossier=d, actor=officers["reception"], expected_version=d.version)


def first_document(dossier):
    return dossier.documents.order_by("id").first()


def test_the_digitised_copy_replaces_the_component_and_the_original_is_kept(
        dossier, officers, citizen, fake_ocr, django_capture_on_commit_callbacks):
    document = first_document(dossier)
    original = document.file
    assert PersonalDocument.objects.get(owner=citizen, file=original).is_digitized is False
    with django_capture_on_commit_callbacks(execute=True):
        job = services.dossier_document_digitize(dossier_document=document, actor=officers["reception"])
    job.refresh_from_db()
    assert job.status == ScanJob.Status.DONE and job.source_type == "dossiers.document"
    assert job.unit == dossier.unit and job.title.startswith(dossier.code)
    document.refresh_from_db()
    assert document.file == job.result and document.file.mime_type == "application/pdf"
    assert job.inputs.get().file == original, "the original stays with the scan job"
    assert dossier.timeline.filter(action="digitize").exists()
    assert AuditEvent.objects.filter(action="dossier.document_digitized").count() == 1
    assert DomainEvent.objects.filter(event_type="dossier.document_digitized").count() == 1
    warehouse = PersonalDocument.objects.get(owner=citizen, title=document.name)
    assert warehouse.file == job.result and warehouse.is_digitized
    dossier.refresh_from_db()
    assert dossier.is_digitized is False, "components only: the result is not there yet"
    with pytest.raises(Conflict):
        services.dossier_document_digitize(dossier_document=document, actor=officers["reception"])
    latest = selectors.scan_jobs_for_sources(source_type="dossiers.document", source_ids=[document.pk])
    assert latest[str(document.pk)] == job


def test_asking_twice_while_it_runs_gives_the_same_job(dossier, officers):
    document = first_document(dossier)
    first = services.dossier_document_digitize(dossier_document=document, actor=officers["reception"])
    again = services.dossier_document_digitize(dossier_document=document, actor=officers["specialist"])
    assert again == first and ScanJob.objects.count() == 1


def test_only_scanning_officers_of_the_dossiers_unit_may_digitise(dossier, officers, citizen):
    document = first_document(dossier)
    for user in (officers["commune_reception"], officers["leader"], citizen):
        with pytest.raises(PermissionDenied):
            services.dossier_document_digitize(dossier_document=document, actor=user)
    assert ScanJob.objects.count() == 0


def test_a_component_replaced_during_the_scan_is_not_overwritten(dossier, officers, fake_ocr):
    document = first_document(dossier)
    job = services.dossier_document_digitize(dossier_document=document, actor=officers["reception"])
    newer = stored_file_create(content=render_page(["BẢN MỚI"]), name="moi.png", purpose="document")
    type(document).objects.filter(pk=document.pk).update(file=newer)
    assert services.scan_job_run(job_id=job.pk) == "done"
    document.refresh_from_db()
    job.refresh_from_db()
    assert document.file == newer
    assert job.status == ScanJob.Status.DONE and "không thay thế" in job.progress_message


def test_the_dossier_counts_as_digitised_with_components_and_result(dossier, officers, fake_ocr):
    d = dossier
    assert dossier_services.dossier_mark_digitized(dossier_id=d.pk).is_digitized is False
    d = dossier_services.dossier_take(dossier=d, actor=officers["specialist"], expected_version=d.version)
    d = dossier_services.dossier_forward(dossier=d, actor=officers["specialist"], expected_version=d.version)
    d = dossier_services.dossier_forward(dossier=d, actor=officers["head"], expected_version=d.version)
    d = dossier_services.dossier_approve(dossier=d, actor=officers["leader"], expected_version=d.version)
    assert d.result_file_id and d.is_digitized
    version = d.version
    services.scan_job_run(job_id=services.dossier_document_digitize(dossier_document=first_document(d),
                                                                    actor=officers["reception"]).pk)
    d.refresh_from_db()
    assert d.is_digitized and d.version == version, "a digitised component does not make officers' pages stale"
