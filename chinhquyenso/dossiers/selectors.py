"""Reads of dossiers: gatekeeper gets, work queues, public lookup, registers and dashboard counts.

Queues are one indexed query each: the permission filter is part of the SQL (unit ids from the
user's role scopes, never a check per row), ordering is (due date, id) with keyset pagination, and
rows carry only the columns the page shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chinhquyenso.accounts.roles import Role
from chinhquyenso.accounts.selectors import role_scopes
from chinhquyenso.core.errors import NotFound
from chinhquyenso.core.parsing import is_ascii_digits, parse_id
from chinhquyenso.dossiers import policies
from chinhquyenso.dossiers.models import Channel, Dossier, Status
from chinhquyenso.units.models import AdministrativeUnit

QUEUE_COLUMNS = ("id", "code", "status", "channel", "applicant_name", "procedure__name", "procedure__code",
                 "submitted_at", "accept_due_at", "received_at", "due_date", "step_due_date", "current_role",
                 "current_holder_id", "is_late", "fee_status", "version", "unit_id", "paused_at")


def dossier_get_for_user(*, dossier_id: int, user) -> Dossier:
    """Gatekeeper: "not found" whether the dossier is missing or the user may not see it."""
    dossier = (Dossier.objects.select_related("procedure", "unit", "receiving_agency", "current_agency",
                                              "current_holder", "applicant", "form_version", "result_file")
               .filter(pk=dossier_id).first())
    if dossier is None or not policies.can_view_dossier(user, dossier):
        raise NotFound("dossier_not_found", "Không tìm thấy hồ sơ.")
    return dossier


def dossier_get_by_code_for_user(*, code: str, user) -> Dossier:
    row = Dossier.objects.filter(code=code).values_list("id", flat=True).first()
    if row is None:
        raise NotFound("dossier_not_found", "Không tìm thấy hồ sơ.")
    return dossier_get_for_user(dossier_id=row, user=user)


@dataclass(frozen=True)
class PublicStatus:
    code: str
    procedure: str
    status: str
    status_label: str
    received_at: dt.datetime | None
    due_date: dt.date | None
    finished_at: dt.datetime | None
    holder_agency: str
    timeline: list[tuple[dt.datetime, str]]


def dossier_public_lookup(*, code: str, secret: str) -> PublicStatus:
    """The public tracking page: code + the short secret printed on the receipt. No personal data:
    no name, no id number, no address, no officer names; only agencies and public notes."""
    dossier = (Dossier.objects.select_related("procedure", "current_agency")
               .filter(code=code.strip().upper()).first())
    if dossier is None or not secret or dossier.lookup_secret != secret.strip().upper():
        raise NotFound("dossier_not_found", "Không tìm thấy hồ sơ với mã và mã tra cứu đã nhập.")
    timeline = [(e.at, e.public_note) for e in dossier.timeline.exclude(public_note="").order_by("at", "id")]
    return PublicStatus(
        code=dossier.code, procedure=dossier.procedure.name, status=dossier.status,
        status_label=dossier.get_status_display(), received_at=dossier.received_at, due_date=dossier.due_date,
        finished_at=dossier.finished_at, holder_agency=dossier.current_agency.name if dossier.current_agency else "",
        timeline=timeline,
    )


def dossiers_of_applicant(*, user, limit: int = 50) -> QuerySet[Dossier]:
    return (Dossier.objects.filter(applicant=user).select_related("procedure")
            .only("id", "code", "status", "submitted_at", "due_date", "procedure__name", "fee_status", "is_late")
            .order_by("-submitted_at", "-id")[:limit])


# --- Work queues -------------------------------------------------------------------------------

class Queue:
    INTAKE = "intake"          # reception: new online/post dossiers to check (8-working-hour clock)
    RETURN = "return"          # reception: results waiting to be handed over
    MINE = "mine"              # steps held by me
    AGENCY = "agency"          # steps of my role in my agency, not yet taken
    APPROVAL = "approval"      # leaders: waiting for approval
    SUPPLEMENT = "supplement"  # waiting for citizens (for follow-up)


# The field each queue is ordered by (then by id), whose value starts its keyset cursor.
QUEUE_SORT_FIELD = {Queue.INTAKE: "accept_due_at", Queue.SUPPLEMENT: "paused_at"}  # the others: due_date

QUEUE_LABELS = {
    Queue.INTAKE: "Hồ sơ chờ tiếp nhận",
    Queue.RETURN: "Kết quả chờ trả",
    Queue.MINE: "Hồ sơ tôi đang xử lý",
    Queue.AGENCY: "Hồ sơ chờ nhận xử lý",
    Queue.APPROVAL: "Hồ sơ chờ phê duyệt",
    Queue.SUPPLEMENT: "Hồ sơ chờ công dân bổ sung",
}


def _unit_ids(user, roles) -> list[int]:
    """Unit ids where the user holds one of ``roles``, subtrees expanded (one small query)."""
    wanted = {roles} if isinstance(roles, str) else set(roles)
    paths = tuple(sorted({s.unit_path for s in role_scopes(user) if s.role in wanted}))
    if not paths:
        return []
    # Memoised on the user object for the request: a page with queue tabs asks several times.
    memo = user.__dict__.setdefault("_dossier_unit_ids", {})
    if paths not in memo:
        q = Q()
        for path in paths:
            q |= Q(path__startswith=path)
        memo[paths] = list(AdministrativeUnit.objects.filter(q).values_list("id", flat=True))
    return memo[paths]


def _agency_scopes(user, role) -> tuple[list[int], bool]:
    """Agencies the user works in for ``role``; True when some assignment is unit-wide (no agency)."""
    scopes = [s for s in role_scopes(user) if s.role == role]
    return [s.agency_id for s in scopes if s.agency_id], any(s.agency_id is None for s in scopes)


def queue_available(user) -> list[str]:
    roles = {s.role for s in role_scopes(user)}
    queues = []
    if Role.RECEPTION_OFFICER in roles:
        queues += [Queue.INTAKE, Queue.RETURN, Queue.SUPPLEMENT]
    if roles & {Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.UNIT_LEADER}:
        queues += [Queue.MINE, Queue.AGENCY]
    if roles & {Role.UNIT_LEADER, Role.DEPARTMENT_HEAD}:
        queues.append(Queue.APPROVAL)
    return queues


def _queue_filter(user, queue: str) -> tuple[QuerySet, tuple[str, str]]:
    """The permission-scoped rows of a queue and their order (no columns chosen yet)."""
    qs = Dossier.objects.all()
    order = (QUEUE_SORT_FIELD.get(queue, "due_date"), "id")
    if queue == Queue.INTAKE:
        qs = qs.filter(unit_id__in=_unit_ids(user, Role.RECEPTION_OFFICER), status=Status.SUBMITTED)
    elif queue == Queue.RETURN:
        qs = qs.filter(unit_id__in=_unit_ids(user, Role.RECEPTION_OFFICER), status=Status.APPROVED)
    elif queue == Queue.SUPPLEMENT:
        qs = qs.filter(unit_id__in=_unit_ids(user, Role.RECEPTION_OFFICER), status=Status.SUPPLEMENT_REQUESTED)
    elif queue == Queue.MINE:
        qs = qs.filter(current_holder=user, status__in=[Status.IN_PROGRESS, Status.PENDING_APPROVAL])
    elif queue == Queue.AGENCY:
        role_q = Q(pk__in=[])
        for role in (Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.UNIT_LEADER):
            agencies, unit_wide = _agency_scopes(user, role)
            if not agencies and not unit_wide:
                continue
            units = _unit_ids(user, role)
            q = Q(current_role=role, unit_id__in=units)
            q &= Q(current_agency_id__in=agencies) if not unit_wide else Q()
            role_q |= q
        qs = qs.filter(role_q, status=Status.IN_PROGRESS, current_holder__isnull=True)
    elif queue == Queue.APPROVAL:
        role_q = Q(pk__in=[])
        for role in (Role.UNIT_LEADER, Role.DEPARTMENT_HEAD):
            units = _unit_ids(user, role)
            if units:
                role_q |= Q(current_role=role, unit_id__in=units)
        qs = qs.filter(role_q, status=Status.PENDING_APPROVAL)
    else:
        raise NotFound("queue_not_found", "Không có hàng đợi này.")
    return qs, order


def dossier_queue(*, user, queue: str, after: tuple[dt.date | dt.datetime, int] | None = None, limit: int = 50,
                  unit_id: int | None = None) -> QuerySet:
    """One page of a work queue as lean dicts, earliest deadline first.

    ``after`` is the keyset cursor ``(sort_key_iso, id)`` of the last row of the previous page.
    """
    qs, order = _queue_filter(user, queue)
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    if after is not None:
        key, last_id = after
        field = order[0]
        qs = qs.filter(Q(**{f"{field}__gt": key}) | Q(**{field: key, "id__gt": last_id}))
    return qs.order_by(*order).values(*QUEUE_COLUMNS)[:limit]


def queue_counts(*, user) -> dict[str, int]:
    """Badge counts per queue (bounded: at most 1000 counted per queue, shown as "1000+")."""
    counts = {}
    for queue in queue_available(user):
        qs, _order = _queue_filter(user, queue)
        # Ids only, no join: the database counts from the queue index alone.
        counts[queue] = qs.values("id")[:1001].count()
    return counts


# --- Registers and dashboards --------------------------------------------------------------

def register_rows(*, unit, start: dt.date, end: dt.date) -> QuerySet:
    """Sổ theo dõi hồ sơ: dossiers received by the unit's subtree in [start, end], oldest first."""
    tz = timezone.get_current_timezone()
    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    end_at = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    units = AdministrativeUnit.objects.filter(path__startswith=unit.path).values_list("id", flat=True)
    return (Dossier.objects.filter(unit_id__in=list(units), submitted_at__gte=start_at, submitted_at__lt=end_at)
            .select_related("procedure", "receiving_agency", "unit")
            .only("id", "code", "channel", "status", "applicant_name", "applicant_address", "submitted_at",
                  "received_at", "due_date", "original_due_date", "finished_at", "returned_at", "is_late",
                  "supplement_count", "apology_count", "procedure__name", "procedure__code",
                  "receiving_agency__name", "unit__name")
            .order_by("submitted_at", "id"))


def dossier_stats(*, unit, start: dt.date, end: dt.date) -> dict:
    """Counts by channel, status, on time/late and the online share for a unit's subtree and period."""
    rows = register_rows(unit=unit, start=start, end=end).order_by()
    agg = rows.aggregate(
        total=Count("id"),
        online=Count("id", filter=Q(channel=Channel.ONLINE)),
        desk=Count("id", filter=Q(channel=Channel.DESK)),
        post=Count("id", filter=Q(channel=Channel.POST)),
        finished=Count("id", filter=Q(finished_at__isnull=False)),
        finished_late=Count("id", filter=Q(finished_at__isnull=False, is_late=True)),
        open_late=Count("id", filter=Q(finished_at__isnull=True, is_late=True)),
        paid_online=Count("id", filter=Q(fee_status="paid", channel=Channel.ONLINE)),
    )
    by_status = dict(rows.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    finished = agg["finished"] or 0
    agg["on_time_rate"] = round(100 * (finished - agg["finished_late"]) / finished, 1) if finished else None
    agg["online_share"] = round(100 * agg["online"] / agg["total"], 1) if agg["total"] else None
    agg["by_status"] = by_status
    return agg


# --- What the web pages show -------------------------------------------------------------------

def receiving_units_for(procedure) -> QuerySet[AdministrativeUnit]:
    """Units that may receive the procedure's dossiers: active units of the procedure's levels in
    the catalogue owner's subtree that have a People's Committee (it issues the dossier code)."""
    from django.db.models import Exists, OuterRef

    from chinhquyenso.units.models import Agency, AgencyKind

    committee = Agency.objects.filter(unit_id=OuterRef("pk"), kind=AgencyKind.PEOPLES_COMMITTEE, is_active=True)
    return (AdministrativeUnit.objects.filter(path__startswith=procedure.unit.path, level__in=procedure.levels,
                                              is_active=True)
            .filter(Exists(committee)).order_by("path"))


def default_receiving_unit(*, procedure, user, choices) -> AdministrativeUnit | None:
    """The citizen's own commune (or the district containing it) when it may receive the dossier."""
    profile = getattr(user, "citizen_profile", None)
    home = profile.address_unit if profile is not None and profile.address_unit_id else None
    if home is None:
        return None
    for unit in choices:
        if home.path.startswith(unit.path):
            return unit
    return None


def dossier_form_answers(*, dossier) -> list[dict]:
    """The e-form data read-only, as the form version it was filed under labels it."""
    if dossier.form_version_id is None or not dossier.form_data:
        return []
    return form_answers(form_version=dossier.form_version, data=dossier.form_data)


def form_answers(*, form_version, data: dict) -> list[dict]:
    """``[{"title", "rows": [{"label", "text"} | {"label", "entries": [...]}]}]`` for a read-only
    summary (the officer's dossier page, the citizen's check-your-answers page)."""
    from chinhquyenso.eforms.selectors import Column, cell_text, eform_for

    form = eform_for(form_version)
    codes = set()
    for fdef in form.fields.values():
        value = data.get(fdef.name)
        if fdef.widget == "address" and isinstance(value, str):
            codes.add(value)
        elif fdef.is_group and isinstance(value, list):
            codes |= {row.get(c.name) for row in value if isinstance(row, dict)
                      for c in fdef.children if c.widget == "address" and isinstance(row.get(c.name), str)}
    names = dict(AdministrativeUnit.objects.filter(code__in=codes).values_list("code", "full_name")) if codes else {}

    def text(fdef, value) -> str:
        if fdef.widget == "address" and isinstance(value, str):
            return names.get(value, value)
        return cell_text(Column(key=fdef.name, label=fdef.label, widget=fdef.widget, fdef=fdef), value, masked=False)

    sections = []
    for section in form.sections:
        rows = []
        for fdef in section.fields:
            if fdef.name not in data or fdef.widget == "file":
                continue
            value = data[fdef.name]
            if fdef.is_group and isinstance(value, list):
                items = ["; ".join(f"{c.label}: {text(c, row[c.name])}" for c in fdef.children if c.name in row)
                         for row in value if isinstance(row, dict)]
                rows.append({"label": fdef.label, "entries": items})
            else:
                rows.append({"label": fdef.label, "text": text(fdef, value)})
        if rows:
            sections.append({"title": section.title, "rows": rows})
    return sections


def dossier_documents(*, dossier) -> list:
    return list(dossier.documents.select_related("file", "required_document").order_by("id"))


def dossier_document_get(*, dossier, document_id: int):
    document = dossier.documents.select_related("file").filter(pk=document_id).first()
    if document is None:
        raise NotFound("document_not_found", "Không tìm thấy giấy tờ.")
    return document


def dossier_timeline(*, dossier, public: bool) -> list:
    """Events oldest first. The public and the applicant see only the public notes (no officer names)."""
    events = dossier.timeline.select_related("agency", "actor").order_by("at", "id")
    if public:
        return [e for e in events if e.public_note]
    return list(events)


def dossier_steps(*, dossier) -> list:
    return list(dossier.steps.select_related("agency", "holder", "handed_over_by").order_by("started_at", "id"))


def open_supplement_request(*, dossier):
    return dossier.supplement_requests.filter(answered_at__isnull=True).order_by("-requested_at").first()


def latest_apology(*, dossier):
    return dossier.apologies.order_by("-issued_at").first()


def dossier_invoices(*, dossier) -> list:
    from chinhquyenso.payments.selectors import invoices_for_subject

    return list(invoices_for_subject(subject_type="dossiers.dossier", subject_id=str(dossier.pk)))


def dossier_shipments(*, dossier) -> list:
    from chinhquyenso.delivery.selectors import shipments_for_subject

    return list(shipments_for_subject(subject_type="dossiers.dossier", subject_id=str(dossier.pk)))


def assignee_choices(*, dossier) -> list:
    """Officers who may hold the dossier's current step (role in its agency, unit or an ancestor)."""
    from chinhquyenso.accounts.models import RoleAssignment

    if not dossier.current_role:
        return []
    chain = [dossier.unit.path, *dossier.unit.ancestor_paths()]
    q = Q(agency__isnull=True)
    if dossier.current_agency_id:
        q |= Q(agency_id=dossier.current_agency_id)
    rows = (RoleAssignment.objects.active().filter(q, role=dossier.current_role, unit__path__in=chain,
                                                   user__is_active=True)
            .select_related("user").order_by("user__full_name", "user_id"))
    seen, users = set(), []
    for row in rows:
        if row.user_id not in seen:
            seen.add(row.user_id)
            users.append(row.user)
    return users


@dataclass(frozen=True)
class DueMark:
    status: str  # calendar DeadlineStatus: on_time | due_soon | overdue
    label: str
    css: str


_DUE_LABELS = {"on_time": (_("Trong hạn"), "status-ontime"), "due_soon": (_("Sắp đến hạn"), "status-duesoon"),
               "overdue": (_("Quá hạn"), "status-overdue")}


def due_mark(due, *, unit=None, now=None) -> DueMark | None:
    """On time / due soon / overdue for a date (appointment) or a datetime (8-working-hour intake
    clock), in working days of the unit's calendar; the threshold is DOSSIER_DUE_SOON_DAYS."""
    from django.conf import settings

    from chinhquyenso.calendar.services import deadline_status

    if due is None:
        return None
    status = deadline_status(due, now=now, unit=unit, soon_days=getattr(settings, "DOSSIER_DUE_SOON_DAYS", 1))
    label, css = _DUE_LABELS[status]
    return DueMark(status=status, label=label, css=css)


_CHANNEL_LABELS = dict(Channel.choices)


def queue_rows(*, user, queue: str, after=None, limit: int = 50, now=None) -> tuple[list[dict], str | None]:
    """One page of a queue for the HTML page: the lean rows plus their due mark (the intake
    queue's mark is the 8-working-hour clock) and the cursor of the next page."""
    rows = list(dossier_queue(user=user, queue=queue, after=after, limit=limit))
    units = AdministrativeUnit.objects.only("id", "path").in_bulk({r["unit_id"] for r in rows}) if rows else {}
    sort_key = QUEUE_SORT_FIELD.get(queue, "due_date")
    # Everything the row template shows is prepared here as plain strings and dicts: the page
    # renders 50 rows, and a template lookup, filter, URL tag or lazy translation per cell is what
    # made it slow (measured in benchmarks/dossiers.py).
    url_pattern = reverse("dossiers:detail", args=[987654321]).replace("987654321", "{}")
    # Many rows share a deadline and a unit: one calendar lookup and one translation per pair.
    marks: dict = {}
    channel_labels: dict = {}
    for row in rows:
        row["url"] = url_pattern.format(row["id"])
        name = row["procedure__name"]
        row["procedure_short"] = name if len(name) <= 90 else name[:89].rstrip() + "…"
        clock = row["accept_due_at"] if queue == Queue.INTAKE else row["due_date"]
        key = (clock, row["unit_id"])
        if key not in marks:
            mark = None if queue == Queue.SUPPLEMENT else due_mark(clock, unit=units.get(row["unit_id"]), now=now)
            marks[key] = None if mark is None else {"status": mark.status, "css": mark.css, "label": str(mark.label)}
        row["mark"] = marks[key]
        channel = row["channel"]
        if channel not in channel_labels:
            channel_labels[channel] = str(_CHANNEL_LABELS.get(channel, ""))
        row["channel_label"] = channel_labels[channel]
        row["due_text"] = _due_text(row, queue)
        row["step_due_text"] = (row["step_due_date"].strftime("%d/%m/%Y")
                                if row["step_due_date"] and row["step_due_date"] != row["due_date"] else "")
    next_cursor = None
    if len(rows) == limit and rows[-1][sort_key] is not None:
        last = rows[-1][sort_key]
        next_cursor = f"{last.isoformat()}|{rows[-1]['id']}"
    return rows, next_cursor


def _due_text(row: dict, queue: str) -> str:
    if queue == Queue.INTAKE:
        value = row["accept_due_at"]
    elif queue == Queue.SUPPLEMENT:
        value = row["paused_at"]
    else:
        return row["due_date"].strftime("%d/%m/%Y") if row["due_date"] else "—"
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if value else ""


def parse_cursor(cursor: str | None, *, queue: str) -> tuple[dt.date | dt.datetime, int] | None:
    """``"<sort key in ISO>|<id>"`` (what ``queue_rows`` hands out) as the typed keyset cursor of
    ``queue``; ``None`` for anything else: a forged key would reach the SQL filter and fail there
    (a date that is no date, an id beyond a SQL integer)."""
    key, _sep, last_id = (cursor or "").rpartition("|")
    pk = parse_id(last_id)
    if not key or pk is None:
        return None
    try:
        value = Dossier._meta.get_field(QUEUE_SORT_FIELD.get(queue, "due_date")).to_python(key)
    except ValidationError:
        return None
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value)
    return (value, pk) if value is not None else None


def citizen_for_id_number(id_number: str):
    """The citizen account with this CCCD, so a dossier recorded at the desk shows in their
    "Hồ sơ của tôi" (the officer has checked the identity card in person)."""
    from chinhquyenso.accounts.models import CitizenProfile

    id_number = (id_number or "").strip()
    if len(id_number) != 12 or not is_ascii_digits(id_number):
        return None
    profile = CitizenProfile.objects.select_related("user").filter(cccd=id_number, user__is_active=True).first()
    return profile.user if profile else None


def register_units(user) -> QuerySet[AdministrativeUnit]:
    """Units whose register and statistics the user may read (leaders, auditors, reporters…)."""
    from chinhquyenso.units.selectors import visible_units

    return visible_units(user, roles=REGISTER_ROLES).order_by("path")


REGISTER_ROLES = (Role.UNIT_LEADER, Role.AUDITOR, Role.ADMINISTRATOR, Role.REPORTER, Role.DEPARTMENT_HEAD)


# --- Counts for the role home pages (portal.workspace sections): one bounded query each -----------

COUNT_CAP = 1000


def open_dossier_count_of_applicant(*, user) -> int:
    from chinhquyenso.dossiers.models import OPEN

    return Dossier.objects.filter(applicant=user, status__in=list(OPEN))[:COUNT_CAP + 1].count()


def queue_count(*, user, queue: str) -> int:
    if queue not in queue_available(user):
        return 0
    return dossier_queue(user=user, queue=queue, limit=COUNT_CAP + 1).count()


def due_soon_count(*, user, today: dt.date | None = None) -> int:
    """Dossiers being processed in the user's units whose appointment is at most
    DOSSIER_DUE_SOON_DAYS working days away, or already past."""
    from django.conf import settings

    from chinhquyenso.calendar.services import add_working_days
    from chinhquyenso.dossiers.models import CLOCK_RUNNING

    units = _unit_ids(user, (Role.RECEPTION_OFFICER, Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.UNIT_LEADER))
    if not units:
        return 0
    today = today or timezone.localdate()
    limit = add_working_days(today, getattr(settings, "DOSSIER_DUE_SOON_DAYS", 1))
    return (Dossier.objects.filter(unit_id__in=units, status__in=list(CLOCK_RUNNING), due_date__lte=limit)
            [:COUNT_CAP + 1].count())
