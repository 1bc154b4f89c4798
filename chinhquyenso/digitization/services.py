"""Use cases of digitisation (scan → PDF/A with a text layer) and of the citizen data warehouse.

A scan job is created in a request (``scan_job_create``), runs in a worker (``scan_job_run``, via the
thin task in ``tasks.py``) and reports its progress on the row, which the page polls. Running is
idempotent: a conditional UPDATE claims the job, so a job enqueued twice runs once, and a job whose
worker died is claimed again when its lease runs out (``scan_jobs_resume_stalled``).
"""

from __future__ import annotations

import logging
import tempfile
import time
from datetime import timedelta
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhquyenso.core.audit import audit_record
from chinhquyenso.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from chinhquyenso.core.events import event_record
from chinhquyenso.core.files import MB, FilePolicy, policy_for, register_policy, stored_file_create
from chinhquyenso.core.text import fold
from chinhquyenso.digitization import ocr, policies
from chinhquyenso.digitization.models import PersonalDocument, ScanJob, ScanJobFile

log = logging.getLogger(__name__)

SCAN_PURPOSE = "scan"
# Where a scan job came from, when it is the digitised copy of something else.
SOURCE_DOSSIER_DOCUMENT = "dossiers.document"

LEASE = timedelta(minutes=15)  # renewed with every progress report; a page takes seconds
MAX_ATTEMPTS = 3  # a job that killed its worker this many times is failed, not retried forever
MAX_FILES = 50
MAX_TEXT = 1_000_000  # characters of recognised text kept for search


def register_file_policy() -> None:
    """The ``scan`` upload purpose: PDF or scanned images, up to DIGITIZATION_MAX_UPLOAD_MB."""
    register_policy(SCAN_PURPOSE, FilePolicy(ocr.SCAN_TYPES, settings.DIGITIZATION_MAX_UPLOAD_MB * MB,
                                             "Bản quét giấy tờ"))


# ---------------------------------------------------------------------------------------------
# Citizen data warehouse


@transaction.atomic
def personal_document_add(*, owner, file, title: str, kind: str, issued_by=None, issued_on=None,
                          document_number: str = "", source_dossier_id=None, is_digitized=False,
                          actor=None) -> PersonalDocument:
    """Put a document into the owner's data warehouse (idempotent per owner + file)."""
    existing = PersonalDocument.objects.filter(owner=owner, file=file).first()
    if existing:
        return existing
    document = PersonalDocument.objects.create(
        owner=owner, file=file, title=title, kind=kind, issued_by=issued_by, issued_on=issued_on,
        document_number=document_number, source_dossier_id=source_dossier_id, matches=[fold(title)],
        is_digitized=is_digitized,
    )
    audit_record(action="digitization.personal_document_add", actor=actor, obj=document,
                 after={"owner": owner.pk, "title": title, "kind": kind})
    return document


def personal_document_get_for_owner(*, owner, document_id: int) -> PersonalDocument:
    document = PersonalDocument.objects.filter(owner=owner, pk=document_id).select_related("file").first()
    if document is None:
        raise NotFound("personal_document_not_found", "Không tìm thấy giấy tờ trong kho dữ liệu của bạn.")
    return document


@transaction.atomic
def personal_document_upload(*, owner, content, name: str, title: str, document_number: str = "",
                             issued_on=None) -> PersonalDocument:
    """The citizen puts one of their own papers (a scan, a photo, a PDF) into their warehouse."""
    if getattr(owner, "kind", "") not in ("citizen", "organisation"):
        raise PermissionDenied("warehouse_citizens_only", _("Kho dữ liệu dành cho công dân, tổ chức."))
    title = (title or "").strip()
    if not title:
        raise DomainError("title_required", _("Vui lòng nhập tên giấy tờ."), "title")
    stored = stored_file_create(content=content, name=name, purpose="document", uploaded_by=owner)
    document = personal_document_add(owner=owner, file=stored, title=title[:500], kind=PersonalDocument.Kind.UPLOADED,
                                     document_number=(document_number or "").strip()[:60], issued_on=issued_on,
                                     actor=owner)
    event_record(event_type="digitization.personal_document_uploaded", aggregate=document, actor=owner,
                 payload={"title": document.title})
    return document


@transaction.atomic
def personal_document_delete(*, document: PersonalDocument, actor) -> None:
    """Remove a document the citizen uploaded themselves. Results issued by an agency and papers
    filed with a dossier stay: they are the record of what was issued and submitted."""
    locked = PersonalDocument.objects.select_for_update().filter(pk=document.pk).first()
    if locked is None or not policies.owns_personal_document(actor, locked):
        raise NotFound("personal_document_not_found", _("Không tìm thấy giấy tờ trong kho dữ liệu của bạn."))
    if not policies.can_delete_personal_document(actor, locked):
        raise PermissionDenied("personal_document_locked",
                               _("Chỉ xóa được giấy tờ bạn tự tải lên; kết quả do cơ quan cấp và giấy tờ đã nộp "
                                 "kèm hồ sơ được lưu giữ."))
    stored = locked.file
    audit_record(action="digitization.personal_document_delete", actor=actor, obj=locked,
                 before={"owner": locked.owner_id, "title": locked.title, "kind": locked.kind})
    event_record(event_type="digitization.personal_document_deleted", aggregate=locked, actor=actor,
                 payload={"title": locked.title})
    locked.delete()
    # The file goes too unless something else still refers to it (a dossier that reused it).
    try:
        with transaction.atomic():
            key = stored.storage_key
            stored.delete()
    except ProtectedError:
        return
    transaction.on_commit(partial(default_storage.delete, key))


# ---------------------------------------------------------------------------------------------
# Scan jobs


def _check_files(files) -> list:
    files = list(files or [])
    if not files:
        raise DomainError("files_required", _("Vui lòng chọn tệp bản quét (PDF, JPEG, PNG hoặc TIFF)."), "files")
    if len(files) > MAX_FILES:
        raise DomainError("too_many_files", _("Mỗi lần số hóa tối đa %(n)s tệp.") % {"n": MAX_FILES}, "files")
    for stored in files:
        if stored.mime_type not in ocr.SCAN_TYPES:
            raise DomainError("file_type_not_allowed",
                              _("Tệp “%(name)s” không phải PDF hoặc ảnh quét (%(types)s).")
                              % {"name": stored.original_name, "types": policy_for(SCAN_PURPOSE).describe_types()},
                              "files")
    return files


def _enqueue(job_id: int) -> None:
    from chinhquyenso.digitization.tasks import scan_job_run_task

    try:
        scan_job_run_task.enqueue(job_id)
    except Exception:  # the queue is down: the job stays queued and the sweep enqueues it again
        log.exception("could not enqueue scan job %s", job_id)


@transaction.atomic
def scan_job_create(*, files, requested_by, unit, title: str, source: tuple[str, object] | None = None) -> ScanJob:
    """Queue the digitisation of one document (its scanned pages, in order). ``files`` are stored
    files (PDF/JPEG/PNG/TIFF, e.g. uploaded with purpose "scan"); ``source`` is what the result is
    the digitised copy of, e.g. ``("dossiers.document", 12)``."""
    if not policies.can_scan_in_unit(requested_by, unit):
        raise PermissionDenied()
    title = (title or "").strip()
    if not title:
        raise DomainError("title_required", _("Vui lòng nhập tên tài liệu."), "title")
    files = _check_files(files)
    source_type, source_id = (source[0], str(source[1])) if source else ("", "")
    job = ScanJob.objects.create(
        title=title[:300], search_text=fold(title), unit=unit, requested_by=requested_by, source_type=source_type,
        source_id=source_id,
        language="+".join(ocr.LANGUAGES), progress_message=_("Đang chờ đến lượt xử lý"),
        lease_until=timezone.now() + LEASE,
    )
    ScanJobFile.objects.bulk_create([ScanJobFile(job=job, file=f, order=i) for i, f in enumerate(files, start=1)])
    audit_record(action="digitization.scan_job_create", actor=requested_by, obj=job, unit=unit,
                 after={"title": job.title, "files": [str(f.pk) for f in files],
                        "source": f"{source_type}:{source_id}"})
    event_record(event_type="digitization.scan_requested", aggregate=job, unit=unit, actor=requested_by,
                 payload={"title": job.title, "source_type": source_type, "source_id": source_id})
    transaction.on_commit(partial(_enqueue, job.pk))
    return job


@transaction.atomic
def scan_job_create_from_uploads(*, uploads, requested_by, unit, title: str) -> ScanJob:
    """The scan page: check and store the uploaded files (purpose "scan"), then queue the job."""
    if not policies.can_scan_in_unit(requested_by, unit):
        raise PermissionDenied()
    uploads = list(uploads or [])
    if len(uploads) > MAX_FILES:
        raise DomainError("too_many_files", _("Mỗi lần số hóa tối đa %(n)s tệp.") % {"n": MAX_FILES}, "files")
    try:
        files = [stored_file_create(content=u, name=u.name, purpose=SCAN_PURPOSE, uploaded_by=requested_by)
                 for u in uploads]
    except DomainError as exc:
        raise DomainError(exc.code, exc.message, "files") from exc
    return scan_job_create(files=files, requested_by=requested_by, unit=unit, title=title)


@transaction.atomic
def scan_job_retry(*, job: ScanJob, actor) -> ScanJob:
    """Queue a failed job again (after the administrator fixed the server, or just to try again)."""
    if not policies.can_view_scan_job(actor, job):
        raise PermissionDenied()
    locked = ScanJob.objects.select_for_update().get(pk=job.pk)
    if locked.status != ScanJob.Status.FAILED:
        raise Conflict("scan_job_not_failed", _("Chỉ chạy lại được lượt số hóa không thành công."))
    locked.status = ScanJob.Status.QUEUED
    locked.attempts = 0
    locked.error_code = locked.error = ""
    locked.progress_percent = 0
    locked.progress_message = _("Đang chờ đến lượt xử lý")
    locked.lease_until = timezone.now() + LEASE
    locked.finished_at = None
    locked.save()
    audit_record(action="digitization.scan_job_retry", actor=actor, obj=locked, unit=locked.unit)
    transaction.on_commit(partial(_enqueue, locked.pk))
    return locked


class _Reporter:
    """Writes progress to the job row (each write its own short transaction, so the page sees it),
    at most every half second, and renews the lease while it is at it."""

    def __init__(self, job_id: int, attempt: int):
        self.job_id, self.attempt = job_id, attempt
        self.percent, self.message, self.at = 0, "", 0.0

    def __call__(self, message: str, percent: int) -> None:
        percent = max(self.percent, min(99, int(percent)))
        now = time.monotonic()
        if message == self.message and (percent == self.percent or now - self.at < 0.5):
            return
        self.percent, self.message, self.at = percent, message, now
        ScanJob.objects.filter(pk=self.job_id, status=ScanJob.Status.RUNNING, attempts=self.attempt).update(
            progress_percent=percent, progress_message=message[:200], lease_until=timezone.now() + LEASE)


def scan_job_run(*, job_id: int) -> str:
    """Digitise one queued job. Idempotent: returns "skipped" when the job is done, failed or held
    by a live worker; else "done" or "failed". Never raises for a bad document."""
    now = timezone.now()
    claimable = Q(status=ScanJob.Status.QUEUED) | Q(status=ScanJob.Status.RUNNING, lease_until__lt=now)
    # The claim: one conditional UPDATE (atomic on every backend), so two workers never both run it.
    claimed = ScanJob.objects.filter(claimable, pk=job_id).update(
        status=ScanJob.Status.RUNNING, attempts=F("attempts") + 1, started_at=now, lease_until=now + LEASE,
        progress_percent=2, progress_message=_("Đang chuẩn bị tài liệu"))
    if not claimed:
        return "skipped"
    job = ScanJob.objects.select_related("unit", "requested_by").get(pk=job_id)
    if job.attempts > MAX_ATTEMPTS:
        _fail(job, ocr.ScanError("too_many_attempts", _("Tài liệu đã làm gián đoạn việc số hóa nhiều lần; hãy kiểm "
                                                        "tra lại bản quét hoặc chia nhỏ tài liệu.")))
        return "failed"
    report = _Reporter(job.pk, job.attempts)
    try:
        with tempfile.TemporaryDirectory(prefix="cqs-scan-") as tmp:
            workdir = Path(tmp)
            sources = [ocr.Source(name=i.file.original_name, mime_type=i.file.mime_type, content=_read(i.file))
                       for i in job.inputs.select_related("file").order_by("order")]
            ocr.assemble(sources, workdir / "input.pdf", max_pages=settings.DIGITIZATION_MAX_PAGES)
            report(_("Đang nhận dạng chữ"), 5)
            outcome = ocr.recognise(workdir / "input.pdf", workdir / "output.pdf", title=job.title,
                                    timeout=settings.DIGITIZATION_OCR_TIMEOUT_SECONDS, progress=report)
            if not outcome.pdfa_part.startswith("2"):
                raise ocr.ScanError("not_pdfa", _("Tệp kết quả không đạt chuẩn lưu trữ PDF/A-2."))
            report(_("Đang lưu tệp PDF/A"), 98)
            result = stored_file_create(content=outcome.pdf_path.read_bytes(), name=f"{job.title[:120]}.pdf",
                                        purpose=SCAN_PURPOSE, uploaded_by=job.requested_by)
    except ocr.ScanError as exc:
        _fail(job, exc)
        return "failed"
    except DomainError as exc:  # the result did not fit the file policy (size)
        _fail(job, ocr.ScanError(exc.code, exc.message))
        return "failed"
    except Exception:
        log.exception("scan job %s failed unexpectedly", job.pk)
        _fail(job, ocr.ScanError("internal", _("Có lỗi khi số hóa tài liệu. Vui lòng thử lại; nếu vẫn lỗi, báo "
                                               "quản trị hệ thống.")))
        return "failed"
    return "done" if _complete(job, result=result, outcome=outcome) else "skipped"


def _read(stored) -> bytes:
    with stored.open() as handle:
        return handle.read()


@transaction.atomic
def _fail(job: ScanJob, exc: ocr.ScanError) -> None:
    now = timezone.now()
    updated = ScanJob.objects.filter(pk=job.pk, status=ScanJob.Status.RUNNING, attempts=job.attempts).update(
        status=ScanJob.Status.FAILED, error_code=exc.code[:40], error=exc.message, finished_at=now, lease_until=None,
        progress_message=_("Không thành công"))
    if not updated:
        return
    log.info("scan job %s failed: %s (%s)", job.pk, exc.code, exc.message)
    audit_record(action="digitization.scan_job_fail", obj=job, unit=job.unit,
                 after={"error_code": exc.code})
    event_record(event_type="digitization.scan_failed", aggregate=job, unit=job.unit,
                 payload={"title": job.title, "error_code": exc.code})


@transaction.atomic
def _complete(job: ScanJob, *, result, outcome: ocr.Outcome) -> bool:
    now = timezone.now()
    text = outcome.text[:MAX_TEXT]
    updated = ScanJob.objects.filter(pk=job.pk, status=ScanJob.Status.RUNNING, attempts=job.attempts).update(
        status=ScanJob.Status.DONE, result=result, text=text, search_text=fold(f"{job.title}\n{text}"),
        page_count=outcome.page_count, pdfa_part=outcome.pdfa_part, ocr_mode=outcome.mode, finished_at=now,
        lease_until=None, progress_percent=100, progress_message=_("Đã số hóa xong"), error_code="", error="")
    if not updated:  # another worker took the job over after our lease ran out, and owns it now
        return False
    job.refresh_from_db()
    audit_record(action="digitization.scan_job_done", obj=job, unit=job.unit,
                 after={"result": str(result.pk), "pages": outcome.page_count, "pdfa": outcome.pdfa_part,
                        "mode": outcome.mode, "seconds": job.duration_seconds})
    event_record(event_type="digitization.scan_completed", aggregate=job, unit=job.unit,
                 payload={"title": job.title, "pages": outcome.page_count, "source_type": job.source_type,
                          "source_id": job.source_id})
    if job.source_type == SOURCE_DOSSIER_DOCUMENT:
        _apply_to_dossier_document(job)
    return True


# ---------------------------------------------------------------------------------------------
# Dossier components


def dossier_document_digitize(*, dossier_document, actor) -> ScanJob:
    """Digitise a component of a dossier (e.g. a paper handed in at the desk and scanned as images):
    when the job is done the component points at the PDF/A copy (the original stays with the job)
    and the dossier is re-evaluated for indicator 4.2 (``dossiers.services.dossier_mark_digitized``).
    Asking again while a job for it is queued or running returns that job."""
    dossier = dossier_document.dossier
    if not policies.can_scan_in_unit(actor, dossier.unit):
        raise PermissionDenied()
    pending = (ScanJob.objects.filter(source_type=SOURCE_DOSSIER_DOCUMENT, source_id=str(dossier_document.pk),
                                      status__in=[ScanJob.Status.QUEUED, ScanJob.Status.RUNNING])
               .order_by("-id").first())
    if pending is not None:
        return pending
    stored = dossier_document.file
    done = ScanJob.objects.filter(source_type=SOURCE_DOSSIER_DOCUMENT, source_id=str(dossier_document.pk),
                                  status=ScanJob.Status.DONE, result_id=stored.pk).exists()
    if done:
        raise Conflict("already_digitized", _("Thành phần hồ sơ này đã được số hóa."))
    if stored.mime_type not in ocr.SCAN_TYPES:
        raise DomainError("file_type_not_allowed", _("Chỉ số hóa được tệp PDF hoặc ảnh quét (JPEG, PNG, TIFF)."))
    return scan_job_create(files=[stored], requested_by=actor, unit=dossier.unit,
                           title=f"{dossier.code} — {dossier_document.name}",
                           source=(SOURCE_DOSSIER_DOCUMENT, dossier_document.pk))


def _apply_to_dossier_document(job: ScanJob) -> None:
    """The digitised copy replaces the component's file (when nobody replaced it meanwhile); a
    citizen's warehouse copy of that paper is upgraded to the PDF/A too."""
    from chinhquyenso.dossiers.services import dossier_mark_digitized

    original = job.inputs.order_by("order").values_list("file_id", flat=True).first()
    try:
        with transaction.atomic():
            dossier = dossier_mark_digitized(document_id=int(job.source_id), digitized_file=job.result,
                                             original_file_id=original, actor=job.requested_by)
    except (DomainError, ValueError) as exc:
        log.info("scan job %s: component %s not replaced (%s)", job.pk, job.source_id, exc)
        ScanJob.objects.filter(pk=job.pk).update(
            progress_message=_("Đã số hóa xong; thành phần hồ sơ đã thay đổi nên không thay thế tệp"))
        return
    if dossier.applicant_id:
        copy = PersonalDocument.objects.filter(owner_id=dossier.applicant_id, file_id=original).first()
        if copy is not None:
            PersonalDocument.objects.filter(pk=copy.pk).update(file=job.result, is_digitized=True)
            audit_record(action="digitization.personal_document_digitized", obj=copy, actor=job.requested_by,
                         after={"file": str(job.result_id)})


# ---------------------------------------------------------------------------------------------
# Safety net


def scan_jobs_resume_stalled(*, now=None, limit: int = 100) -> int:
    """Enqueue again the jobs whose enqueue was lost (queued, past their lease) and those whose
    worker died (running, past their lease). Running them is idempotent, so a spare enqueue is harmless."""
    now = now or timezone.now()
    stalled = list(ScanJob.objects.filter(status__in=[ScanJob.Status.QUEUED, ScanJob.Status.RUNNING],
                                          lease_until__lt=now).order_by("lease_until")
                   .values_list("pk", flat=True)[:limit])
    for job_id in stalled:
        # Queued rows get a fresh lease so the next sweep leaves them alone while they wait their turn.
        ScanJob.objects.filter(pk=job_id, status=ScanJob.Status.QUEUED).update(lease_until=now + LEASE)
        _enqueue(job_id)
    return len(stalled)
