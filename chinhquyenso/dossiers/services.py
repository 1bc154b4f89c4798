"""Use cases of the one-stop system. Every write of a dossier goes through one of these functions.

Transitions use the table in ``workflow.py`` through ``core.workflow.transition_apply`` (row lock,
optimistic version, policy, audit + domain event); the hooks here move the steps, run the legal
clock and write the citizen-facing timeline in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhquyenso.calendar.services import (
    add_working_days,
    add_working_hours,
    working_days_between,
)
from chinhquyenso.core.audit import audit_record
from chinhquyenso.core.errors import Conflict, DomainError, PermissionDenied
from chinhquyenso.core.events import event_record
from chinhquyenso.core.workflow import transition_apply
from chinhquyenso.dossiers import policies, process
from chinhquyenso.dossiers.models import (
    ApologySlip,
    Channel,
    Dossier,
    DossierCodeRule,
    DossierCounter,
    DossierDocument,
    DossierEvent,
    DossierRating,
    DossierStep,
    FeeStatus,
    ResultDelivery,
    Status,
    StepKind,
    SupplementRequest,
)
from chinhquyenso.dossiers.workflow import dossier_flow
from chinhquyenso.units.models import Agency, AgencyKind

# How other apps (payments, delivery, eforms) refer to a dossier: subject_type + subject_id.
SUBJECT_TYPE = "dossiers.dossier"

# ---------------------------------------------------------------------------------------------
# Codes


def code_rule_in_force(day: dt.date) -> DossierCodeRule:
    rule = DossierCodeRule.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    if rule is None:  # the circular's rule, in force since 06/01/2019 (Circular 01/2018 art. 19)
        rule, _created = DossierCodeRule.objects.get_or_create(effective_from=dt.date(2019, 1, 6))
    return rule


def _next_sequence(agency: Agency, day: dt.date) -> int:
    """Gap-free: the counter row is locked and incremented in the caller's transaction."""
    for _attempt in range(3):
        counter = DossierCounter.objects.select_for_update().filter(agency=agency, day=day).first()
        if counter is not None:
            counter.last += 1
            counter.save(update_fields=["last"])
            return counter.last
        try:
            with transaction.atomic():  # savepoint: a concurrent first-of-the-day insert may win
                DossierCounter.objects.create(agency=agency, day=day, last=1)
            return 1
        except IntegrityError:
            continue
    raise Conflict("code_sequence_busy", _("Hệ thống đang bận cấp mã hồ sơ, vui lòng thử lại."))


def _unit_agencies(unit) -> list[Agency]:
    """The unit's active agencies (one query, kept on the unit object for the rest of the request)."""
    cached = getattr(unit, "_active_agencies", None)
    if cached is None:
        cached = list(Agency.objects.filter(unit=unit, is_active=True).order_by("id"))
        unit._active_agencies = cached
    return cached


def code_agency_for(unit) -> Agency:
    """The agency whose QCVN 102 identifier starts the code: the unit's People's Committee."""
    agency = next((a for a in _unit_agencies(unit) if a.kind == AgencyKind.PEOPLES_COMMITTEE), None)
    if agency is None:
        raise DomainError("no_receiving_agency", _("Đơn vị chưa được cấu hình cơ quan tiếp nhận hồ sơ."), "unit")
    return agency


def dossier_code_issue(*, unit, day: dt.date) -> tuple[str, DossierCodeRule]:
    rule = code_rule_in_force(day)
    agency = code_agency_for(unit)
    seq = _next_sequence(agency, day)
    return rule.pattern.format(agency=agency.identifier_code, date=day, seq=seq), rule


def receiving_agency_for(unit) -> Agency:
    agency = next((a for a in _unit_agencies(unit) if a.kind == AgencyKind.ONE_STOP), None)
    return agency or code_agency_for(unit)


# ---------------------------------------------------------------------------------------------
# Timeline and steps


def _timeline(dossier: Dossier, action: str, *, actor=None, note: str = "", public_note: str = "",
              agency=None) -> None:
    DossierEvent.objects.create(dossier=dossier, action=action, status=dossier.status, actor=actor,
                                agency=agency or dossier.current_agency, note=note, public_note=public_note)


def _finish_current_step(dossier: Dossier, *, actor, outcome: str, now) -> None:
    DossierStep.objects.filter(dossier=dossier, finished_at__isnull=True).update(
        finished_at=now, handed_over_by=actor, outcome=outcome)


def _start_step(dossier: Dossier, step, *, now, save_step: bool = True) -> None:
    """Make ``step`` the dossier's current step (fields set; the caller saves the dossier)."""
    agency = process.agency_for_step(step, dossier)
    budget = process.step_budget_days(step, dossier.processing_days, dossier.process_template)
    due = add_working_days(now, budget, dossier.unit) if step.kind != StepKind.RETURN else dossier.due_date
    dossier.current_step = step.order
    dossier.current_role = step.role
    dossier.current_agency = agency
    dossier.current_holder = None
    dossier.step_due_date = min(d for d in (due, dossier.due_date) if d) if (due or dossier.due_date) else None
    if save_step:
        _record_step(dossier, step, now=now)


def _record_step(dossier: Dossier, step, *, now) -> None:
    DossierStep.objects.create(dossier=dossier, order=step.order, name=step.name, kind=step.kind, role=step.role,
                               agency=dossier.current_agency, started_at=now, due_date=dossier.step_due_date)


def _clear_holder(dossier: Dossier) -> None:
    dossier.current_step = None
    dossier.current_role = ""
    dossier.current_agency = None
    dossier.current_holder = None
    dossier.step_due_date = None


def _notify_applicant(dossier: Dossier) -> list[int]:
    return [dossier.applicant_id] if dossier.applicant_id else []


def _require_apology_if_late(dossier: Dossier, today: dt.date) -> None:
    """A dossier past its appointment may not move on until the apology slip sets a new date."""
    if dossier.due_date and today > dossier.due_date:
        raise DomainError(
            "apology_required",
            _("Hồ sơ đã quá hạn hẹn trả (%(due)s). Cần lập Phiếu xin lỗi và hẹn lại ngày trả kết quả trước khi "
              "chuyển tiếp.") % {"due": dossier.due_date.strftime("%d/%m/%Y")},
        )


def _lock(dossier: Dossier, expected_version: int | None) -> Dossier:
    """Lock the row for a change that is not a status transition, with the same stale-page check."""
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if expected_version is not None and expected_version != locked.version:
        raise Conflict("stale_version", _("Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại trang và thử lại."))
    return locked


def _apply(dossier: Dossier, action: str, *, actor, expected_version, reason="", hook=None, payload=None,
           notify=True) -> Dossier:
    extra = {"code": dossier.code, "procedure_id": dossier.procedure_id}
    if notify:
        extra["notify_user_ids"] = _notify_applicant(dossier)
    return transition_apply(workflow=dossier_flow, obj=dossier, action=action, actor=actor,
                            expected_version=expected_version, reason=reason, before_save=hook,
                            payload={**extra, **(payload or {})})


# ---------------------------------------------------------------------------------------------
# Submission


@dataclass(frozen=True)
class DocumentInput:
    """One component of a new dossier: a checked ``StoredFile`` or a warehouse document."""

    name: str
    file: object  # core.StoredFile
    required_document_id: int | None = None
    source: str = DossierDocument.Source.UPLOAD
    copy_kind: str = ""
    quantity: int = 1


def _check_required_documents(procedure, documents: list[DocumentInput]) -> None:
    provided = {d.required_document_id for d in documents if d.required_document_id}
    # Documents to present (xuất trình) are shown at the desk, not uploaded.
    missing = [rd for rd in procedure.required_documents.all()
               if rd.requirement == "required" and rd.form != "present" and rd.pk not in provided]
    if missing:
        raise DomainError(
            "missing_required_document",
            _("Còn thiếu giấy tờ bắt buộc: %(names)s.") % {"names": "; ".join(rd.name[:120] for rd in missing)},
            f"document_{missing[0].pk}",
        )


def _terms_and_fee(procedure, day: dt.date):
    from chinhquyenso.catalog.fees import fee_quote
    from chinhquyenso.catalog.selectors import terms_in_force

    terms = terms_in_force(procedure, on=day)
    if terms is None:
        raise DomainError("no_terms_in_force", _("Thủ tục chưa có thời hạn, phí, lệ phí áp dụng."), "procedure")
    quote = fee_quote(procedure, on=day, terms=terms)
    processing_days = terms.processing_days if terms.processing_days is not None else 0
    return terms, processing_days, int(quote.total_vnd or 0)


@transaction.atomic
def dossier_submit(
    *,
    procedure,
    unit,
    applicant,
    form_data: dict,
    documents: list[DocumentInput],
    channel: str = Channel.ONLINE,
    result_delivery: str = ResultDelivery.DESK,
    delivery_address: str = "",
    submitted_by=None,
    applicant_name: str = "",
    applicant_id_number: str = "",
    applicant_phone: str = "",
    applicant_email: str = "",
    applicant_address: str = "",
    organisation=None,
    now: dt.datetime | None = None,
) -> Dossier:
    """A new dossier: validated form data, required documents, a code, the clock started."""
    from chinhquyenso.eforms.selectors import current_version_for

    now = now or timezone.now()
    today = timezone.localdate(now)
    if procedure.status != "active":
        raise DomainError("procedure_retired", _("Thủ tục này không còn áp dụng."), "procedure")
    if channel == Channel.ONLINE and not procedure.channel_online:
        raise DomainError("online_not_available", _("Thủ tục này chưa cung cấp dịch vụ công trực tuyến."), "procedure")
    if result_delivery == ResultDelivery.POST and not delivery_address.strip():
        raise DomainError("delivery_address_required", _("Vui lòng nhập địa chỉ nhận kết quả qua bưu chính."),
                          "delivery_address")
    _check_required_documents(procedure, documents)

    profile = getattr(applicant, "citizen_profile", None) if applicant else None
    name = applicant_name or (profile.full_name if profile else getattr(applicant, "full_name", ""))
    if not name:
        raise DomainError("applicant_name_required", _("Vui lòng nhập họ tên người nộp hồ sơ."), "applicant_name")
    form_version = current_version_for(procedure)
    terms, processing_days, fee_total = _terms_and_fee(procedure, today)
    code, rule = dossier_code_issue(unit=unit, day=today)
    dossier = Dossier(
        code=code, code_rule=rule, channel=channel, procedure=procedure, procedure_terms=terms,
        form_version=form_version, form_data=form_data or {},
        process_template=process.template_for(procedure, unit, on=today),
        unit=unit, receiving_agency=receiving_agency_for(unit),
        applicant=applicant, organisation=organisation, applicant_name=name,
        applicant_id_number=applicant_id_number or (profile.cccd or "" if profile else ""),
        applicant_phone=applicant_phone or (profile.phone if profile else "") or getattr(applicant, "phone", ""),
        applicant_email=applicant_email or (profile.email if profile else "") or getattr(applicant, "email", ""),
        applicant_address=applicant_address or (profile.address if profile else ""),
        submitted_by=submitted_by or applicant, status=Status.SUBMITTED, submitted_at=now,
        processing_days=processing_days, fee_total=fee_total,
        fee_status=FeeStatus.UNPAID if fee_total > 0 else FeeStatus.NOT_REQUIRED,
        result_delivery=result_delivery, delivery_address=delivery_address,
        reuses_digitized_data=any(d.source == DossierDocument.Source.WAREHOUSE for d in documents),
    )
    if channel == Channel.ONLINE:
        # Decree 45/2020: accept or ask for a supplement within 8 working hours.
        dossier.accept_due_at = add_working_hours(now, 8, unit)
    # The reception step is set before the first insert: one write of the dossier row, not two.
    reception = process.steps_of(dossier.process_template)[0]
    _start_step(dossier, reception, now=now, save_step=False)
    dossier.save()
    # Online, the e-form *is* the declaration and must validate; at the desk or by post the signed
    # paper form is scanned as a document, so an officer may leave the e-form data empty.
    if form_version is not None and (form_data or channel == Channel.ONLINE):
        from chinhquyenso.eforms.services import form_submission_create

        submission = form_submission_create(form_version=form_version, data=form_data, applicant=applicant,
                                            unit=unit, source=(SUBJECT_TYPE, dossier.pk))
        dossier.form_submission = submission
        dossier.form_data = submission.data
        dossier.save(update_fields=["form_submission", "form_data"])
    DossierDocument.objects.bulk_create([
        DossierDocument(dossier=dossier, name=d.name, file=d.file, required_document_id=d.required_document_id,
                        source=d.source, copy_kind=d.copy_kind, quantity=d.quantity, added_by=submitted_by or applicant)
        for d in documents
    ])
    _record_step(dossier, reception, now=now)
    _timeline(dossier, "submit", actor=submitted_by or applicant,
              public_note=_("Hồ sơ đã được nộp (%(channel)s).") % {"channel": dossier.get_channel_display()})
    actor = submitted_by or applicant
    audit_record(action="dossier.submit", actor=actor, obj=dossier, unit=unit,
                 after={"code": code, "channel": channel, "procedure": procedure.code, "fee_total": fee_total})
    event_record(event_type="dossier.submitted", aggregate=dossier, unit=unit, actor=actor,
                 payload={"code": code, "channel": channel, "procedure_id": procedure.pk,
                          "notify_user_ids": _notify_applicant(dossier)})
    return dossier


@transaction.atomic
def dossier_register_at_desk(*, officer, procedure, unit, documents: list[DocumentInput], form_data: dict,
                             applicant=None, channel: str = Channel.DESK, **applicant_fields) -> Dossier:
    """A walk-in (or a paper dossier that came by post): the officer records it and receives it at once."""
    if not policies._holds(officer, "reception_officer", _UnitProbe(unit)):
        raise PermissionDenied()
    dossier = dossier_submit(procedure=procedure, unit=unit, applicant=applicant, form_data=form_data,
                             documents=documents, channel=channel, submitted_by=officer, **applicant_fields)
    return dossier_receive(dossier=dossier, actor=officer, expected_version=dossier.version)


@dataclass
class _UnitProbe:
    """Lets the policy helpers answer "does the officer act in this unit" before a dossier exists."""

    unit: object
    current_agency: object = None


# ---------------------------------------------------------------------------------------------
# Reception


def dossier_receive(*, dossier: Dossier, actor, expected_version: int | None = None,
                    now: dt.datetime | None = None) -> Dossier:
    """Accept the dossier: the appointment date is set in working days and processing starts."""
    now = now or timezone.now()

    def hook(d: Dossier) -> None:
        d.received_at = now
        # Counted from the receipt (after office hours → from the next working day).
        d.due_date = add_working_days(now, d.processing_days, d.unit)
        d.original_due_date = d.due_date
        _finish_current_step(d, actor=actor, outcome="received", now=now)
        step = process.next_step(d)
        if step is not None:
            _start_step(d, step, now=now)
        _timeline(d, "receive", actor=actor,
                  public_note=_("Đã tiếp nhận hồ sơ, hẹn trả kết quả ngày %(due)s.")
                  % {"due": d.due_date.strftime("%d/%m/%Y")})

    return _apply(dossier, "receive", actor=actor, expected_version=expected_version, hook=hook)


def dossier_refuse(*, dossier: Dossier, actor, reason: str, expected_version: int | None = None) -> Dossier:
    now = timezone.now()

    def hook(d: Dossier) -> None:
        d.finished_at = now
        _finish_current_step(d, actor=actor, outcome="refused", now=now)
        _clear_holder(d)
        _timeline(d, "refuse", actor=actor, note=reason,
                  public_note=_("Hồ sơ bị từ chối tiếp nhận: %(r)s") % {"r": reason})

    return _apply(dossier, "refuse", actor=actor, expected_version=expected_version, reason=reason, hook=hook)


def dossier_request_supplement(*, dossier: Dossier, actor, reason: str, items: list[dict],
                               expected_version: int | None = None) -> Dossier:
    """Ask for missing documents (Mẫu 02). During processing the clock stops until they arrive."""
    if not items:
        raise DomainError("supplement_items_required", _("Vui lòng liệt kê giấy tờ cần bổ sung."), "items")
    now = timezone.now()

    def hook(d: Dossier) -> None:
        d.paused_from = d._workflow_from
        d.paused_at = now
        d.supplement_count += 1
        SupplementRequest.objects.create(dossier=d, requested_by=actor, reason=reason, items=items, requested_at=now)
        _timeline(d, "request_supplement", actor=actor, note=reason,
                  public_note=_("Cơ quan yêu cầu bổ sung hồ sơ: %(r)s") % {"r": reason})

    return _apply(dossier, "request_supplement", actor=actor, expected_version=expected_version, reason=reason,
                  hook=hook, payload={"items": items})


def dossier_supplement(*, dossier: Dossier, actor, documents: list[DocumentInput], note: str = "",
                       expected_version: int | None = None, now: dt.datetime | None = None) -> Dossier:
    """The citizen (or the desk for them) hands in what was missing; the clock restarts and the
    appointment moves by the working days spent waiting."""
    if not documents:
        raise DomainError("supplement_documents_required", _("Vui lòng đính kèm giấy tờ bổ sung."), "documents")
    now = now or timezone.now()

    def hook(d: Dossier) -> None:
        paused = max(0, working_days_between(timezone.localdate(d.paused_at), timezone.localdate(now), d.unit))
        request = d.supplement_requests.filter(answered_at__isnull=True).order_by("-requested_at").first()
        if request is not None:
            request.answered_at = now
            request.paused_working_days = paused
            request.save(update_fields=["answered_at", "paused_working_days"])
        if d.paused_from == Status.SUBMITTED:
            d.submitted_at = now
            if d.channel == Channel.ONLINE:
                d.accept_due_at = add_working_hours(now, 8, d.unit)
        else:
            d.paused_working_days += paused
            if d.due_date:
                d.due_date = add_working_days(d.due_date, paused, d.unit)
            if d.step_due_date:
                d.step_due_date = add_working_days(d.step_due_date, paused, d.unit)
        d.paused_from = ""
        d.paused_at = None
        DossierDocument.objects.bulk_create([
            DossierDocument(dossier=d, name=x.name, file=x.file, required_document_id=x.required_document_id,
                            source=DossierDocument.Source.SUPPLEMENT, added_by=actor) for x in documents
        ])
        _timeline(d, "supplement", actor=actor, note=note, public_note=_("Đã nộp bổ sung hồ sơ."))

    return _apply(dossier, "supplement", actor=actor, expected_version=expected_version, hook=hook,
                  payload={"notify_user_ids": []})


# ---------------------------------------------------------------------------------------------
# Processing


@transaction.atomic
def dossier_take(*, dossier: Dossier, actor, expected_version: int | None = None) -> Dossier:
    """A specialist takes the current step (so colleagues see who holds it)."""
    locked = _lock(dossier, expected_version)
    in_processing = locked.status in (Status.IN_PROGRESS, Status.PENDING_APPROVAL)
    if not in_processing or not policies.holds_current_step(actor, locked):
        raise PermissionDenied()
    if locked.current_holder_id not in (None, actor.pk):
        raise Conflict("already_taken", _("Hồ sơ đã được cán bộ khác nhận xử lý."))
    return _set_holder(locked, holder=actor, actor=actor, action="take")


@transaction.atomic
def dossier_assign(*, dossier: Dossier, actor, assignee, expected_version: int | None = None) -> Dossier:
    """A department head or leader gives the current step to a specific officer."""
    locked = _lock(dossier, expected_version)
    if not policies.can_assign(actor, locked):
        raise PermissionDenied()
    if not policies._holds(assignee, locked.current_role, locked, agency=locked.current_agency):
        raise DomainError("assignee_cannot_hold", _("Cán bộ được giao không có vai trò xử lý bước này."), "assignee")
    return _set_holder(locked, holder=assignee, actor=actor, action="assign")


def _set_holder(locked: Dossier, *, holder, actor, action: str) -> Dossier:
    before = {"holder": locked.current_holder_id, "version": locked.version}
    locked.current_holder = holder
    locked.version += 1
    locked.save(update_fields=["current_holder", "version", "updated_at"])
    DossierStep.objects.filter(dossier=locked, finished_at__isnull=True).update(holder=holder)
    _timeline(locked, action, actor=actor, note=holder.get_full_name())
    audit_record(action=f"dossier.{action}", actor=actor, obj=locked, unit=locked.unit, before=before,
                 after={"holder": holder.pk, "version": locked.version})
    event_record(event_type=f"dossier.{action}", aggregate=locked, unit=locked.unit, actor=actor,
                 payload={"code": locked.code, "holder_id": holder.pk, "notify_user_ids": [holder.pk]})
    return locked


def dossier_forward(*, dossier: Dossier, actor, note: str = "", expected_version: int | None = None) -> Dossier:
    """Finish the current step and hand the dossier to the next one in the process template."""
    now = timezone.now()

    def hook(d: Dossier) -> None:
        _require_apology_if_late(d, timezone.localdate(now))
        step = process.next_step(d)
        if step is None or step.kind == StepKind.RETURN:
            raise DomainError("no_next_step", _("Đây là bước xử lý cuối; hãy trình phê duyệt hoặc ban hành kết quả."))
        _finish_current_step(d, actor=actor, outcome="forwarded", now=now)
        _start_step(d, step, now=now)
        _timeline(d, "forward", actor=actor, note=note,
                  public_note=_("Hồ sơ chuyển sang bước: %(s)s") % {"s": step.name})

    return _apply(dossier, "forward", actor=actor, expected_version=expected_version, hook=hook, notify=False)


def dossier_return_for_rework(*, dossier: Dossier, actor, reason: str, expected_version: int | None = None) -> Dossier:
    now = timezone.now()

    def hook(d: Dossier) -> None:
        step = process.previous_working_step(d)
        if step is None:
            raise DomainError("no_previous_step", _("Không có bước trước để trả lại."))
        _finish_current_step(d, actor=actor, outcome="returned_for_rework", now=now)
        _start_step(d, step, now=now)
        _timeline(d, "return_for_rework", actor=actor, note=reason)

    return _apply(dossier, "return_for_rework", actor=actor, expected_version=expected_version, reason=reason,
                  hook=hook, notify=False)


def _close_processing(d: Dossier, *, now, actor, outcome: str) -> None:
    d.finished_at = now
    # Late when finished after the (pause-adjusted) appointment, or after more than one supplement
    # request (Decision 766, indicator 2.1).
    d.is_late = d.is_late or (d.original_due_date is not None and
                              timezone.localdate(now) > _adjusted_original_due(d)) or d.supplement_count > 1
    _finish_current_step(d, actor=actor, outcome=outcome, now=now)


def _adjusted_original_due(d: Dossier) -> dt.date:
    return add_working_days(d.original_due_date, d.paused_working_days, d.unit) if d.paused_working_days \
        else d.original_due_date


def dossier_approve(*, dossier: Dossier, actor, result_file=None, result_number: str = "",
                    expected_version: int | None = None) -> Dossier:
    """The leader approves: the result is issued, goes into the citizen's data warehouse, and the
    dossier waits at the desk (or for the postman) to be handed over."""
    from chinhquyenso.dossiers import documents as dossier_documents

    now = timezone.now()

    def hook(d: Dossier) -> None:
        _require_apology_if_late(d, timezone.localdate(now))
        _close_processing(d, now=now, actor=actor, outcome="approved")
        d.result_number = result_number
        d.result_file = result_file or dossier_documents.result_document_render(dossier=d, approver=actor)
        d.is_digitized = d.documents.exists() and d.result_file_id is not None
        step = next((s for s in process.steps_of(d.process_template) if s.kind == StepKind.RETURN), None)
        if step is not None:
            _start_step(d, step, now=now)
        else:
            _clear_holder(d)
        if d.applicant_id:
            from chinhquyenso.digitization.services import personal_document_add

            personal_document_add(owner=d.applicant, file=d.result_file, title=d.procedure.name, kind="result",
                                  issued_by=code_agency_for(d.unit), issued_on=timezone.localdate(now),
                                  document_number=result_number, source_dossier_id=d.pk, actor=actor)
        _timeline(d, "approve", actor=actor, public_note=_("Đã có kết quả giải quyết."))

    return _apply(dossier, "approve", actor=actor, expected_version=expected_version, hook=hook)


def dossier_reject(*, dossier: Dossier, actor, reason: str, expected_version: int | None = None) -> Dossier:
    now = timezone.now()

    def hook(d: Dossier) -> None:
        _close_processing(d, now=now, actor=actor, outcome="rejected")
        _clear_holder(d)
        _timeline(d, "reject", actor=actor, note=reason,
                  public_note=_("Hồ sơ không đủ điều kiện giải quyết: %(r)s") % {"r": reason})

    return _apply(dossier, "reject", actor=actor, expected_version=expected_version, reason=reason, hook=hook)


def dossier_return_result(*, dossier: Dossier, actor, expected_version: int | None = None,
                          now: dt.datetime | None = None) -> Dossier:
    """Hand the result over (desk), or record that the postman delivered it."""
    now = now or timezone.now()

    def hook(d: Dossier) -> None:
        if d.fee_status == FeeStatus.UNPAID:
            raise DomainError("fee_unpaid", _("Hồ sơ chưa nộp phí, lệ phí; chưa thể trả kết quả."), "fee")
        d.returned_at = now
        _finish_current_step(d, actor=actor, outcome="returned", now=now)
        _clear_holder(d)
        _timeline(d, "return_result", actor=actor, public_note=_("Đã trả kết quả."))

    return _apply(dossier, "return_result", actor=actor, expected_version=expected_version, hook=hook)


def dossier_result_delivered_by_post(*, dossier_id: int, shipment_id=None) -> Dossier:
    """The postal delivery receipt arrived: the result counts as returned (idempotent)."""
    dossier = Dossier.objects.get(pk=dossier_id)
    if dossier.status == Status.RETURNED:
        return dossier
    now = timezone.now()

    def hook(d: Dossier) -> None:
        d.returned_at = now
        _finish_current_step(d, actor=None, outcome="delivered_by_post", now=now)
        _clear_holder(d)
        _timeline(d, "deliver_by_post", public_note=_("Bưu điện đã phát kết quả cho người nhận."))

    return _apply(dossier, "deliver_by_post", actor=None, expected_version=None, hook=hook,
                  payload={"shipment_id": shipment_id})


def dossier_withdraw(*, dossier: Dossier, actor, reason: str, expected_version: int | None = None) -> Dossier:
    now = timezone.now()

    def hook(d: Dossier) -> None:
        d.finished_at = now
        _finish_current_step(d, actor=actor, outcome="withdrawn", now=now)
        _clear_holder(d)
        _timeline(d, "withdraw", actor=actor, note=reason, public_note=_("Công dân đã rút hồ sơ."))

    return _apply(dossier, "withdraw", actor=actor, expected_version=expected_version, reason=reason, hook=hook)


@transaction.atomic
def dossier_apologize(*, dossier: Dossier, actor, reason: str, new_due_date: dt.date,
                      expected_version: int | None = None) -> ApologySlip:
    """Phiếu xin lỗi và hẹn lại: a dossier that is (or will be) late gets a new appointment and the
    citizen is told why. The dossier still counts as late."""
    locked = _lock(dossier, expected_version)
    if locked.status not in (Status.IN_PROGRESS, Status.PENDING_APPROVAL):
        raise Conflict("invalid_state", _("Chỉ lập phiếu xin lỗi cho hồ sơ đang giải quyết."))
    if not (policies.holds_current_step(actor, locked) or policies.can_decide(actor, locked)):
        raise PermissionDenied()
    if not reason.strip():
        raise DomainError("reason_required", _("Vui lòng nêu lý do chậm trễ."), "reason")
    today = timezone.localdate()
    if new_due_date <= max(today, locked.due_date or today):
        raise DomainError("new_due_date_invalid", _("Ngày hẹn mới phải sau ngày hẹn hiện tại và sau hôm nay."),
                          "new_due_date")
    slip = ApologySlip.objects.create(dossier=locked, issued_by=actor, responsible_agency=locked.current_agency,
                                      reason=reason, previous_due_date=locked.due_date, new_due_date=new_due_date)
    before = {"due_date": locked.due_date, "version": locked.version}
    locked.due_date = new_due_date
    if locked.step_due_date is None or locked.step_due_date < new_due_date:
        locked.step_due_date = new_due_date
    locked.apology_count += 1
    locked.is_late = True
    locked.version += 1
    locked.save()
    _timeline(locked, "apologize", actor=actor, note=reason,
              public_note=_("Cơ quan xin lỗi vì chậm trả kết quả, hẹn lại ngày %(d)s. Lý do: %(r)s")
              % {"d": new_due_date.strftime("%d/%m/%Y"), "r": reason})
    audit_record(action="dossier.apologize", actor=actor, obj=locked, unit=locked.unit, before=before,
                 after={"due_date": new_due_date, "version": locked.version, "reason": reason})
    event_record(event_type="dossier.apologized", aggregate=locked, unit=locked.unit, actor=actor,
                 payload={"code": locked.code, "new_due_date": new_due_date.isoformat(), "reason": reason,
                          "notify_user_ids": _notify_applicant(locked)})
    return slip


# ---------------------------------------------------------------------------------------------
# Fees, delivery, rating, overdue


@transaction.atomic
def dossier_mark_fee_paid(*, dossier_id: int, amount: int, method: str, actor=None) -> Dossier:
    """Called by the payments subscriber: the only way a payment changes a dossier. Idempotent."""
    locked = Dossier.objects.select_for_update().get(pk=dossier_id)
    if locked.fee_status == FeeStatus.PAID:
        return locked
    locked.fee_status = FeeStatus.PAID
    locked.version += 1
    locked.save(update_fields=["fee_status", "version", "updated_at"])
    _timeline(locked, "fee_paid", actor=actor, public_note=_("Đã nộp phí, lệ phí."))
    audit_record(action="dossier.fee_paid", actor=actor, obj=locked, unit=locked.unit,
                 after={"amount": amount, "method": method})
    event_record(event_type="dossier.fee_paid", aggregate=locked, unit=locked.unit, actor=actor,
                 payload={"code": locked.code, "amount": amount, "method": method})
    return locked


@transaction.atomic
def dossier_rate(*, dossier: Dossier, actor, level: int, on_time: bool | None = None,
                 staff_attitude: int | None = None, comment: str = "") -> DossierRating:
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if not policies.is_applicant(actor, locked):
        raise PermissionDenied()
    if locked.status not in (Status.RETURNED, Status.APPROVED, Status.REJECTED):
        raise DomainError("not_finished", _("Chỉ đánh giá khi hồ sơ đã có kết quả."))
    if DossierRating.objects.filter(dossier=locked).exists():
        raise Conflict("already_rated", _("Bạn đã đánh giá hồ sơ này."))
    if level not in DossierRating.Level.values:
        raise DomainError("invalid_level", _("Mức đánh giá không hợp lệ."), "level")
    rating = DossierRating.objects.create(dossier=locked, level=level, on_time=on_time, staff_attitude=staff_attitude,
                                          comment=comment[:2000])
    audit_record(action="dossier.rate", actor=actor, obj=locked, unit=locked.unit, after={"level": level})
    event_record(event_type="dossier.rated", aggregate=locked, unit=locked.unit, actor=actor,
                 payload={"code": locked.code, "level": level})
    return rating


def dossier_mark_overdue(*, today: dt.date | None = None, limit: int = 1000) -> int:
    """Hourly: flag dossiers past their appointment and escalate each (once per appointment date) to
    the head of the department holding it and the unit leaders. Returns how many were escalated."""
    from chinhquyenso.accounts.models import RoleAssignment
    from chinhquyenso.accounts.roles import Role

    today = today or timezone.localdate()
    overdue = (Dossier.objects.filter(status__in=[Status.IN_PROGRESS, Status.PENDING_APPROVAL], due_date__lt=today)
               .filter(Q(escalated_for__isnull=True) | Q(escalated_for__lt=F("due_date")))
               .select_related("unit").order_by("due_date", "id")[:limit])
    count = 0
    for dossier in overdue:
        with transaction.atomic():
            locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
            if locked.escalated_for is not None and locked.escalated_for >= locked.due_date:
                continue
            locked.is_late = True
            locked.escalated_for = locked.due_date
            locked.save(update_fields=["is_late", "escalated_for", "updated_at"])
            chain = [dossier.unit.path, *dossier.unit.ancestor_paths()]
            assignments = RoleAssignment.objects.active().filter(unit__path__in=chain)
            recipients = set(assignments.filter(role=Role.UNIT_LEADER).values_list("user_id", flat=True))
            if locked.current_agency_id:
                recipients |= set(assignments.filter(role=Role.DEPARTMENT_HEAD, agency_id=locked.current_agency_id)
                                  .values_list("user_id", flat=True))
            _timeline(locked, "overdue", public_note=_("Hồ sơ đã quá hạn hẹn trả."))
            audit_record(action="dossier.overdue", obj=locked, unit=locked.unit, after={"due_date": locked.due_date})
            event_record(event_type="dossier.overdue", aggregate=locked, unit=locked.unit,
                         payload={"code": locked.code, "due_date": locked.due_date.isoformat(),
                                  "notify_user_ids": sorted(recipients)})
            count += 1
    return count


# ---------------------------------------------------------------------------------------------
# Online submission as the citizen's pages do it, the fee invoice and the postal return


@transaction.atomic
def dossier_submit_online(*, procedure, unit, applicant, form_data: dict, documents: list[DocumentInput],
                          result_delivery: str = ResultDelivery.DESK, delivery_address: str = "",
                          applicant_phone: str = "", form_definition=None) -> Dossier:
    """The citizen's "Nộp hồ sơ" button: the dossier, its fee invoice, the new uploads copied into the
    citizen's data warehouse (reusable next time) and the e-form draft cleared — all or nothing."""
    from chinhquyenso.digitization.services import personal_document_add

    if result_delivery == ResultDelivery.POST and not (applicant_phone or "").strip():
        raise DomainError("delivery_phone_required", _("Vui lòng nhập số điện thoại để bưu điện liên hệ khi phát."),
                          "applicant_phone")
    dossier = dossier_submit(procedure=procedure, unit=unit, applicant=applicant, form_data=form_data,
                             documents=documents, channel=Channel.ONLINE, result_delivery=result_delivery,
                             delivery_address=delivery_address, applicant_phone=applicant_phone)
    dossier_invoice_ensure(dossier=dossier, actor=applicant)
    for doc in documents:
        if doc.source == DossierDocument.Source.UPLOAD:
            personal_document_add(owner=applicant, file=doc.file, title=doc.name, kind="submitted",
                                  source_dossier_id=dossier.pk, actor=applicant)
    if form_definition is not None:
        from chinhquyenso.eforms.services import form_draft_discard

        form_draft_discard(user=applicant, definition=form_definition)
    return dossier


def dossier_invoice_ensure(*, dossier: Dossier, actor=None):
    """The fee invoice of a dossier with ``fee_total > 0`` (payments app), created once: the
    idempotency key is the dossier's, so a retry, a double click or the subscriber never makes a
    second one. Returns the invoice, or None when nothing is to be paid."""
    if dossier.fee_total <= 0 or dossier.fee_status != FeeStatus.UNPAID:
        return None
    from chinhquyenso.payments.services import invoice_create

    return invoice_create(
        subject_type=SUBJECT_TYPE, subject_id=str(dossier.pk), kind="charge", amount=int(dossier.fee_total),
        unit=dossier.unit, agency=dossier.receiving_agency, payer=dossier.applicant,
        payer_name=dossier.applicant_name, subject_label=f"{dossier.code} — {dossier.procedure.name}"[:255],
        description=(_("Phí, lệ phí hồ sơ %(code)s") % {"code": dossier.code})[:255],
        lines=[{"code": "le_phi", "label": dossier.procedure.name[:200], "quantity": 1,
                "amount_vnd": int(dossier.fee_total)}],
        idempotency_key=f"dossier:{dossier.pk}:fee", actor=actor,
    )


# Weight declared for a result sent by post: an envelope with a few sheets (postage band 1).
RESULT_ENVELOPE_GRAMS = 200


def dossier_return_shipment_ensure(*, dossier: Dossier, actor=None):
    """The postal return of the result (bưu chính công ích) for a dossier whose applicant chose
    delivery by post, created once (idempotent per dossier). The postman's delivery receipt later
    closes the dossier (``subscribers.on_shipment_delivered``)."""
    if dossier.result_delivery != ResultDelivery.POST or dossier.status != Status.APPROVED:
        return None
    from chinhquyenso.delivery.services import shipment_create

    profile = getattr(dossier.applicant, "citizen_profile", None) if dossier.applicant_id else None
    address_unit = (profile.address_unit if profile and profile.address_unit_id else None) or dossier.unit
    return shipment_create(
        subject_type=SUBJECT_TYPE, subject_id=str(dossier.pk), unit=dossier.unit, agency=dossier.receiving_agency,
        direction="return", contact_name=dossier.applicant_name, contact_phone=dossier.applicant_phone,
        address_line=dossier.delivery_address or dossier.applicant_address, address_unit=address_unit,
        weight_g=RESULT_ENVELOPE_GRAMS, idempotency_key=f"dossier:{dossier.pk}:return", actor=actor,
        citizen=dossier.applicant, subject_label=f"{dossier.code} — {dossier.procedure.name}"[:255],
    )


# ---------------------------------------------------------------------------------------------
# Digitisation (Decision 766 indicator 4.2) and process-template checks for the administration


@transaction.atomic
def dossier_mark_digitized(*, dossier_id: int | None = None, document_id: int | None = None, digitized_file=None,
                           original_file_id=None, actor=None) -> Dossier:
    """A component of the dossier has been digitised (scan → PDF/A with a text layer, by the
    digitization app): the component now points at the digitised file (the original stays with the
    scan job). Then ``is_digitized`` is re-evaluated: Decision 766 indicator 4.2 counts a dossier whose
    components **and** result are digitised. Idempotent; called with only ``dossier_id`` it just
    re-evaluates. Raises ``Conflict`` when the component was replaced since the scan was requested."""
    if document_id is not None:
        document = DossierDocument.objects.filter(pk=document_id).only("dossier_id").first()
        if document is None:
            raise DomainError("document_not_found", _("Không tìm thấy thành phần hồ sơ."))
        dossier_id = document.dossier_id
    locked = Dossier.objects.select_for_update().get(pk=dossier_id)
    if document_id is not None and digitized_file is not None:
        document = DossierDocument.objects.select_for_update().get(pk=document_id)
        if document.file_id != digitized_file.pk:
            if original_file_id is not None and str(document.file_id) != str(original_file_id):
                raise Conflict("document_changed", _("Thành phần hồ sơ đã được thay tệp khác trong lúc số hóa."))
            before = {"file": str(document.file_id)}
            document.file = digitized_file
            document.save(update_fields=["file"])
            _timeline(locked, "digitize", actor=actor, note=_("Đã số hóa: %(name)s") % {"name": document.name})
            audit_record(action="dossier.document_digitized", actor=actor, obj=document, unit=locked.unit,
                         before=before, after={"file": str(digitized_file.pk)})
            event_record(event_type="dossier.document_digitized", aggregate=locked, unit=locked.unit, actor=actor,
                         payload={"code": locked.code, "document_id": document.pk})
    digitized = locked.documents.exists() and locked.result_file_id is not None
    if digitized != locked.is_digitized:
        locked.is_digitized = digitized
        # Not a decision: the version (optimistic lock of the officers' pages) is left alone.
        locked.save(update_fields=["is_digitized", "updated_at"])
        audit_record(action="dossier.digitized", actor=actor, obj=locked, unit=locked.unit,
                     after={"is_digitized": digitized})
    return locked


def process_template_validate(template) -> list[str]:
    """What is wrong with a process template, in Vietnamese (empty when it may be applied):
    it starts with reception and ends with returning the result, has an approval step, every step
    has a known staff role, and the step budgets cover the legal time exactly — shares (≤ 1) that
    sum to 1, or working days that sum to the procedure's processing time."""
    from decimal import Decimal

    from chinhquyenso.accounts.roles import STAFF_ROLES

    steps = sorted(template.steps.all(), key=lambda s: s.order)
    if not steps:
        return [_("Quy trình chưa có bước nào.")]
    problems = []
    if steps[0].kind != StepKind.RECEPTION:
        problems.append(_("Bước đầu tiên phải là bước Tiếp nhận."))
    if steps[-1].kind != StepKind.RETURN:
        problems.append(_("Bước cuối cùng phải là bước Trả kết quả."))
    if not any(s.kind == StepKind.APPROVAL for s in steps):
        problems.append(_("Quy trình phải có bước Lãnh đạo phê duyệt."))
    for step in steps:
        if step.role not in STAFF_ROLES:
            problems.append(_("Bước %(n)s (%(name)s): vai trò xử lý “%(role)s” không có trong hệ thống.")
                            % {"n": step.order, "name": step.name, "role": step.role})
        if step.budget_days is None or Decimal(step.budget_days) < 0:
            problems.append(_("Bước %(n)s (%(name)s): thời gian không hợp lệ.") % {"n": step.order, "name": step.name})
    budgets = [Decimal(s.budget_days or 0) for s in steps]
    if any(b < 0 for b in budgets):
        return problems
    if all(b <= 1 for b in budgets):
        total = sum(budgets, Decimal(0))
        if total != 1:
            problems.append(_("Tổng tỷ lệ thời gian của các bước là %(total)s, phải bằng 1 (100%% thời hạn giải "
                              "quyết).") % {"total": format(total.normalize(), "f")})
        return problems
    # Absolute working days: every budget is a day count (a value in (0, 1] would read as a share).
    if any(0 < b <= 1 for b in budgets):
        problems.append(_("Không trộn tỷ lệ (≤ 1) với số ngày (> 1) trong cùng một quy trình."))
        return problems
    if template.procedure_id is None:
        problems.append(_("Quy trình mặc định dùng cho nhiều thủ tục nên phải ghi thời gian theo tỷ lệ (tổng bằng 1)."))
        return problems
    from chinhquyenso.catalog.selectors import terms_in_force

    terms = terms_in_force(template.procedure, on=template.effective_from)
    legal_days = terms.processing_days if terms is not None else None
    total = sum(budgets, Decimal(0))
    if legal_days is None:
        problems.append(_("Thủ tục chưa có thời hạn giải quyết tại ngày hiệu lực của quy trình; hãy ghi thời gian "
                          "theo tỷ lệ."))
    elif total != legal_days:
        problems.append(_("Tổng thời gian các bước là %(total)s ngày làm việc, khác thời hạn giải quyết của thủ tục "
                          "(%(days)s ngày).") % {"total": format(total.normalize(), "f"), "days": legal_days})
    return problems
