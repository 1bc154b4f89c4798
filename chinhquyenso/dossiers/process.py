"""Process templates: which steps a dossier goes through, and who holds each step."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from django.db.models import F, Prefetch, Q
from django.utils import timezone

from chinhquyenso.accounts.roles import Role
from chinhquyenso.dossiers.models import ProcessStep, ProcessTemplate, StepKind
from chinhquyenso.units.models import Agency, AgencyKind

# Used when a procedure has no template of its own: the one-stop desk receives, the responsible
# department processes, its head reviews, the unit leader approves, the desk returns the result.
DEFAULT_STEPS = [
    (StepKind.RECEPTION, Role.RECEPTION_OFFICER, AgencyKind.ONE_STOP, Decimal("0"), "Tiếp nhận hồ sơ"),
    (StepKind.PROCESSING, Role.SPECIALIST, "", Decimal("0.6"), "Thẩm định, xử lý hồ sơ"),
    (StepKind.REVIEW, Role.DEPARTMENT_HEAD, "", Decimal("0.2"), "Lãnh đạo phòng xem xét"),
    (StepKind.APPROVAL, Role.UNIT_LEADER, AgencyKind.PEOPLES_COMMITTEE, Decimal("0.2"), "Lãnh đạo UBND phê duyệt"),
    (StepKind.RETURN, Role.RECEPTION_OFFICER, AgencyKind.ONE_STOP, Decimal("0"), "Trả kết quả"),
]


def default_template(unit_level: str) -> ProcessTemplate:
    """The default template for a unit level, created on first use (administrators may edit it).
    At commune level there are no departments, so there is no department-head review."""
    template = (ProcessTemplate.objects.filter(procedure__isnull=True, unit_level=unit_level, is_active=True)
                .order_by("-effective_from").first())
    if template is None:
        steps = [s for s in DEFAULT_STEPS if unit_level != "commune" or s[0] != StepKind.REVIEW]
        name = "Quy trình mặc định cấp xã" if unit_level == "commune" else "Quy trình mặc định"
        template = ProcessTemplate.objects.create(name=name, procedure=None, unit_level=unit_level,
                                                  effective_from=timezone.localdate().replace(year=2000))
        ProcessStep.objects.bulk_create([
            ProcessStep(template=template, order=i, name=name, kind=kind, role=role, agency_kind=agency_kind,
                        budget_days=share if unit_level != "commune" or kind != StepKind.PROCESSING else Decimal("0.8"))
            for i, (kind, role, agency_kind, share, name) in enumerate(steps, start=1)
        ])
    return template


def template_for(procedure, unit, *, on=None) -> ProcessTemplate:
    """The procedure's own template in force, else the default of the unit's level; one query for
    both (the procedure's own sorts first), steps prefetched."""
    on = on or timezone.localdate()
    candidates = (
        ProcessTemplate.objects.filter(Q(procedure=procedure) | Q(procedure__isnull=True, unit_level=unit.level),
                                       is_active=True, effective_from__lte=on)
        .order_by(F("procedure_id").desc(nulls_last=True), "-effective_from")
        .prefetch_related(Prefetch("steps", queryset=ProcessStep.objects.select_related("agency").order_by("order")))
    )
    template = candidates.first()
    if template is None:
        return default_template(unit.level)
    template._steps_cache = list(template.steps.all())
    return template


def steps_of(template: ProcessTemplate) -> list[ProcessStep]:
    cached = getattr(template, "_steps_cache", None)
    if cached is None:
        cached = list(template.steps.select_related("agency").order_by("order"))
        template._steps_cache = cached
    return cached


def step_at(dossier, order: int | None) -> ProcessStep | None:
    return next((s for s in steps_of(dossier.process_template) if s.order == order), None)


def next_step(dossier) -> ProcessStep | None:
    current = dossier.current_step or 0
    return next((s for s in steps_of(dossier.process_template) if s.order > current), None)


def previous_working_step(dossier) -> ProcessStep | None:
    """The step before the current one that is not reception (rework goes back to processing)."""
    current = dossier.current_step or 0
    earlier = [s for s in steps_of(dossier.process_template)
               if s.order < current and s.kind != StepKind.RECEPTION]
    return earlier[-1] if earlier else None


def step_budget_days(step: ProcessStep, total_days: int, template: ProcessTemplate) -> int:
    """Working days of the legal time this step may use.

    Budgets written as fractions (≤ 1) of the whole are shares of the procedure's legal time, so one
    template serves a 3-day and a 15-day procedure; budgets > 1 are absolute days. Rounded up."""
    budget = Decimal(step.budget_days)
    days = (budget * total_days).to_integral_value(rounding=ROUND_CEILING) if budget <= 1 else budget
    return int(days)


def agency_for_step(step: ProcessStep, dossier) -> Agency | None:
    """A fixed agency; else the agency of the step's kind in the dossier's unit; else the
    department that implements the procedure in that unit; else the receiving agency."""
    if step.agency_id:
        return step.agency
    unit = dossier.unit
    if step.agency_kind:
        from chinhquyenso.dossiers.services import _unit_agencies

        agency = next((a for a in _unit_agencies(unit) if a.kind == step.agency_kind), None)
        if agency:
            return agency
    if step.kind in (StepKind.PROCESSING, StepKind.REVIEW):
        implementing = dossier.procedure.agencies.filter(Q(unit=unit) | Q(unit__path__startswith=unit.path))
        agency = implementing.filter(kind__in=[AgencyKind.DEPARTMENT, AgencyKind.OFFICE]).order_by("id").first()
        if agency:
            return agency
        # A commune has no departments: its UBND officers (tư pháp - hộ tịch, địa chính …) process.
        agency = Agency.objects.filter(unit=unit, kind=AgencyKind.PEOPLES_COMMITTEE).order_by("id").first()
        if agency:
            return agency
    return dossier.receiving_agency
