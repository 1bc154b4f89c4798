"""The citizen's pages: submit a dossier online (one question per page), "Hồ sơ của tôi", the
dossier page (timeline, supplement, withdraw, result, rating) and the public lookup.

Thin: reads from ``selectors``, writes through ``services``; a ``DomainError`` becomes a message
beside its field (or at the top), never a 500.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chinhquyenso.core.errors import DomainError, NotFound
from chinhquyenso.core.files import stored_file_create
from chinhquyenso.core.parsing import parse_int
from chinhquyenso.core.ratelimit import client_ip, rate_limit_hit
from chinhquyenso.dossiers import policies, selectors, services, wizard
from chinhquyenso.dossiers.forms import DeliveryForm, RatingForm, UnitForm, WithdrawForm
from chinhquyenso.dossiers.models import Dossier, DossierDocument, FeeStatus, ResultDelivery, Status
from chinhquyenso.dossiers.wizard import Step
from chinhquyenso.dossiers.workflow import dossier_flow


def _procedure_or_404(procedure_id: int):
    from chinhquyenso.catalog.models import Procedure

    procedure = (Procedure.objects.select_related("unit", "field").prefetch_related("required_documents")
                 .filter(pk=procedure_id).first())
    if procedure is None:
        raise Http404
    return procedure


def _online_procedure(request, procedure_id: int):
    """The procedure if it takes online dossiers now; else None after telling the citizen why."""
    procedure = _procedure_or_404(procedure_id)
    if not procedure.is_active or not procedure.channel_online:
        return procedure, render(request, "dossiers/submit_unavailable.html", {"procedure": procedure}, status=404)
    return procedure, None


def _steps(current: str, procedure, version, request=None) -> list[dict]:
    done = set()
    if request is not None:
        _version, draft = wizard.form_state(user=request.user, procedure=procedure)
        done = wizard.done_steps(submission=wizard.load(request, procedure), version=version, draft=draft)
    return wizard.steps_for(current, has_form=version is not None, procedure=procedure, done=done)


def _go_on(request, procedure, submission=None):
    """Redirect to the first page still to do."""
    submission = submission or wizard.load(request, procedure)
    version, draft = wizard.form_state(user=request.user, procedure=procedure)
    if submission.unit_id is not None and wizard.delivery_from_form(submission, draft):
        wizard.save(request, procedure, submission)
    return redirect(wizard.step_url(wizard.next_step(submission=submission, version=version, draft=draft),
                                    procedure))


def _after_unit_step(request, procedure_id: int):
    """For the pages after "where to submit": the procedure, the wizard's state and the e-form
    version, or the response to send instead (not online now, or the unit not chosen yet)."""
    procedure, refusal = _online_procedure(request, procedure_id)
    if refusal:
        return procedure, None, None, refusal
    submission = wizard.load(request, procedure)
    if submission.unit_id is None:
        return procedure, submission, None, _go_on(request, procedure, submission)
    version, _draft = wizard.form_state(user=request.user, procedure=procedure)
    return procedure, submission, version, None


@login_required
def start(request, procedure_id: int):
    """"Nộp hồ sơ trực tuyến": the first page not yet done (also where the e-form review returns)."""
    procedure, refusal = _online_procedure(request, procedure_id)
    return refusal or _go_on(request, procedure)


@login_required
def submit_unit(request, procedure_id: int):
    procedure, refusal = _online_procedure(request, procedure_id)
    if refusal:
        return refusal
    submission = wizard.load(request, procedure)
    units = selectors.receiving_units_for(procedure)
    version, _draft = wizard.form_state(user=request.user, procedure=procedure)
    if request.method == "POST":
        form = UnitForm(request.POST, units=units)
        if form.is_valid():
            submission.unit_id = form.cleaned_data["unit"].pk
            wizard.save(request, procedure, submission)
            return _go_on(request, procedure, submission)
    else:
        choices = list(units)
        initial = submission.unit_id or getattr(
            selectors.default_receiving_unit(procedure=procedure, user=request.user, choices=choices), "pk", None)
        form = UnitForm(initial={"unit": initial}, units=units)
    return render(request, "dossiers/submit_unit.html", {
        "procedure": procedure, "form": form, "steps": _steps(Step.UNIT, procedure, version, request)})


@login_required
def submit_documents(request, procedure_id: int):
    """Each component of the dossier: upload it, or reuse one from the citizen's data warehouse."""
    from chinhquyenso.digitization.selectors import personal_documents_for

    procedure, submission, version, detour = _after_unit_step(request, procedure_id)
    if detour:
        return detour
    all_documents = list(procedure.required_documents.all())
    to_attach = [rd for rd in all_documents if rd.form != "present"]
    to_present = [rd for rd in all_documents if rd.form == "present"]
    warehouse = list(personal_documents_for(request.user))
    errors: dict[int, str] = {}
    if request.method == "POST":
        go_on = request.POST.get("_action") == "continue"
        errors = wizard.documents_apply(submission=submission, user=request.user, to_attach=to_attach,
                                        post=request.POST, files=request.FILES, finish=go_on)
        wizard.save(request, procedure, submission)
        if not errors:
            if go_on:
                return _go_on(request, procedure, submission)
            messages.success(request, _("Đã lưu các tệp đính kèm."))
            return redirect("dossiers:submit_documents", procedure_id=procedure.pk)
    rows = wizard.documents_rows(submission=submission, to_attach=to_attach, warehouse=warehouse, errors=errors)
    return render(request, "dossiers/submit_documents.html", {
        "procedure": procedure, "rows": rows, "to_present": to_present, "has_errors": bool(errors),
        "steps": _steps(Step.DOCUMENTS, procedure, version, request)}, status=400 if errors else 200)


@login_required
def submit_delivery(request, procedure_id: int):
    procedure, submission, version, detour = _after_unit_step(request, procedure_id)
    if detour:
        return detour
    profile = getattr(request.user, "citizen_profile", None)
    if request.method == "POST":
        form = DeliveryForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            submission.result_delivery = data["result_delivery"]
            submission.delivery_address = data["delivery_address"].strip()
            submission.applicant_phone = data["applicant_phone"].strip()
            wizard.save(request, procedure, submission)
            return _go_on(request, procedure, submission)
    else:
        form = DeliveryForm(initial={
            "result_delivery": submission.result_delivery or ResultDelivery.DESK,
            "delivery_address": submission.delivery_address or (profile.address if profile else ""),
            "applicant_phone": submission.applicant_phone or (profile.phone if profile else "")
            or request.user.phone,
        })
    return render(request, "dossiers/submit_delivery.html", {
        "procedure": procedure, "form": form, "steps": _steps(Step.DELIVERY, procedure, version, request)},
        status=400 if form.errors else 200)


def _stored_files(user, submission) -> dict:
    """The submission's files, each checked again to belong to this citizen."""
    from chinhquyenso.core.models import StoredFile
    from chinhquyenso.digitization.models import PersonalDocument

    ids = [d["file_id"] for d in submission.documents.values()]
    files = StoredFile.objects.in_bulk(ids)
    owned_in_warehouse = set(PersonalDocument.objects.filter(owner=user, file_id__in=ids)
                             .values_list("file_id", flat=True))
    return {str(pk): f for pk, f in files.items() if f.uploaded_by_id == user.pk or f.pk in owned_in_warehouse}


@login_required
def submit_review(request, procedure_id: int):
    """Check your answers, then submit: the dossier is created only here."""
    from chinhquyenso.catalog.fees import fee_quote
    from chinhquyenso.catalog.selectors import terms_in_force
    from chinhquyenso.eforms.services import FormInvalid

    procedure, refusal = _online_procedure(request, procedure_id)
    if refusal:
        return refusal
    submission = wizard.load(request, procedure)
    version, draft = wizard.form_state(user=request.user, procedure=procedure)
    if wizard.next_step(submission=submission, version=version, draft=draft) != Step.REVIEW:
        return _go_on(request, procedure, submission)
    unit = selectors.receiving_units_for(procedure).filter(pk=submission.unit_id).first()
    if unit is None:
        submission.unit_id = None
        wizard.save(request, procedure, submission)
        return _go_on(request, procedure, submission)
    files = _stored_files(request.user, submission)
    required = {str(rd.pk): rd for rd in procedure.required_documents.all()}
    attachments = [(required[k], a, files.get(a["file_id"])) for k, a in submission.documents.items() if k in required]
    error = None
    error_link = None
    if request.method == "POST":
        documents = [services.DocumentInput(name=rd.name, file=stored, required_document_id=rd.pk,
                                            source=a["source"], copy_kind=rd.get_form_display(), quantity=rd.count)
                     for rd, a, stored in attachments if stored is not None]
        try:
            dossier = services.dossier_submit_online(
                procedure=procedure, unit=unit, applicant=request.user, form_data=draft.data if draft else {},
                documents=documents, result_delivery=submission.result_delivery,
                delivery_address=submission.delivery_address if submission.result_delivery == "post" else "",
                applicant_phone=submission.applicant_phone,
                form_definition=version.definition if version is not None else None)
        except FormInvalid as exc:
            error, error_link = exc.message, (wizard.step_url(Step.EFORM, procedure), _("Sửa tờ khai"))
        except DomainError as exc:
            error = exc.message
            if (exc.field or "").startswith("document"):
                error_link = (wizard.step_url(Step.DOCUMENTS, procedure), _("Bổ sung giấy tờ"))
            elif exc.field in ("delivery_address", "applicant_phone"):
                error_link = (wizard.step_url(Step.DELIVERY, procedure), _("Sửa cách nhận kết quả"))
        else:
            wizard.clear(request, procedure)
            return redirect("dossiers:submitted", dossier_id=dossier.pk)
    try:
        quote = fee_quote(procedure)
    except DomainError:
        quote = None
    return render(request, "dossiers/submit_review.html", {
        "procedure": procedure, "unit": unit, "submission": submission, "attachments": attachments,
        "answers": selectors.form_answers(form_version=draft.form_version, data=draft.data) if draft else [],
        "version": version, "terms": terms_in_force(procedure), "quote": quote, "error": error,
        "error_link": error_link, "steps": _steps(Step.REVIEW, procedure, version, request),
        "delivery_label": dict(ResultDelivery.choices).get(submission.result_delivery, ""),
    }, status=400 if error else 200)


def _citizen_dossier_or_404(request, dossier_id: int) -> Dossier:
    try:
        dossier = selectors.dossier_get_for_user(dossier_id=dossier_id, user=request.user)
    except NotFound:
        raise Http404 from None
    if not policies.is_applicant(request.user, dossier):
        raise Http404
    return dossier


def _open_invoice(dossier):
    invoices = [i for i in selectors.dossier_invoices(dossier=dossier) if i.kind in ("charge", "fee")]
    return invoices[-1] if invoices else None


@login_required
def submitted(request, dossier_id: int):
    """The confirmation: code, lookup secret, appointment, receipt, and the fee to pay."""
    from chinhquyenso.calendar.services import add_working_days

    dossier = _citizen_dossier_or_404(request, dossier_id)
    provisional_due = dossier.due_date or (
        add_working_days(dossier.submitted_at, dossier.processing_days, dossier.unit)
        if dossier.status == Status.SUBMITTED else None)
    return render(request, "dossiers/submitted.html", {
        "dossier": dossier, "provisional_due": provisional_due, "invoice": _open_invoice(dossier),
        "accept_mark": selectors.due_mark(dossier.accept_due_at, unit=dossier.unit),
        "lookup_url": request.build_absolute_uri(reverse("dossiers:lookup") + f"?ma={dossier.code}"),
    })


@login_required
def mine(request):
    rows = list(selectors.dossiers_of_applicant(user=request.user))
    return render(request, "dossiers/mine.html", {
        "rows": [{"dossier": d, "mark": selectors.due_mark(d.due_date) if d.status in (
            Status.IN_PROGRESS, Status.PENDING_APPROVAL) else None} for d in rows]})


def citizen_context(request, dossier, **extra) -> dict:
    from chinhquyenso.dossiers.models import DossierRating

    actions = {t.action for t in dossier_flow.available(dossier, request.user)}
    rated = DossierRating.objects.filter(dossier=dossier).first()
    ctx = {
        "dossier": dossier,
        "timeline": selectors.dossier_timeline(dossier=dossier, public=True),
        "documents": selectors.dossier_documents(dossier=dossier),
        "supplement": selectors.open_supplement_request(dossier=dossier)
        if dossier.status == Status.SUPPLEMENT_REQUESTED else None,
        "apology": selectors.latest_apology(dossier=dossier),
        "can_withdraw": "withdraw" in actions,
        "can_supplement": "supplement" in actions,
        "due": selectors.due_mark(dossier.due_date, unit=dossier.unit)
        if dossier.status in (Status.IN_PROGRESS, Status.PENDING_APPROVAL) else None,
        "invoice": _open_invoice(dossier),
        "shipments": selectors.dossier_shipments(dossier=dossier),
        "result_available": _result_available(dossier),
        "rating": rated,
        "can_rate": rated is None and dossier.status in (Status.RETURNED, Status.APPROVED, Status.REJECTED),
        "rating_form": RatingForm(),
        "refused": dossier.status in (Status.REFUSED, Status.REJECTED),
    }
    ctx.update(extra)
    return ctx


def _result_available(dossier) -> bool:
    """The electronic result may be downloaded once issued and the fee, if any, is paid."""
    return bool(dossier.result_file_id and dossier.status in (Status.APPROVED, Status.RETURNED)
                and dossier.fee_status != FeeStatus.UNPAID)


@login_required
@require_POST
def supplement(request, dossier_id: int):
    """The citizen answers a supplement request: one upload per item asked for."""
    dossier = _citizen_dossier_or_404(request, dossier_id)
    request_ = selectors.open_supplement_request(dossier=dossier)
    if request_ is None:
        messages.info(request, _("Hồ sơ không có yêu cầu bổ sung nào đang chờ."))
        return redirect("dossiers:detail", dossier_id=dossier.pk)
    documents, error = [], None
    for i, item in enumerate(request_.items or []):
        upload = request.FILES.get(f"item_{i}")
        if upload is None:
            continue
        try:
            stored = stored_file_create(content=upload, name=upload.name, purpose="document", uploaded_by=request.user)
        except DomainError as exc:
            error = exc.message
            break
        documents.append(services.DocumentInput(name=str(item.get("name", ""))[:500], file=stored,
                                                source=DossierDocument.Source.SUPPLEMENT,
                                                copy_kind=item.get("copy_kind", ""),
                                                quantity=int(item.get("quantity") or 1)))
    if error is None:
        try:
            services.dossier_supplement(dossier=dossier, actor=request.user, documents=documents,
                                        note=request.POST.get("note", "")[:2000],
                                        expected_version=_version(request))
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("Đã nộp bổ sung. Cơ quan sẽ tiếp tục giải quyết hồ sơ của bạn."))
            return redirect("dossiers:detail", dossier_id=dossier.pk)
    return render(request, "dossiers/citizen_detail.html",
                  citizen_context(request, dossier, supplement_error=error), status=400)


def _version(request) -> int | None:
    return parse_int(request.POST.get("version"), min_value=0)


@login_required
def withdraw(request, dossier_id: int):
    dossier = _citizen_dossier_or_404(request, dossier_id)
    if "withdraw" not in {t.action for t in dossier_flow.available(dossier, request.user)}:
        messages.info(request, _("Hồ sơ ở trạng thái này không thể rút."))
        return redirect("dossiers:detail", dossier_id=dossier.pk)
    if request.method == "POST":
        form = WithdrawForm(request.POST)
        if form.is_valid():
            try:
                services.dossier_withdraw(dossier=dossier, actor=request.user, reason=form.cleaned_data["reason"],
                                          expected_version=_version(request))
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Đã rút hồ sơ %(code)s.") % {"code": dossier.code})
                return redirect("dossiers:detail", dossier_id=dossier.pk)
    else:
        form = WithdrawForm()
    return render(request, "dossiers/withdraw.html", {"dossier": dossier, "form": form},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def rate(request, dossier_id: int):
    dossier = _citizen_dossier_or_404(request, dossier_id)
    form = RatingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.dossier_rate(dossier=dossier, actor=request.user, level=data["level"], on_time=data["on_time"],
                                  staff_attitude=data["staff_attitude"], comment=data["comment"])
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Cảm ơn bạn đã đánh giá. Ý kiến của bạn giúp cơ quan phục vụ tốt hơn."))
            return redirect("dossiers:detail", dossier_id=dossier.pk)
    return render(request, "dossiers/citizen_detail.html", citizen_context(request, dossier, rating_form=form),
                  status=400)


@login_required
def result_download(request, dossier_id: int):
    dossier = _citizen_dossier_or_404(request, dossier_id)
    if not _result_available(dossier):
        raise Http404
    stored = dossier.result_file
    response = FileResponse(stored.open(), content_type=stored.mime_type, as_attachment=True,
                            filename=stored.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def document_view(request, dossier_id: int, document_id: int):
    """A component of the dossier, shown inline (PDF or image) to its applicant or its officers."""
    try:
        dossier = selectors.dossier_get_for_user(dossier_id=dossier_id, user=request.user)
        document = selectors.dossier_document_get(dossier=dossier, document_id=document_id)
    except NotFound:
        raise Http404 from None
    stored = document.file
    response = FileResponse(stored.open(), content_type=stored.mime_type, filename=stored.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def lookup(request):
    """Public tracking by code + the short secret printed on the receipt; no personal data shown.
    The receipt's QR code opens this page with the code filled in (``?ma=``)."""
    code = (request.GET.get("ma") or "").strip().upper()
    secret = (request.GET.get("mtc") or "").strip().upper()
    found, error, status = None, None, 200
    if code and secret:
        # The secret is short (printed on paper): limit guesses per client address.
        if not rate_limit_hit("dossier_lookup", client_ip(request), limit=settings.DOSSIER_LOOKUP_RATE_LIMIT,
                              window_seconds=600):
            error, status = _("Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau ít phút."), 429
        else:
            try:
                found = selectors.dossier_public_lookup(code=code, secret=secret)
            except NotFound as exc:
                error, status = exc.message, 404
    return render(request, "dossiers/lookup.html", {"code": code, "secret": secret, "found": found,
                                                    "error": error}, status=status)
