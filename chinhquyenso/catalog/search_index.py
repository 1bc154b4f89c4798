"""An in-process search index over the catalogue: the public search never touches the database.

Why: a catalogue is small (≈6,000 procedures nationally) and read far more often than it changes,
yet in SQL every search scans, ranks and counts every matching row, then builds model objects for
the page — measured at 2.5–6× a lookup by code at national scale (docs/catalog.md). Here each web
process keeps, per procedure, the search key, the filter attributes, what a result list shows
(code, name, field, levels, online level, processing time of each terms version), word postings
and precomputed orders. A search is set arithmetic and a partial sort in memory.

Freshness across processes: every write that changes what search shows bumps a version token in
the shared cache (Redis in production) at once and again on commit; a process whose index carries
another token rebuilds it (five queries, ~0.2 s at 6,000 procedures) on its next search. Writes
that bypass the services (SQL, a shell) are caught by a fingerprint of the tables, checked every
``CATALOG_SEARCH_INDEX_RECHECK`` seconds (30 by default).

Matching is the same as the SQL path in ``selectors`` (used for unit-scoped staff lists and as the
fallback when ``CATALOG_SEARCH_INDEX`` is off); a test compares the two over many queries.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import threading
import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from chinhquyenso.catalog.models import (
    ONLINE_LEVELS,
    Field,
    Level,
    OnlineLevel,
    Procedure,
    ProcedureStatus,
    ProcedureTerms,
    processing_text,
)
from chinhquyenso.catalog.text import looks_like_code, query_terms

CACHE_KEY = "catalog:search-index-token"


@dataclass(frozen=True)
class FieldRef:
    code: str
    name: str

    def __str__(self):
        return self.name


@dataclass(frozen=True)
class TermsSummary:
    effective_from: dt.date
    processing_days: int | None
    day_kind: str

    def processing_display(self) -> str:
        return processing_text(self.processing_days, self.day_kind)


@dataclass
class Hit:
    """What a result list shows of a procedure; attribute names as on ``Procedure``."""

    pk: int
    code: str
    name: str
    field: FieldRef
    levels: list[str]
    online_level: str
    status: str
    confirmed: bool
    versions: tuple[TermsSummary, ...] = ()  # newest first
    key: str = ""  # " dang ki khai sinh "
    order: int = 0  # position by (length, folded name, code): the tie-break inside a rank
    browse: int = 0  # position by (field, folded name, code): the order without a query
    terms_up_to_date: list[TermsSummary] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.pk

    @property
    def is_online(self) -> bool:
        return self.online_level in ONLINE_LEVELS

    def get_levels_display(self) -> list[str]:
        return [Level(lvl).label for lvl in self.levels]

    def get_online_level_display(self) -> str:
        return OnlineLevel(self.online_level).label

    def get_status_display(self) -> str:
        return ProcedureStatus(self.status).label

    def for_day(self, on: dt.date) -> Hit:
        """A copy carrying the terms versions in force on ``on`` (as the SQL path's prefetch does)."""
        copy = Hit(**{k: v for k, v in self.__dict__.items() if k != "terms_up_to_date"})
        copy.terms_up_to_date = [t for t in self.versions if t.effective_from <= on]
        return copy


@dataclass
class SearchIndex:
    token: str
    fingerprint: tuple
    hits: dict[int, Hit]
    words: dict[str, set[int]]
    sorted_words: list[str]
    codes: list[tuple[str, int]]
    by_status: dict[str, set[int]]
    by_field: dict[str, set[int]]
    by_level: dict[str, set[int]]
    by_online: dict[str, set[int]]
    by_agency: dict[str, set[int]]
    browse_order: list[int]
    checked_at: float = field(default_factory=time.monotonic)
    _browse_memo: dict = field(default_factory=dict)

    def _word_prefix(self, term: str) -> set[int]:
        start = bisect.bisect_left(self.sorted_words, term)
        found: set[int] = set()
        for word in self.sorted_words[start:]:
            if not word.startswith(term):
                break
            found |= self.words[word]
        return found

    def _code_prefix(self, prefix: str) -> list[int]:
        start = bisect.bisect_left(self.codes, (prefix, -1))
        out = []
        for code, pk in self.codes[start:]:
            if not code.startswith(prefix):
                break
            out.append(pk)
        return out

    def _status_set(self, statuses: frozenset[str]) -> set[int]:
        if len(statuses) == 1:
            return self.by_status.get(next(iter(statuses)), set())
        return set().union(*(self.by_status.get(s, set()) for s in statuses))

    def _allowed(self, *, statuses, field_code, level, agency, online_level) -> set[int] | None:
        """The rows the attribute filters allow (None when there is no such filter)."""
        sets = []
        if field_code:
            sets.append(self.by_field.get(field_code, set()))
        if level:
            sets.append(self.by_level.get(level, set()))
        if online_level:
            sets.append(self.by_online.get(online_level, set()))
        if agency:
            sets.append(self.by_agency.get(agency, set()))
        if not sets:
            return None
        sets.sort(key=len)
        allowed = sets[0] & self._status_set(statuses)
        for other in sets[1:]:
            allowed &= other
        return allowed

    def search(self, *, q: str | None, field_code: str | None, level: str | None, agency: str | None,
               online_level: str | None, statuses: frozenset[str], offset: int, limit: int) -> tuple[list[int], int]:
        """The primary keys of one page in result order, and the number of matches."""
        text = (q or "").strip()
        terms = query_terms(text)
        allowed = self._allowed(statuses=statuses, field_code=field_code, level=level, agency=agency,
                                online_level=online_level)
        if allowed is None:
            allowed = self._status_set(statuses)
        if text and looks_like_code(text):
            pks = [pk for pk in self._code_prefix(text) if pk in allowed]
            return pks[offset: offset + limit], len(pks)
        hits = self.hits
        if not terms:
            if len(allowed) * 2 > len(hits):  # most rows: walk the precomputed order (memoised per status)
                memo_key = statuses if allowed is self.by_status.get(next(iter(statuses))) else None
                pks = self._browse_memo.get(memo_key) if memo_key else None
                if pks is None:
                    pks = [pk for pk in self.browse_order if pk in allowed]
                    if memo_key:
                        self._browse_memo[memo_key] = pks
                return pks[offset: offset + limit], len(allowed)
            top = heapq.nsmallest(offset + limit, allowed, key=lambda pk: hits[pk].browse)
            return top[offset:], len(allowed)
        candidates = allowed
        for term in sorted(terms, key=len, reverse=True):  # the longest word is the most selective
            candidates = candidates & self._word_prefix(term)
            if not candidates:
                return [], 0
        padded = f" {' '.join(terms)} "

        def rank(pk: int) -> tuple[int, int]:
            key = hits[pk].key
            r = 0 if key == padded else 1 if key.startswith(padded) else 2 if padded in key else 3
            return r, hits[pk].order

        top = heapq.nsmallest(offset + limit, candidates, key=rank)
        return top[offset:], len(candidates)

    def page(self, pks: list[int], on: dt.date) -> list[Hit]:
        return [self.hits[pk].for_day(on) for pk in pks]


_lock = threading.Lock()
_index: SearchIndex | None = None


def _token() -> str:
    token = cache.get(CACHE_KEY)
    if token is None:
        cache.add(CACHE_KEY, uuid.uuid4().hex, None)
        token = cache.get(CACHE_KEY) or "local"
    return token


def _fingerprint() -> tuple:
    procedures = Procedure.objects.aggregate(n=Count("pk"), latest=Max("updated_at"))
    terms = ProcedureTerms.objects.aggregate(n=Count("pk"), latest=Max("pk"))
    return procedures["n"], procedures["latest"], terms["n"], terms["latest"]


def build(token: str) -> SearchIndex:
    fingerprint = _fingerprint()
    fields = {pk: (code, name, folded) for pk, code, name, folded in
              Field.objects.values_list("pk", "code", "name", "name_folded")}
    versions: dict[int, list[TermsSummary]] = {}
    for procedure_id, effective, days, kind in ProcedureTerms.objects.order_by("-effective_from").values_list(
            "procedure_id", "effective_from", "processing_days", "day_kind"):
        versions.setdefault(procedure_id, []).append(TermsSummary(effective, days, kind))
    rows = list(Procedure.objects.values_list(
        "pk", "code", "name", "search_name", "name_folded", "field_id", "online_level", "status", "confirmed",
        "level_province", "level_district", "level_commune"))
    hits: dict[int, Hit] = {}
    words: dict[str, set[int]] = {}
    by_status: dict[str, set[int]] = {}
    by_field: dict[str, set[int]] = {}
    by_level: dict[str, set[int]] = {}
    by_online: dict[str, set[int]] = {}
    field_refs = {pk: FieldRef(code, name) for pk, (code, name, _f) in fields.items()}
    for pk, code, name, key, _folded, field_id, online, status, confirmed, lp, ld, lc in rows:
        levels = [lvl for lvl, on in (("province", lp), ("district", ld), ("commune", lc)) if on]
        field_ref = field_refs.get(field_id, FieldRef("", ""))
        hits[pk] = Hit(pk, code, name, field_ref, levels, online, status, confirmed,
                       tuple(versions.get(pk, ())), key)
        for word in set(key.split()):
            words.setdefault(word, set()).add(pk)
        by_status.setdefault(status, set()).add(pk)
        by_field.setdefault(field_ref.code, set()).add(pk)
        for lvl in levels:
            by_level.setdefault(lvl, set()).add(pk)
        by_online.setdefault(online, set()).add(pk)
        if online in ONLINE_LEVELS:
            by_online.setdefault("online", set()).add(pk)
    for position, row in enumerate(sorted(rows, key=lambda r: (len(r[3]), r[4], r[1]))):
        hits[row[0]].order = position
    browse_all = sorted(rows, key=lambda r: (fields.get(r[5], ("", "", ""))[2], r[4], r[1]))
    for position, row in enumerate(browse_all):
        hits[row[0]].browse = position
    by_agency: dict[str, set[int]] = {}
    through = Procedure.agencies.through
    for procedure_id, agency_code in through.objects.values_list("procedure_id", "agency__identifier_code"):
        by_agency.setdefault(agency_code, set()).add(procedure_id)
    return SearchIndex(token=token, fingerprint=fingerprint, hits=hits, words=words, sorted_words=sorted(words),
                       codes=sorted((h.code, h.pk) for h in hits.values()), by_status=by_status, by_field=by_field,
                       by_level=by_level, by_online=by_online, by_agency=by_agency,
                       browse_order=[r[0] for r in browse_all])


def get_index() -> SearchIndex:
    global _index
    token = _token()
    index = _index
    if index is not None and index.token == token:
        recheck = getattr(settings, "CATALOG_SEARCH_INDEX_RECHECK", 30)
        if time.monotonic() - index.checked_at < recheck:
            return index
        if _fingerprint() == index.fingerprint:
            index.checked_at = time.monotonic()
            return index
    with _lock:
        index = build(token)
        _index = index
    return index


def search(*, q, field_code, level, agency, online_level, statuses, offset, limit) -> tuple[list[Hit], int]:
    index = get_index()
    pks, total = index.search(q=q, field_code=field_code, level=level, agency=agency, online_level=online_level,
                              statuses=statuses, offset=offset, limit=limit)
    return index.page(pks, timezone.localdate()), total


def invalidate() -> None:
    """Call from every write that changes what search shows (names, filters, agencies, status,
    processing times): now, so no process goes on using the old index, and again after the
    commit, so no process keeps an index rebuilt from the data as it was before the commit."""
    global _index
    _index = None
    cache.set(CACHE_KEY, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(CACHE_KEY, uuid.uuid4().hex, None))


def enabled() -> bool:
    return getattr(settings, "CATALOG_SEARCH_INDEX", True)
