"""The officers' pages: work queues (tabs with counts, earliest deadline first, keyset "Xem thêm"),
the dossier page with its actions, and the desk registration of walk-in and postal dossiers.

Every action posts the ``version`` the officer saw: when someone else acted first the service
raises ``Conflict`` and the page says so with a reload link (409), never a 500.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chinhquyenso.accounts.roles import Role
from chinhquyenso.accounts.selectors import role_scopes, user_has_role
from chinhquyenso.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from chinhquyenso.core.files import stored_file_create, stored_files_discard
from chinhquyenso.core.parsing import parse_int
from chinhquyenso.dossiers import policies, process, selectors, services
from chinhquyenso.dossiers.forms import (
    ApologyForm,
    ApproveForm,
    DeskApplicantForm,
    ReasonForm,
    SupplementRequestForm,
)
from chinhquyenso.dossiers.models import DossierDocument, SlipTemplate, Status
from chinhquyenso.dossiers.selectors import QUEUE_LABELS, Queue
from chinhquyenso.dossiers.views_citizen import citizen_context
from chinhquyenso.dossiers.workflow import CITIZEN_ACTIONS, dossier_flow

# Queue keys in the address bar, Vietnamese.
QUEUE_SLUGS = {
    Queue.INTAKE: "cho-tiep-nhan",
    Queue.RETURN: "cho-tra-ket-qua",
    Queue.MINE: "dang-xu-ly",
    Queue.AGENCY: "cho-nhan-xu-ly",
    Queue.APPROVAL: "cho-phe-duyet",
    Queue.SUPPLEMENT: "cho-bo-sung",
}
PAGE_SIZE = 50


def _queue_url(queue: str) -> str:
    return reverse(f"dossiers:queue_{queue}")


@login_required
def queue(request, queue: str | None = None):
    available = selectors.queue_available(request.user)
    if not available:
        raise DjangoPermissionDenied
    if queue is None:
        return redirect(_queue_url(available[0]))
    if queue not in available:
        raise Http404
    after = selectors.parse_cursor(request.GET.get("sau"), queue=queue)
    rows, next_cursor = selectors.queue_rows(user=request.user, queue=queue, after=after, limit=PAGE_SIZE)
    next_url = f"{_queue_url(queue)}?{urlencode({'sau': next_cursor})}" if next_cursor else None
    context = {"queue": queue, "queue_label": QUEUE_LABELS[queue], "rows": rows, "next_url": next_url,
               "first_page": after is None}
    if getattr(request, "htmx", False) and after is not None:
        return render(request, "dossiers/_queue_rows.html", context)
    context["tabs"] = _tabs(available, queue, counts=None)
    context["can_register"] = Queue.INTAKE in available
    return render(request, "dossiers/queue.html", context)


def _tabs(available, current: str, counts: dict | None) -> list[dict]:
    return [{"queue": q, "label": QUEUE_LABELS[q], "url": _queue_url(q), "current": q == current,
             "count": None if counts is None else counts.get(q, 0)} for q in available]


@login_required
def queue_tabs(request, queue: str):
    """The tabs with their counts, fetched by htmx once the page is shown: counting is the costly
    part of the page and the officer needs the rows first (bounded counts, "1000+")."""
    available = selectors.queue_available(request.user)
    if queue not in available:
        raise Http404
    counts = selectors.queue_counts(user=request.user)
    return render(request, "dossiers/_queue_tabs.html", {"tabs": _tabs(available, queue, counts), "queue": queue})


def _dossier_or_404(request, dossier_id: int):
    try:
        return selectors.dossier_get_for_user(dossier_id=dossier_id, user=request.user)
    except NotFound:
        raise Http404 from None


@login_required
def detail(request, dossier_id: int):
    """One address for everyone: the applicant sees their page, officers see the working page."""
    dossier = _dossier_or_404(request, dossier_id)
    if policies.is_applicant(request.user, dossier):
        return render(request, "dossiers/citizen_detail.html", citizen_context(request, dossier))
    return render(request, "dossiers/staff_detail.html", staff_context(request, dossier))


# Actions that need the officer to type a reason, and what the box asks.
REASON_PROMPTS = {
    "refuse": _("Lý do từ chối tiếp nhận (in trên phiếu từ chối)"),
    "return_for_rework": _("Lý do trả lại"),
    "reject": _("Lý do từ chối giải quyết (gửi công dân)"),
}


def staff_context(request, dossier, *, error=None, conflict=False, bound=None) -> dict:
    """Everything the working page shows. ``bound`` maps an action to the posted (bound) form so
    values and field errors come back after a refusal."""
    user = request.user
    bound = bound or {}
    transitions = [t for t in dossier_flow.available(dossier, user) if t.action not in CITIZEN_ACTIONS]
    actions = {t.action for t in transitions}
    processing = dossier.status in (Status.IN_PROGRESS, Status.PENDING_APPROVAL)
    step = process.next_step(dossier) if "forward" in actions else None
    can_assign = processing and policies.can_assign(user, dossier)
    supplement_requests = list(dossier.supplement_requests.order_by("requested_at"))
    apologies = list(dossier.apologies.order_by("issued_at"))
    slips = [(SlipTemplate.Kind.RECEIPT, _("Giấy tiếp nhận và hẹn trả kết quả")),
             (SlipTemplate.Kind.CONTROL, _("Phiếu kiểm soát quá trình giải quyết"))]
    if supplement_requests:
        slips.append((SlipTemplate.Kind.SUPPLEMENT, _("Phiếu yêu cầu bổ sung")))
    if dossier.status in (Status.REFUSED, Status.REJECTED):
        slips.append((SlipTemplate.Kind.REFUSAL, _("Phiếu từ chối")))
    if apologies:
        slips.append((SlipTemplate.Kind.APOLOGY, _("Phiếu xin lỗi và hẹn lại")))
    reason_forms = [{"transition": t, "form": bound.get(t.action) or ReasonForm(prefix=t.action),
                     "prompt": REASON_PROMPTS.get(t.action, _("Lý do"))}
                    for t in transitions if t.action in REASON_PROMPTS]
    simple = [t for t in transitions if t.action in ("receive", "forward", "return_result")]
    return {
        "dossier": dossier,
        "answers": selectors.dossier_form_answers(dossier=dossier),
        "documents": selectors.dossier_documents(dossier=dossier),
        "timeline": selectors.dossier_timeline(dossier=dossier, public=False),
        "steps": selectors.dossier_steps(dossier=dossier),
        "simple_actions": simple,
        "reason_forms": reason_forms,
        "actions": actions,
        "next_step": step,
        "can_take": processing and dossier.current_holder_id is None and policies.holds_current_step(user, dossier)
        and dossier.current_role == Role.SPECIALIST,
        "can_assign": can_assign,
        "assignees": selectors.assignee_choices(dossier=dossier) if can_assign else [],
        "can_apologize": processing and (policies.holds_current_step(user, dossier)
                                         or policies.can_decide(user, dossier)),
        "supplement_form": bound.get("request_supplement") or SupplementRequestForm(prefix="request_supplement"),
        "apology_form": bound.get("apologize") or ApologyForm(prefix="apologize"),
        "approve_form": bound.get("approve") or ApproveForm(prefix="approve"),
        "required_names": [rd.name for rd in dossier.procedure.required_documents.all()],
        "supplement_requests": supplement_requests,
        "apologies": apologies,
        "due": selectors.due_mark(dossier.due_date, unit=dossier.unit) if processing or
        dossier.status == Status.APPROVED else None,
        "step_due": selectors.due_mark(dossier.step_due_date, unit=dossier.unit) if processing else None,
        "intake_due": selectors.due_mark(dossier.accept_due_at, unit=dossier.unit)
        if dossier.status == Status.SUBMITTED else None,
        "invoices": selectors.dossier_invoices(dossier=dossier),
        "shipments": selectors.dossier_shipments(dossier=dossier),
        "slips": slips,
        "error": error,
        "conflict": conflict,
        "back_url": _back_url(request),
    }


def _back_url(request) -> str | None:
    available = selectors.queue_available(request.user)
    return _queue_url(available[0]) if available else None


def _version(request) -> int | None:
    return parse_int(request.POST.get("version"), min_value=0)


SUCCESS = {
    "receive": _("Đã tiếp nhận hồ sơ %(code)s."),
    "refuse": _("Đã từ chối tiếp nhận hồ sơ %(code)s; in Phiếu từ chối để giao công dân."),
    "request_supplement": _("Đã gửi yêu cầu bổ sung hồ sơ %(code)s; thời hạn giải quyết tạm dừng."),
    "take": _("Bạn đã nhận xử lý hồ sơ %(code)s."),
    "assign": _("Đã giao xử lý hồ sơ %(code)s."),
    "forward": _("Đã chuyển hồ sơ %(code)s sang bước tiếp theo."),
    "return_for_rework": _("Đã trả lại hồ sơ %(code)s để xử lý lại."),
    "approve": _("Đã phê duyệt và ban hành kết quả hồ sơ %(code)s."),
    "reject": _("Đã từ chối giải quyết hồ sơ %(code)s."),
    "return_result": _("Đã trả kết quả hồ sơ %(code)s."),
    "apologize": _("Đã lập Phiếu xin lỗi và hẹn lại ngày trả kết quả hồ sơ %(code)s."),
}


class _FormInvalid(Exception):
    def __init__(self, action, form):
        super().__init__(action)
        self.action, self.form = action, form


def _apply_action(request, dossier, action: str) -> None:
    """Parse the action's small form and call its service (raises DomainError / _FormInvalid)."""
    user, version, post = request.user, _version(request), request.POST
    if action == "receive":
        services.dossier_receive(dossier=dossier, actor=user, expected_version=version)
    elif action == "take":
        services.dossier_take(dossier=dossier, actor=user, expected_version=version)
    elif action == "forward":
        services.dossier_forward(dossier=dossier, actor=user, note=post.get("note", "")[:2000],
                                 expected_version=version)
    elif action == "return_result":
        services.dossier_return_result(dossier=dossier, actor=user, expected_version=version)
    elif action in REASON_PROMPTS:
        form = ReasonForm(post, prefix=action)
        if not form.is_valid():
            raise _FormInvalid(action, form)
        reason = form.cleaned_data["reason"]
        try:
            {"refuse": services.dossier_refuse, "return_for_rework": services.dossier_return_for_rework,
             "reject": services.dossier_reject}[action](dossier=dossier, actor=user, reason=reason,
                                                        expected_version=version)
        except DomainError as exc:
            _field_error(action, form, exc)
    elif action == "request_supplement":
        form = SupplementRequestForm(post, prefix=action)
        if not form.is_valid():
            raise _FormInvalid(action, form)
        try:
            services.dossier_request_supplement(dossier=dossier, actor=user, reason=form.cleaned_data["reason"],
                                                items=form.items(), expected_version=version)
        except DomainError as exc:
            if exc.field == "items":
                form.add_error("item_0_name", exc.message)
                raise _FormInvalid(action, form) from exc
            _field_error(action, form, exc)
    elif action == "apologize":
        form = ApologyForm(post, prefix=action)
        if not form.is_valid():
            raise _FormInvalid(action, form)
        try:
            services.dossier_apologize(dossier=dossier, actor=user, reason=form.cleaned_data["reason"],
                                       new_due_date=form.cleaned_data["new_due_date"], expected_version=version)
        except DomainError as exc:
            _field_error(action, form, exc)
    elif action == "approve":
        form = ApproveForm(post, request.FILES, prefix=action)
        if not form.is_valid():
            raise _FormInvalid(action, form)
        result_file = None
        upload = form.cleaned_data.get("result_file")
        try:
            if upload is not None:
                result_file = stored_file_create(content=upload, name=upload.name, purpose="document",
                                                 uploaded_by=user)
            services.dossier_approve(dossier=dossier, actor=user, result_file=result_file,
                                     result_number=form.cleaned_data["result_number"].strip(),
                                     expected_version=version)
        except DomainError as exc:
            if exc.field == "file":
                exc.field = "result_file"
            _field_error(action, form, exc)
    elif action == "assign":
        assignee = next((u for u in selectors.assignee_choices(dossier=dossier)
                         if str(u.pk) == post.get("assignee", "")), None)
        if assignee is None:
            raise DomainError("assignee_required", _("Vui lòng chọn cán bộ được giao."), "assignee")
        services.dossier_assign(dossier=dossier, actor=user, assignee=assignee, expected_version=version)
    else:
        raise Http404


def _field_error(action, form, exc: DomainError) -> None:
    """A service refusal that names one of the form's fields goes beside it; others to the top."""
    if isinstance(exc, (Conflict, PermissionDenied)) or not (exc.field and exc.field in form.fields):
        raise exc
    form.add_error(exc.field, exc.message)
    raise _FormInvalid(action, form) from exc


@login_required
@require_POST
def act(request, dossier_id: int, action: str):
    dossier = _dossier_or_404(request, dossier_id)
    try:
        _apply_action(request, dossier, action)
    except _FormInvalid as exc:
        messages.error(request, _("Chưa thực hiện được: vui lòng xem thông báo bên dưới."))
        return render(request, "dossiers/staff_detail.html",
                      staff_context(request, dossier, bound={exc.action: exc.form}), status=400)
    except Conflict as exc:
        fresh = _dossier_or_404(request, dossier_id)
        return render(request, "dossiers/staff_detail.html",
                      staff_context(request, fresh, error=exc.message, conflict=exc.code == "stale_version"),
                      status=409)
    except DomainError as exc:
        return render(request, "dossiers/staff_detail.html", staff_context(request, dossier, error=exc.message),
                      status=exc.status)
    messages.success(request, SUCCESS.get(action, _("Đã cập nhật hồ sơ %(code)s.")) % {"code": dossier.code})
    return redirect("dossiers:detail", dossier_id=dossier.pk)


# --- desk registration ---------------------------------------------------------------------------

def _require_reception(request) -> None:
    if not user_has_role(request.user, Role.RECEPTION_OFFICER):
        raise DjangoPermissionDenied


@login_required
def desk_start(request):
    """Find the procedure of a walk-in (or a paper dossier that came by post)."""
    from chinhquyenso.catalog.selectors import procedure_search

    _require_reception(request)
    q = (request.GET.get("q") or "").strip()
    results, error = [], None
    if q:
        try:
            results = procedure_search(q=q, page=1, page_size=20).items
        except DomainError as exc:
            error = exc.message
    return render(request, "dossiers/desk_start.html", {"q": q, "results": results, "error": error})


def _desk_units(request, procedure):
    """Units that receive the procedure and where the officer works the one-stop desk."""
    paths = [s.unit_path for s in role_scopes(request.user) if s.role == Role.RECEPTION_OFFICER]
    units = [u for u in selectors.receiving_units_for(procedure) if any(u.path.startswith(p) for p in paths)]
    return units


@login_required
def desk_register(request, procedure_id: int):
    from chinhquyenso.dossiers.views_citizen import _procedure_or_404
    from chinhquyenso.units.models import AdministrativeUnit

    _require_reception(request)
    procedure = _procedure_or_404(procedure_id)
    units = _desk_units(request, procedure)
    to_attach = [rd for rd in procedure.required_documents.all() if rd.form != "present"]
    file_errors: dict[int, str] = {}
    unit_qs = AdministrativeUnit.objects.filter(pk__in=[u.pk for u in units]).order_by("path")
    if request.method == "POST" and units:
        form = DeskApplicantForm(request.POST, units=unit_qs)
        if form.is_valid():
            data = form.cleaned_data
            documents = []
            for rd in to_attach:
                upload = request.FILES.get(f"file_{rd.pk}")
                if upload is None:
                    continue
                try:
                    stored = stored_file_create(content=upload, name=upload.name, purpose="document",
                                                uploaded_by=request.user)
                except DomainError as exc:
                    file_errors[rd.pk] = exc.message
                    continue
                documents.append(services.DocumentInput(
                    name=rd.name, file=stored, required_document_id=rd.pk, source=DossierDocument.Source.SCAN,
                    copy_kind=rd.get_form_display(), quantity=rd.count))
            if file_errors:  # the page asks for every file again: the good ones would be orphans
                stored_files_discard([d.file for d in documents])
            else:
                dossier = None
                try:
                    dossier = services.dossier_register_at_desk(
                        officer=request.user, procedure=procedure, unit=data["unit"], documents=documents,
                        form_data={}, channel=data["channel"],
                        applicant=selectors.citizen_for_id_number(data["applicant_id_number"]),
                        applicant_name=data["applicant_name"].strip(),
                        applicant_id_number=data["applicant_id_number"].strip(),
                        applicant_phone=data["applicant_phone"].strip(), applicant_email=data["applicant_email"],
                        applicant_address=data["applicant_address"].strip(),
                        result_delivery=data["result_delivery"], delivery_address=data["delivery_address"].strip())
                    services.dossier_invoice_ensure(dossier=dossier, actor=request.user)
                except DomainError as exc:
                    if dossier is None:  # refused: the page asks for the files again
                        stored_files_discard([d.file for d in documents])
                    if (exc.field or "").startswith("document_"):
                        file_errors[int(exc.field.split("_", 1)[1])] = exc.message
                    elif exc.field in form.fields:
                        form.add_error(exc.field, exc.message)
                    else:
                        form.add_error(None, exc.message)
                else:
                    messages.success(request, _("Đã tiếp nhận hồ sơ %(code)s. In Giấy tiếp nhận và hẹn trả kết quả "
                                                "để giao người nộp.") % {"code": dossier.code})
                    return redirect("dossiers:detail", dossier_id=dossier.pk)
    else:
        form = DeskApplicantForm(units=unit_qs, initial={"unit": units[0].pk if units else None})
    return render(request, "dossiers/desk_register.html", {
        "procedure": procedure, "form": form, "units": units, "has_errors": bool(form.errors or file_errors),
        "documents": [{"doc": rd, "error": file_errors.get(rd.pk)} for rd in to_attach],
        "to_present": [rd for rd in procedure.required_documents.all() if rd.form == "present"],
    }, status=400 if (form.errors or file_errors) else 200)
