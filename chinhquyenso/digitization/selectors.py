"""Reads of digitisation and of the citizen data warehouse. Staff lists start from the user's units."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from chinhquyenso.core.errors import NotFound
from chinhquyenso.core.parsing import parse_id
from chinhquyenso.core.text import search_terms
from chinhquyenso.digitization.models import PersonalDocument, ScanJob
from chinhquyenso.digitization.policies import SCAN_ROLES
from chinhquyenso.units.selectors import unit_scope_q


def personal_documents_for(owner, *, limit: int = 200):
    return PersonalDocument.objects.filter(owner=owner).select_related("file", "issued_by")[:limit]


def personal_document_count(*, user) -> int:
    return PersonalDocument.objects.filter(owner=user).count()


def _visible_jobs(user):
    return ScanJob.objects.filter(unit_scope_q(user, roles=SCAN_ROLES))


@dataclass(frozen=True)
class JobPage:
    rows: list[ScanJob]
    next_cursor: str  # "" when this is the last page


def _cursor(job: ScanJob) -> str:
    return f"{job.created_at.isoformat()}_{job.pk}"


def _parse_cursor(cursor: str) -> tuple[dt.datetime, int] | None:
    at, _sep, pk = (cursor or "").rpartition("_")
    try:
        at = dt.datetime.fromisoformat(at)
    except (TypeError, ValueError):
        return None
    return (at, parse_id(pk)) if parse_id(pk) is not None else None


def scan_jobs_for_user(*, user, q: str = "", status: str = "", cursor: str = "", limit: int = 25) -> JobPage:
    """The staff list: jobs of the user's units, newest first, keyset-paginated (no COUNT, no OFFSET).
    The recognised text is not loaded (it can be long); search matches the folded title and text."""
    qs = (_visible_jobs(user).select_related("unit", "requested_by", "result")
          .defer("text", "search_text").order_by("-created_at", "-id"))
    for term in search_terms(q)[:6]:
        qs = qs.filter(search_text__contains=term)  # trigram index on PostgreSQL
    if status in ScanJob.Status.values:
        qs = qs.filter(status=status)
    after = _parse_cursor(cursor) if cursor else None
    if after:
        at, pk = after
        qs = qs.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return JobPage(rows=rows, next_cursor=_cursor(rows[-1]) if more and rows else "")


def scan_job_get_for_user(*, job_id: int, user) -> ScanJob:
    """A job the user may see; missing and forbidden look the same."""
    job = _visible_jobs(user).select_related("unit", "requested_by", "result").filter(pk=job_id).first()
    if job is None:
        raise NotFound("scan_job_not_found", "Không tìm thấy lượt số hóa.")
    return job


def scan_job_count_active(*, user) -> int:
    return _visible_jobs(user).filter(status__in=[ScanJob.Status.QUEUED, ScanJob.Status.RUNNING]).count()


def scan_jobs_for_sources(*, source_type: str, source_ids) -> dict[str, ScanJob]:
    """The latest scan job of each source (e.g. each component of a dossier), for showing its
    status next to it: ``{source_id: job}``. One query."""
    ids = [str(i) for i in source_ids]
    latest: dict[str, ScanJob] = {}
    for job in (ScanJob.objects.filter(source_type=source_type, source_id__in=ids)
                .defer("text", "search_text").order_by("source_id", "-created_at", "-id")):
        latest.setdefault(job.source_id, job)
    return latest
