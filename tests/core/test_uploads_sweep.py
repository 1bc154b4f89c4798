"""Uploads nothing refers to are deleted after UNUSED_UPLOAD_DAYS; anything referred to, recent,
or of another purpose is kept (row and blob)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from chinhquyenso.core.files import stored_file_create, stored_files_sweep
from chinhquyenso.core.models import StoredFile

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _blobs(tmp_path):
    media = tmp_path / "media"
    return sorted(p.name for p in media.rglob("*") if p.is_file()) if media.exists() else []


def _aged(stored, days):
    StoredFile.objects.filter(pk=stored.pk).update(created_at=timezone.now() - dt.timedelta(days=days))
    return stored


def test_only_old_unreferenced_uploads_of_the_purpose_are_swept(tmp_path, citizen):
    from chinhquyenso.digitization.models import PersonalDocument

    abandoned = _aged(stored_file_create(content=PDF + b"1", name="bo-do.pdf", purpose="document"), 10)
    kept_in_warehouse = _aged(stored_file_create(content=PDF + b"2", name="kho.pdf", purpose="document"), 10)
    PersonalDocument.objects.create(owner=citizen, file=kept_in_warehouse, title="Giấy khai sinh", kind="uploaded")
    recent = _aged(stored_file_create(content=PDF + b"3", name="moi.pdf", purpose="document"), 1)
    other_purpose = _aged(stored_file_create(content=PDF + b"4", name="bang.pdf", purpose="office"), 10)
    assert len(_blobs(tmp_path)) == 4

    assert stored_files_sweep(purpose="document", older_than=dt.timedelta(days=7)) == 1
    assert set(StoredFile.objects.values_list("pk", flat=True)) == {kept_in_warehouse.pk, recent.pk,
                                                                     other_purpose.pk}
    assert len(_blobs(tmp_path)) == 3 and abandoned.storage_key.rsplit("/", 1)[1] not in _blobs(tmp_path)
    assert stored_files_sweep(purpose="document", older_than=dt.timedelta(days=7)) == 0  # idempotent


def test_the_sweep_is_a_periodic_job_of_the_worker():
    from chinhquyenso.core import schedule

    schedule.autodiscover_jobs()
    assert schedule._jobs["core.uploads_sweep"].every == dt.timedelta(hours=6)
