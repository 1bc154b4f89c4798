"""The life of a scan job through the services: permissions, bad files, failures with a Vietnamese
message, idempotent runs, leases and the stalled-job sweep. OCR is stubbed where it is not the point."""

from __future__ import annotations

import datetime as dt
import io

import pikepdf
import pytest
from django.utils import timezone

from chinhquyenso.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from chinhquyenso.core.models import AuditEvent, DomainEvent
from chinhquyenso.digitization import selectors, services
from chinhquyenso.digitization.models import ScanJob
from chinhquyenso.digitization.tasks import scan_job_run_task
from tests import factories
from tests.digitization.conftest import render_page, scan_file

pytestmark = pytest.mark.django_db

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + b"\x00" * 200


def create(officer, files, unit="19894", title="Giấy khai sinh", **kw):
    return services.scan_job_create(files=files, requested_by=officer, unit=factories.unit(unit), title=title, **kw)


def test_a_renamed_executable_is_refused_as_a_scan(scanners):
    with pytest.raises(DomainError) as exc:
        scan_file(ELF, "giay-khai-sinh.pdf", scanners["reception"])
    assert exc.value.code == "file_type_not_allowed"
    assert "PDF" in exc.value.message and "TIFF" in exc.value.message
    assert ScanJob.objects.count() == 0


def test_a_stored_file_of_another_type_cannot_be_scanned(scanners):
    from chinhquyenso.core.files import stored_file_create

    sheet = stored_file_create(content=b"ma,ten\n1,An\n", name="ds.csv", purpose="spreadsheet")
    with pytest.raises(DomainError) as exc:
        create(scanners["reception"], [sheet])
    assert exc.value.code == "file_type_not_allowed" and exc.value.field == "files"


def test_only_scanning_roles_in_their_units_may_create_jobs(scanners, citizen):
    page = scan_file(render_page(["GIẤY KHAI SINH"]))
    for user in (citizen, scanners["leader"], scanners["other_commune"]):
        with pytest.raises(PermissionDenied):
            create(user, [page])
    # Reception and clerk of the commune, and a district specialist (the commune is in the district), may.
    for key in ("reception", "clerk", "district_specialist"):
        assert create(scanners[key], [page]).status == ScanJob.Status.QUEUED
    assert AuditEvent.objects.filter(action="digitization.scan_job_create").count() == 3
    with pytest.raises(DomainError) as exc:
        create(scanners["reception"], [page], title="  ")
    assert exc.value.field == "title"
    with pytest.raises(DomainError):
        create(scanners["reception"], [])


def test_jobs_are_seen_only_within_the_unit_subtree(scanners):
    job = create(scanners["reception"], [scan_file(render_page(["GIẤY KHAI SINH"]))])
    assert selectors.scan_job_get_for_user(job_id=job.pk, user=scanners["clerk"]) == job
    assert selectors.scan_job_get_for_user(job_id=job.pk, user=scanners["district_specialist"]) == job
    for user in (scanners["other_commune"], scanners["leader"]):
        with pytest.raises(NotFound):
            selectors.scan_job_get_for_user(job_id=job.pk, user=user)
    assert selectors.scan_jobs_for_user(user=scanners["other_commune"]).rows == []


def test_the_job_is_enqueued_on_commit_and_runs_once(scanners, fake_ocr, django_capture_on_commit_callbacks):
    officer = scanners["reception"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = create(officer, [scan_file(render_page(["GIẤY KHAI SINH"]), user=officer)])
    assert len(callbacks) == 1 and job.status == ScanJob.Status.QUEUED, "nothing runs before the commit"
    callbacks[0]()
    job.refresh_from_db()
    assert job.status == ScanJob.Status.DONE and job.page_count == 1 and job.pdfa_part == "2B"
    assert job.started_at and job.finished_at and job.duration_seconds is not None
    assert job.text.startswith("GIẤY KHAI SINH") and "giay khai sinh" in job.search_text
    assert scan_job_run_task.call(job.pk) == "skipped"
    assert scan_job_run_task.call(job.pk) == "skipped"
    assert len(fake_ocr) == 1
    assert AuditEvent.objects.filter(action="digitization.scan_job_done").count() == 1
    assert DomainEvent.objects.filter(event_type="digitization.scan_completed").count() == 1


def test_images_of_several_files_are_assembled_in_order(scanners, fake_ocr):
    officer = scanners["clerk"]
    files = [scan_file(render_page(["Trang một"], fmt="JPEG"), "1.jpg"),
             scan_file(render_page(["Trang hai"], mode="RGBA", dpi=None), "2.png"),
             scan_file(render_page(["Trang ba"], fmt="TIFF"), "3.tif")]
    assert [f.mime_type for f in files] == ["image/jpeg", "image/png", "image/tiff"]
    job = create(officer, files)
    assert services.scan_job_run(job_id=job.pk) == "done"
    job.refresh_from_db()
    assert job.page_count == 3
    with pikepdf.open(io.BytesIO(fake_ocr[0])) as pdf:
        sizes = [(round(float(p.mediabox[2])), round(float(p.mediabox[3]))) for p in pdf.pages]
    # The scans keep their 300 dpi (A4 width, 595 pt); the photo without a resolution (a wide strip) is
    # laid out to fit an A4 sheet turned landscape (842 × 595 pt).
    assert sizes[0][0] == sizes[2][0] == round(2480 / 300 * 72)
    assert sizes[1][0] == 842 and sizes[1][1] <= 595


def test_a_corrupt_pdf_fails_with_a_vietnamese_message_not_an_error(scanners):
    officer = scanners["reception"]
    broken = scan_file(b"%PDF-1.7\n" + b"\x00garbage" * 100, "hong.pdf", officer)
    assert broken.mime_type == "application/pdf"
    job = create(officer, [broken])
    assert scan_job_run_task.call(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == ScanJob.Status.FAILED and job.error_code in ("pdf_unreadable", "no_pages")
    assert "hỏng" in job.error or "không có trang" in job.error
    assert job.finished_at and job.result is None
    assert AuditEvent.objects.filter(action="digitization.scan_job_fail").count() == 1
    assert scan_job_run_task.call(job.pk) == "skipped", "a failed job is not run again by a stray enqueue"


def test_a_password_protected_pdf_is_refused_with_advice(scanners):
    officer = scanners["reception"]
    pdf = pikepdf.new()
    pdf.add_blank_page()
    buffer = io.BytesIO()
    pdf.save(buffer, encryption=pikepdf.Encryption(owner="chu", user="mat-khau"))
    job = create(officer, [scan_file(buffer.getvalue(), "khoa.pdf", officer)])
    services.scan_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ScanJob.Status.FAILED and job.error_code == "pdf_encrypted"
    assert "mật khẩu" in job.error


def test_too_many_pages_fail_cleanly(scanners, settings, fake_ocr):
    settings.DIGITIZATION_MAX_PAGES = 2
    officer = scanners["reception"]
    page = render_page(["Trang"])
    job = create(officer, [scan_file(page, f"{i}.png") for i in range(3)])
    services.scan_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ScanJob.Status.FAILED and job.error_code == "too_many_pages" and "2 trang" in job.error
    assert fake_ocr == []


def test_an_unexpected_error_is_logged_and_the_job_failed_not_crashed(scanners, monkeypatch):
    from chinhquyenso.digitization import ocr

    def boom(*args, **kwargs):
        raise RuntimeError("tesseract segfault")

    monkeypatch.setattr(ocr, "recognise", boom)
    job = create(scanners["reception"], [scan_file(render_page(["GIẤY KHAI SINH"]))])
    assert services.scan_job_run(job_id=job.pk) == "failed"
    job.refresh_from_db()
    assert job.error_code == "internal" and "thử lại" in job.error


def test_a_failed_job_can_be_retried(scanners, fake_ocr, monkeypatch, django_capture_on_commit_callbacks):
    from chinhquyenso.digitization import ocr

    real = ocr.recognise
    monkeypatch.setattr(ocr, "recognise", lambda *a, **k: (_ for _ in ()).throw(ocr.ScanError("ocr_failed", "Lỗi")))
    job = create(scanners["reception"], [scan_file(render_page(["GIẤY KHAI SINH"]))])
    services.scan_job_run(job_id=job.pk)
    monkeypatch.setattr(ocr, "recognise", real)
    with pytest.raises(PermissionDenied):
        services.scan_job_retry(job=job, actor=scanners["other_commune"])
    with django_capture_on_commit_callbacks(execute=True):
        services.scan_job_retry(job=job, actor=scanners["clerk"])
    job.refresh_from_db()
    assert job.status == ScanJob.Status.DONE and job.error == "" and job.attempts == 1
    with pytest.raises(Conflict):
        services.scan_job_retry(job=job, actor=scanners["clerk"])


def test_a_running_job_is_left_to_its_worker_until_the_lease_runs_out(scanners, fake_ocr):
    job = create(scanners["reception"], [scan_file(render_page(["GIẤY KHAI SINH"]))])
    now = timezone.now()
    ScanJob.objects.filter(pk=job.pk).update(status=ScanJob.Status.RUNNING, attempts=1,
                                             lease_until=now + dt.timedelta(minutes=5))
    assert services.scan_job_run(job_id=job.pk) == "skipped"
    assert services.scan_jobs_resume_stalled() == 0
    # The worker died: after the lease, the sweep enqueues it and another worker finishes it.
    ScanJob.objects.filter(pk=job.pk).update(lease_until=now - dt.timedelta(seconds=1))
    assert services.scan_jobs_resume_stalled() == 1
    job.refresh_from_db()
    assert job.status == ScanJob.Status.DONE and job.attempts == 2


def test_a_job_that_keeps_killing_its_worker_is_failed(scanners, fake_ocr):
    job = create(scanners["reception"], [scan_file(render_page(["GIẤY KHAI SINH"]))])
    ScanJob.objects.filter(pk=job.pk).update(status=ScanJob.Status.RUNNING, attempts=services.MAX_ATTEMPTS,
                                             lease_until=timezone.now() - dt.timedelta(seconds=1))
    assert services.scan_job_run(job_id=job.pk) == "failed"
    job.refresh_from_db()
    assert job.error_code == "too_many_attempts" and fake_ocr == []


def test_a_lost_enqueue_is_repaired_by_the_sweep(scanners, fake_ocr):
    job = create(scanners["reception"], [scan_file(render_page(["GIẤY KHAI SINH"]))])  # on_commit never ran
    assert services.scan_jobs_resume_stalled() == 0, "within its lease a queued job is just waiting"
    later = timezone.now() + services.LEASE + dt.timedelta(seconds=1)
    assert services.scan_jobs_resume_stalled(now=later) == 1
    job.refresh_from_db()
    assert job.status == ScanJob.Status.DONE


def test_progress_is_written_to_the_row(scanners, monkeypatch):
    from chinhquyenso.digitization import ocr

    seen = []

    def recognise(input_pdf, output_pdf, *, title="", timeout=180.0, progress=None):
        for percent in (20, 40, 60):
            progress(f"Đang nhận dạng chữ: trang {percent // 20}/3", percent)
            seen.append(ScanJob.objects.values_list("progress_percent", "progress_message").get())
        raise ocr.ScanError("ocr_failed", "Dừng")

    monkeypatch.setattr(ocr, "recognise", recognise)
    job = create(scanners["reception"], [scan_file(render_page(["GIẤY KHAI SINH"]))])
    services.scan_job_run(job_id=job.pk)
    assert seen == [(20, "Đang nhận dạng chữ: trang 1/3"), (40, "Đang nhận dạng chữ: trang 2/3"),
                    (60, "Đang nhận dạng chữ: trang 3/3")]


def test_ocrmypdf_progress_bars_become_vietnamese_reports():
    from chinhquyenso.digitization import ocr_progress

    reports = []
    with ocr_progress.reporting(lambda message, percent: reports.append((message, percent))):
        with ocr_progress.ReportingProgressBar(total=4, desc="OCR", unit="page") as bar:
            bar.update()
            bar.update(2)
        with ocr_progress.ReportingProgressBar(total=None, desc="Something new in OCRmyPDF 18") as bar:
            bar.update()
    assert reports[0] == ("Đang nhận dạng chữ: trang 0/4", 10)
    assert reports[1] == ("Đang nhận dạng chữ: trang 1/4", 27)
    assert reports[-1] == ("Đang nhận dạng chữ: trang 4/4", 80)
    assert len(reports) == 4, "an unknown stage reports nothing"
    with ocr_progress.ReportingProgressBar(total=1, desc="OCR") as bar:  # no callback registered: silent
        bar.update()


def test_the_list_is_keyset_paginated_with_bounded_queries(scanners, django_assert_max_num_queries):
    officer = scanners["reception"]
    page = scan_file(render_page(["GIẤY KHAI SINH"]))
    for i in range(7):
        create(officer, [page], title=f"Tài liệu {i}")
    create(scanners["district_specialist"], [page], title="Quyết định của huyện", unit="477")
    with django_assert_max_num_queries(3):
        first = selectors.scan_jobs_for_user(user=officer, limit=5)
        [j.requested_by.get_full_name() for j in first.rows]
    assert len(first.rows) == 5 and first.next_cursor
    second = selectors.scan_jobs_for_user(user=officer, limit=5, cursor=first.next_cursor)
    assert len(second.rows) == 2 and not second.next_cursor
    titles = [j.title for j in first.rows + second.rows]
    assert titles == [f"Tài liệu {i}" for i in range(6, -1, -1)], "newest first, the district's job not shown"
    assert [j.title for j in selectors.scan_jobs_for_user(user=officer, q="TAI LIEU 3").rows] == ["Tài liệu 3"]
    assert len(selectors.scan_jobs_for_user(user=scanners["district_specialist"]).rows) == 8
    assert selectors.scan_jobs_for_user(user=officer, cursor="rác").rows, "a bad cursor is ignored"
