"""Reads of the feedback app: queues, public lists, duplicates, statistics.

Lists are keyset-paginated on indexed columns and bounded; permission filters are part of the SQL
(unit path prefix or the user's agencies), never a check per row; dashboards count over indexed
columns (status, unit, category, submitted_at, answered_on_time, rating) with one aggregate query.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass

from django.db.models import Avg, Count, F, IntegerField, Q, QuerySet
from django.db.models.functions import Cast, Floor
from django.utils import timezone

from chinhquyenso.core.db import reporting_db
from chinhquyenso.core.errors import NotFound
from chinhquyenso.core.parsing import parse_id
from chinhquyenso.core.text import fold
from chinhquyenso.feedback import geo
from chinhquyenso.feedback.constants import AGENCY_OPEN_STATUSES, SATISFIED_RATINGS, PublicStatus, Status
from chinhquyenso.feedback.models import Feedback, FeedbackCategory
from chinhquyenso.feedback.policies import (
    COORDINATOR_ROLES,
    STATISTICS_ROLES,
    can_view_statistics_of,
    handler_agency_ids,
    is_coordinator,
    is_handler,
    is_reporter,
)
from chinhquyenso.units.selectors import unit_scope_q

PAGE_SIZE = 20
_LIST_RELATED = ("category", "unit", "agency")


# --- keyset pages ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Page:
    items: list
    next_cursor: str | None


def _cursor_encode(value, pk: int) -> str:
    return f"{value.isoformat()}_{pk}"


def _cursor_decode(cursor: str | None, kind: type):
    if not cursor or "_" not in cursor:
        return None
    raw, _sep, pk = cursor.rpartition("_")
    try:
        value = dt.datetime.fromisoformat(raw) if kind is dt.datetime else dt.date.fromisoformat(raw)
    except ValueError:
        return None
    return (value, parse_id(pk)) if parse_id(pk) is not None else None


def _page(qs: QuerySet, *, field: str, descending: bool, cursor: str | None, limit: int, kind: type) -> Page:
    decoded = _cursor_decode(cursor, kind)
    if decoded is not None:
        value, pk = decoded
        if descending:
            qs = qs.filter(Q(**{f"{field}__lt": value}) | Q(**{field: value, "pk__lt": pk}))
        else:
            qs = qs.filter(Q(**{f"{field}__gt": value}) | Q(**{field: value, "pk__gt": pk}))
    order = [f"-{field}", "-pk"] if descending else [field, "pk"]
    rows = list(qs.order_by(*order)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _cursor_encode(getattr(rows[-1], field), rows[-1].pk) if more and rows else None
    return Page(rows, next_cursor)


# --- gatekeepers -------------------------------------------------------------------------------

def feedback_get_public(*, code: str) -> Feedback:
    """A published report (or one merged into a published report), else NotFound."""
    feedback = (Feedback.objects.select_related(*_LIST_RELATED, "merged_into")
                .filter(code=code).first())
    if feedback is None or not (feedback.is_published or feedback.status == Status.MERGED):
        raise NotFound("feedback_not_found", "Không tìm thấy phản ánh.")
    return feedback


def feedback_get_for_reporter(*, code: str, user) -> Feedback:
    feedback = Feedback.objects.select_related(*_LIST_RELATED, "merged_into").filter(code=code).first()
    if feedback is None or not is_reporter(user, feedback):
        raise NotFound("feedback_not_found", "Không tìm thấy phản ánh.")
    return feedback


def feedback_get_for_staff(*, code: str, user) -> Feedback:
    """Missing or out of the user's scope: the same NotFound, so codes reveal nothing."""
    feedback = Feedback.objects.select_related(*_LIST_RELATED, "merged_into", "reporter").filter(code=code).first()
    if feedback is None or not (is_coordinator(user, feedback) or is_handler(user, feedback)
                                or can_view_statistics_of(user, feedback)):
        raise NotFound("feedback_not_found", "Không tìm thấy phản ánh.")
    return feedback


def feedback_timeline(*, feedback: Feedback, for_reporter: bool):
    qs = feedback.updates.select_related("author")
    return list(qs.filter(visible_to_reporter=True) if for_reporter else qs)


def feedback_photos(*, feedback: Feedback, public_only: bool):
    qs = feedback.photos.all()
    if public_only:
        qs = qs.filter(public__isnull=False, hidden=False)
    return list(qs)


# --- queues ----------------------------------------------------------------------------------

def coordinator_queue(*, user, cursor: str | None = None, limit: int = PAGE_SIZE, status: str = Status.NEW) -> Page:
    """New reports in the coordinator's units, oldest moderation deadline first."""
    qs = (Feedback.objects.filter(unit_scope_q(user, roles=COORDINATOR_ROLES), status=status)
          .select_related(*_LIST_RELATED))
    return _page(qs, field="submitted_at", descending=False, cursor=cursor, limit=limit, kind=dt.datetime)


def coordinator_queue_count(*, user) -> int:
    return Feedback.objects.filter(unit_scope_q(user, roles=COORDINATOR_ROLES), status=Status.NEW).count()


def agency_queue(*, user, cursor: str | None = None, limit: int = PAGE_SIZE, overdue_only: bool = False,
                 now: dt.datetime | None = None) -> Page:
    """The open reports of the user's agencies, nearest deadline first (index fb_agency_queue_idx)."""
    agencies = handler_agency_ids(user)
    qs = (Feedback.objects.filter(agency_id__in=agencies, status__in=AGENCY_OPEN_STATUSES)
          .select_related(*_LIST_RELATED))
    if overdue_only:
        qs = qs.filter(due_date__lt=timezone.localdate(now or timezone.now()))
    return _page(qs, field="due_date", descending=False, cursor=cursor, limit=limit, kind=dt.date)


def agency_queue_count(*, user) -> int:
    agencies = handler_agency_ids(user)
    if not agencies:
        return 0
    return Feedback.objects.filter(agency_id__in=agencies, status__in=AGENCY_OPEN_STATUSES).count()


def reporter_list(*, user, cursor: str | None = None, limit: int = PAGE_SIZE) -> Page:
    qs = Feedback.objects.filter(reporter_id=user.pk).select_related(*_LIST_RELATED)
    return _page(qs, field="submitted_at", descending=True, cursor=cursor, limit=limit, kind=dt.datetime)


def reporter_count(*, user) -> int:
    return Feedback.objects.filter(reporter_id=user.pk).count()


# --- public ------------------------------------------------------------------------------------

def public_queryset(*, category: str = "", unit: str = "", status: str = "") -> QuerySet[Feedback]:
    qs = Feedback.objects.filter(is_published=True)
    if category:
        qs = qs.filter(category__code=category)
    if unit:
        from chinhquyenso.units.models import AdministrativeUnit

        target = AdministrativeUnit.objects.filter(code=unit).first()
        qs = qs.filter(unit__path__startswith=target.path) if target else qs.none()
    if status in PublicStatus.values:
        qs = qs.filter(public_status=status)
    return qs


def public_list(*, category: str = "", unit: str = "", status: str = "", cursor: str | None = None,
                limit: int = PAGE_SIZE) -> Page:
    qs = public_queryset(category=category, unit=unit, status=status).select_related(*_LIST_RELATED)
    return _page(qs, field="submitted_at", descending=True, cursor=cursor, limit=limit, kind=dt.datetime)


def public_map_features(*, category: str = "", unit: str = "", status: str = "", limit: int = 1000) -> dict:
    """GeoJSON of the newest published reports with a location (only public fields)."""
    from django.urls import reverse

    rows = (public_queryset(category=category, unit=unit, status=status)
            .filter(latitude__isnull=False, longitude__isnull=False)
            .order_by("-submitted_at", "-id")
            .values_list("code", "public_title", "latitude", "longitude", "public_status", "category__name")[:limit])
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
         "properties": {"code": code, "title": title, "status": st, "category": cat,
                        "url": reverse("feedback:detail", args=[code])}}
        for code, title, lat, lon, st, cat in rows
    ]
    return {"type": "FeatureCollection", "features": features}


def boundaries_geojson() -> dict:
    from chinhquyenso.units.models import AdministrativeUnit

    rows = (AdministrativeUnit.objects.filter(boundary__isnull=False, is_active=True)
            .values_list("code", "full_name", "level", "boundary").order_by("path"))
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": boundary, "properties": {"code": code, "name": name, "level": level}}
        for code, name, level, boundary in rows
    ]}


# --- duplicates --------------------------------------------------------------------------------

@dataclass(frozen=True)
class DuplicateCandidate:
    feedback: Feedback
    distance_m: float | None
    similarity: float
    score: float


def text_similarity(a: str, b: str) -> float:
    """Similarity of two texts, accent-folded: the better of word overlap and sequence match."""
    fa, fb = fold(a), fold(b)
    if not fa or not fb:
        return 0.0
    wa, wb = set(fa.split()), set(fb.split())
    jaccard = len(wa & wb) / len(wa | wb) if wa | wb else 0.0
    ratio = difflib.SequenceMatcher(None, fa[:500], fb[:500], autojunk=False).ratio()
    return max(jaccard, ratio)


def feedback_duplicates(*, category: FeedbackCategory, text: str, latitude: float | None = None,
                        longitude: float | None = None, unit=None, exclude_id: int | None = None,
                        published_only: bool = True, now: dt.datetime | None = None, limit: int = 5,
                        min_similarity: float = 0.45) -> list[DuplicateCandidate]:
    """Reports of the same category within the category's time window that are near the point
    (within ``duplicate_radius_m``) or, without a point, in the same unit with similar text.

    Candidates come from an indexed pre-filter (category + time + latitude band or unit), at most
    200 rows; distance and similarity are computed in Python on those.
    """
    now = now or timezone.now()
    since = now - dt.timedelta(days=category.duplicate_window_days)
    qs = (Feedback.objects.filter(category=category, submitted_at__gte=since)
          .exclude(status__in=[Status.REJECTED, Status.MERGED]))
    if published_only:
        qs = qs.filter(is_published=True)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    has_point = latitude is not None and longitude is not None
    radius = category.duplicate_radius_m
    if has_point:
        lat_min, lat_max, lon_min, lon_max = geo.bounding_box(latitude, longitude, radius)
        near = Q(latitude__range=(lat_min, lat_max), longitude__range=(lon_min, lon_max))
        qs = qs.filter(near | Q(unit=unit)) if unit is not None else qs.filter(near)
    elif unit is not None:
        qs = qs.filter(unit=unit)
    else:
        return []
    candidates = []
    for row in qs.select_related(*_LIST_RELATED).order_by("-submitted_at")[:200]:
        distance = (geo.distance_m(latitude, longitude, row.latitude, row.longitude)
                    if has_point and row.latitude is not None else None)
        title = row.public_title if published_only else row.title
        full = f"{row.public_title} {row.public_description}" if published_only else row.text_folded
        similarity = max(text_similarity(text, title), text_similarity(text, full))
        close = distance is not None and distance <= radius
        if not close and similarity < min_similarity:
            continue
        proximity = 1 - distance / radius if close else 0.0
        candidates.append(DuplicateCandidate(row, distance, similarity, round(proximity + similarity, 3)))
    candidates.sort(key=lambda c: -c.score)
    return candidates[:limit]


# --- statistics --------------------------------------------------------------------------------

def _stats_base(*, user, date_from: dt.date, date_to: dt.date, unit=None, category=None) -> QuerySet:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    qs = (Feedback.objects.using(reporting_db())
          .filter(unit_scope_q(user, roles=STATISTICS_ROLES), submitted_at__gte=start, submitted_at__lt=end)
          .exclude(status__in=[Status.REJECTED, Status.MERGED]))
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if category is not None:
        qs = qs.filter(category=category)
    return qs


def _figures(today: dt.date) -> dict:
    answered = Q(answered_at__isnull=False)
    return {
        "received": Count("id"),
        "answered": Count("id", filter=answered),
        "on_time": Count("id", filter=Q(answered_on_time=True)),
        "answered_late": Count("id", filter=Q(answered_on_time=False)),
        "open_overdue": Count("id", filter=Q(answered_at__isnull=True, due_date__lt=today,
                                              status__in=[Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS])),
        "rated": Count("id", filter=Q(rating__isnull=False)),
        "satisfied": Count("id", filter=Q(rating__in=list(SATISFIED_RATINGS))),
        "avg_days": Avg("answer_working_days"),
    }


def _rates(row: dict) -> dict:
    row = dict(row)
    row["late"] = row["answered_late"] + row["open_overdue"]
    row["on_time_rate"] = round(100 * row["on_time"] / row["answered"], 1) if row["answered"] else None
    row["satisfaction_rate"] = round(100 * row["satisfied"] / row["rated"], 1) if row["rated"] else None
    row["avg_days"] = round(row["avg_days"], 1) if row["avg_days"] is not None else None
    return row


def median_answer_days(qs: QuerySet) -> float | None:
    """Median working days to answer: two indexed queries (count, then the middle row(s))."""
    answered = qs.filter(answer_working_days__isnull=False)
    n = answered.count()
    if not n:
        return None
    values = list(answered.order_by("answer_working_days").values_list("answer_working_days", flat=True)
                  [(n - 1) // 2: n // 2 + 1])
    return sum(values) / len(values)


def feedback_statistics(*, user, date_from: dt.date, date_to: dt.date, unit=None, category=None,
                        now: dt.datetime | None = None) -> dict:
    """Totals, per unit and per category for a period: received, answered on time, late,
    satisfaction, average and median working days to answer. Four aggregate queries."""
    today = timezone.localdate(now or timezone.now())
    base = _stats_base(user=user, date_from=date_from, date_to=date_to, unit=unit, category=category)
    figures = _figures(today)
    totals = _rates(base.aggregate(**figures))
    totals["median_days"] = median_answer_days(base)
    by_unit = [_rates(r) for r in base.values("unit__code", "unit__full_name").annotate(**figures)
               .order_by("unit__full_name")]
    by_category = [_rates(r) for r in base.values("category__code", "category__name").annotate(**figures)
                   .order_by("category__name")]
    return {"totals": totals, "by_unit": by_unit, "by_category": by_category}


def heat_grid(*, user, date_from: dt.date, date_to: dt.date, cell_deg: float = 0.005, unit=None,
              category=None) -> list[dict]:
    """Counts per grid cell (~500 m): the heat map is drawn from aggregates, never from points."""
    base = _stats_base(user=user, date_from=date_from, date_to=date_to, unit=unit, category=category)
    rows = base.filter(latitude__isnull=False, longitude__isnull=False)
    rows = (rows.annotate(gy=Cast(Floor(F("latitude") / cell_deg), IntegerField()),
                          gx=Cast(Floor(F("longitude") / cell_deg), IntegerField()))
            .values("gy", "gx").annotate(n=Count("id")).order_by("-n")[:2000])
    return [{"south": r["gy"] * cell_deg, "west": r["gx"] * cell_deg, "north": (r["gy"] + 1) * cell_deg,
             "east": (r["gx"] + 1) * cell_deg, "count": r["n"]} for r in rows]


def categories_active() -> QuerySet[FeedbackCategory]:
    return FeedbackCategory.objects.filter(is_active=True).order_by("order", "name")
