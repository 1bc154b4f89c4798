"""Reads over the catalogue: search, the procedure page, the terms in force, metrics.

Search is accent-insensitive and ranked: the exact name, then names that start with the phrase,
then names holding the phrase as whole words, then names holding every word; shorter names first
inside a rank. A word matches the start of a word of the name ("kha" finds "khai sinh", "an" does
not find "toàn").

The public search answers from the in-process index of ``search_index`` (same matching; measured
faster, see docs/catalog.md). The SQL path below serves unit-scoped staff lists and is the
fallback: the search key ``search_name`` is ``search_key(name)`` between two spaces, so each rule
is a plain ``LIKE`` on one column, which PostgreSQL answers from its GIN trigram index; the total
comes from a window function in the same query and only the columns a list shows are read.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When, Window
from django.db.models.functions import Length
from django.utils import timezone

from chinhquyenso.accounts.roles import Role
from chinhquyenso.catalog import eforms_bridge, search_index
from chinhquyenso.catalog.models import (
    ONLINE_LEVELS,
    Field,
    Level,
    OnlineLevel,
    Procedure,
    ProcedureStatus,
    ProcedureTerms,
)
from chinhquyenso.catalog.text import looks_like_code, query_terms
from chinhquyenso.core.errors import DomainError, NotFound
from chinhquyenso.units.models import Agency, AgencyKind, UnitLevel

PAGE_SIZE = 20
# What a result list shows; the procedure page reads the rest.
LIST_COLUMNS = ("code", "name", "field__code", "field__name", "level_province", "level_district", "level_commune",
                "online_level", "status", "confirmed", "unit_id")
MAX_PAGE_SIZE = 100
# Beyond any real catalogue (a few thousand procedures); a larger page number would only make an
# OFFSET that overflows the SQL integer (a 500), so it is refused (selectors) or clamped (pages).
MAX_PAGE = 10_000
ONLINE_ANY = "online"  # filter value: full or partial


@dataclass(frozen=True)
class SearchPage:
    # ``Procedure`` rows (SQL path) or ``search_index.Hit`` rows (public search): the same attribute
    # names for what a list shows (code, name, field, levels, online level, status, terms in force).
    items: list
    total: int
    page: int
    page_size: int

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _today() -> dt.date:
    return timezone.localdate()


def _validate_filters(*, level, online_level, page, page_size) -> None:
    if level and level not in Level.values:
        raise DomainError("invalid_level", "Cấp thực hiện không hợp lệ.", "level")
    if online_level and online_level not in [*OnlineLevel.values, ONLINE_ANY]:
        raise DomainError("invalid_online_level", "Mức độ dịch vụ công trực tuyến không hợp lệ.", "online_level")
    if not 1 <= page <= MAX_PAGE:
        raise DomainError("invalid_page", f"Số trang phải từ 1 đến {MAX_PAGE}.", "page")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise DomainError("invalid_page_size", f"Số dòng mỗi trang từ 1 đến {MAX_PAGE_SIZE}.", "page_size")


def _in_force_terms_prefetch(on: dt.date) -> Prefetch:
    return Prefetch("terms", queryset=ProcedureTerms.objects.filter(effective_from__lte=on).order_by("-effective_from"),
                    to_attr="terms_up_to_date")


def procedure_search(
    *,
    q: str | None = None,
    field: str | None = None,
    level: str | None = None,
    agency: str | None = None,
    online_level: str | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    include_retired: bool = False,
    status: str | None = None,
    scope: Q | None = None,
    with_terms: bool = True,
    lean: bool = True,
) -> SearchPage:
    """One page of procedures matching the search box and filters.

    ``field`` is a field code, ``agency`` an agency identifier code (QCVN 102), ``online_level``
    one of full/partial/none or "online" (either online level). Two queries: the page with its
    total (a window count), and the terms in force of the page's rows.
    """
    _validate_filters(level=level, online_level=online_level, page=page, page_size=page_size)
    offset = (page - 1) * page_size
    if scope is None and search_index.enabled():
        statuses = frozenset({status} if status else ProcedureStatus.values if include_retired
                             else {ProcedureStatus.ACTIVE})
        hits, total = search_index.search(q=q, field_code=field, level=level, agency=agency,
                                          online_level=online_level, statuses=statuses, offset=offset,
                                          limit=page_size)
        return SearchPage(items=hits, total=total, page=page, page_size=page_size)
    qs = Procedure.objects.select_related("field")
    if scope is not None:
        qs = qs.filter(scope)
    if status:
        qs = qs.filter(status=status)
    elif not include_retired:
        qs = qs.filter(status=ProcedureStatus.ACTIVE)
    if field:
        qs = qs.filter(field__code=field)
    if level:
        qs = qs.filter(**{f"level_{level}": True})
    if agency:
        through = Procedure.agencies.through
        qs = qs.filter(Exists(through.objects.filter(procedure_id=OuterRef("pk"), agency__identifier_code=agency)))
    if online_level == ONLINE_ANY:
        qs = qs.filter(online_level__in=ONLINE_LEVELS)
    elif online_level:
        qs = qs.filter(online_level=online_level)

    text = (q or "").strip()
    terms = query_terms(text)
    if text and looks_like_code(text):
        qs = qs.filter(code__startswith=text).order_by("code")
    elif terms:
        phrase = " ".join(terms)
        for term in terms:
            qs = qs.filter(search_name__contains=f" {term}")
        qs = qs.annotate(
            rank=Case(
                When(search_name=f" {phrase} ", then=Value(0)),
                When(search_name__startswith=f" {phrase} ", then=Value(1)),
                When(search_name__contains=f" {phrase} ", then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            ),
            name_length=Length("search_name"),
        ).order_by("rank", "name_length", "name_folded", "code")
    else:
        qs = qs.order_by("field__name_folded", "name_folded", "code")
    if lean:
        qs = qs.only(*LIST_COLUMNS)

    qs = qs.annotate(total_count=Window(Count("pk")))
    if with_terms:
        qs = qs.prefetch_related(_in_force_terms_prefetch(_today()))
    items = list(qs[offset: offset + page_size])
    # The window count rides on the page's rows; only a page past the end needs its own COUNT.
    total = items[0].total_count if items else (0 if page == 1 else qs.count())
    return SearchPage(items=items, total=total, page=page, page_size=page_size)


def terms_in_force(procedure: Procedure, *, on: dt.date | None = None) -> ProcedureTerms | None:
    """The processing time and fees that apply to a dossier made ``on`` that day (today by default)."""
    on = on or _today()
    prefetched = getattr(procedure, "terms_up_to_date", None)
    if prefetched is not None and on == _today():
        return prefetched[0] if prefetched else None
    cache = getattr(procedure, "_prefetched_objects_cache", {}).get("terms")
    if cache is not None:
        candidates = sorted((t for t in cache if t.effective_from <= on), key=lambda t: t.effective_from)
        return candidates[-1] if candidates else None
    return (ProcedureTerms.objects.filter(procedure=procedure, effective_from__lte=on)
            .prefetch_related("fee_rules").order_by("-effective_from").first())


def procedure_get(*, code: str, include_retired: bool = True) -> Procedure:
    """A procedure with everything its page shows, in a bounded number of queries."""
    qs = Procedure.objects.select_related("field", "unit").prefetch_related(
        Prefetch("agencies", queryset=Agency.objects.select_related("unit").order_by("unit__path", "name")),
        "required_documents__template",
        "result_documents",
        "legal_basis",
        Prefetch("terms", queryset=ProcedureTerms.objects.prefetch_related("fee_rules").order_by("-effective_from")),
    )
    if not include_retired:
        qs = qs.filter(status=ProcedureStatus.ACTIVE)
    procedure = qs.filter(code=code).first()
    if procedure is None:
        raise NotFound("procedure_not_found", "Không tìm thấy thủ tục hành chính.", "code")
    return procedure


def submission_desks(procedure: Procedure) -> list[Agency]:
    """The one-stop desks (Bộ phận Một cửa) of the units whose agencies carry out the procedure."""
    unit_ids = {a.unit_id for a in procedure.agencies.all()}
    if not unit_ids:
        return []
    return list(Agency.objects.filter(kind=AgencyKind.ONE_STOP, unit_id__in=unit_ids, is_active=True)
                .select_related("unit").order_by("unit__path", "name"))


def field_list(*, with_counts: bool = False) -> QuerySet[Field]:
    qs = Field.objects.order_by("name")
    if with_counts:
        qs = qs.annotate(active_count=Count("procedures", filter=Q(procedures__status=ProcedureStatus.ACTIVE)))
    return qs


def agency_filter_choices() -> QuerySet[Agency]:
    """Agencies that carry out at least one active procedure (the search filter's options)."""
    through = Procedure.agencies.through
    used = through.objects.filter(agency_id=OuterRef("pk"), procedure__status=ProcedureStatus.ACTIVE)
    return Agency.objects.filter(Exists(used)).select_related("unit").order_by("unit__path", "kind", "name")


def has_published_form(procedure: Procedure, published_ids: set[int] | None = None) -> bool:
    ids = eforms_bridge.procedures_with_published_form_ids() if published_ids is None else published_ids
    return procedure.pk in ids


# --- Staff -------------------------------------------------------------------------------------

def catalog_owner_units(user) -> QuerySet:
    """Province- and district-level units whose catalogue ``user`` administers (the catalogue is
    province/district-wide configuration; a commune administrator does not edit it)."""
    from chinhquyenso.units.selectors import visible_units

    return visible_units(user, roles=[Role.ADMINISTRATOR]).filter(
        level__in=[UnitLevel.PROVINCE, UnitLevel.DISTRICT], is_active=True).order_by("path")


def procedure_scope_for_admin(user) -> Q:
    from chinhquyenso.units.selectors import unit_scope_q

    return unit_scope_q(user, "unit", roles=[Role.ADMINISTRATOR])


# --- Metrics (dashboards) -----------------------------------------------------------------------

@dataclass(frozen=True)
class EformCoverage:
    online_total: int
    with_eform: int

    @property
    def without_eform(self) -> int:
        return self.online_total - self.with_eform

    @property
    def share(self) -> float | None:
        """Share of online procedures that have a published e-form (target 1.0); None if no online ones."""
        return None if self.online_total == 0 else self.with_eform / self.online_total


def procedure_counts_by_online_level(*, scope: Q | None = None) -> dict[str, int]:
    """Active procedures per online level (Decree 42/2022 art. 11), every level present."""
    qs = Procedure.objects.filter(status=ProcedureStatus.ACTIVE)
    if scope is not None:
        qs = qs.filter(scope)
    counts = dict.fromkeys(OnlineLevel.values, 0)
    for row in qs.values("online_level").annotate(n=Count("pk")).order_by():
        counts[row["online_level"]] = row["n"]
    return counts


def eform_coverage(*, scope: Q | None = None) -> EformCoverage:
    qs = Procedure.objects.filter(status=ProcedureStatus.ACTIVE, online_level__in=ONLINE_LEVELS)
    if scope is not None:
        qs = qs.filter(scope)
    online_ids = set(qs.values_list("pk", flat=True))
    with_form = online_ids & eforms_bridge.procedures_with_published_form_ids()
    return EformCoverage(online_total=len(online_ids), with_eform=len(with_form))


def online_procedures_without_eform(*, scope: Q | None = None) -> list[Procedure]:
    """The report "thủ tục trực tuyến chưa có biểu mẫu điện tử" (target: empty)."""
    qs = Procedure.objects.filter(status=ProcedureStatus.ACTIVE, online_level__in=ONLINE_LEVELS)
    if scope is not None:
        qs = qs.filter(scope)
    published = eforms_bridge.procedures_with_published_form_ids()
    return list(qs.exclude(pk__in=published).select_related("field").order_by("field__name", "name"))
