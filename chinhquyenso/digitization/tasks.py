"""Background work of digitisation: thin, idempotent wrappers around the services."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from chinhquyenso.core.schedule import periodic


@task()
def scan_job_run_task(job_id: int) -> str:
    """OCR one scan job into a PDF/A (a job already done, failed or held by a live worker is skipped)."""
    from chinhquyenso.digitization.services import scan_job_run

    return scan_job_run(job_id=job_id)


@periodic("digitization.resume_stalled", every=timedelta(minutes=5))
def _resume_stalled() -> None:
    """Re-enqueue scan jobs whose enqueue was lost or whose worker died (the lease ran out)."""
    from chinhquyenso.digitization.services import scan_jobs_resume_stalled

    scan_jobs_resume_stalled()
