"""Public catalogue pages (search, procedure page, template download) and the administrators'
pages (edit, documents, terms and fees, retire, import/export, e-form coverage report).

Views are thin: reads from ``selectors``, writes through ``services``, rules in ``policies``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chinhquyenso.catalog import eforms_bridge, exchange, selectors, services
from chinhquyenso.catalog.fees import describe_rule
from chinhquyenso.catalog.forms import (
    FeeRuleForm,
    FeeRuleFormSet,
    ImportForm,
    ProcedureForm,
    RequiredDocumentFormSet,
    ResultsAndBasisForm,
    RetireForm,
    SearchForm,
    TemplateUploadForm,
    TermsForm,
)
from chinhquyenso.catalog.models import ExemptionCategory, Procedure, ProcedureStatus, RequiredDocument
from chinhquyenso.core.errors import DomainError, NotFound
from chinhquyenso.core.files import stored_file_create
from chinhquyenso.core.models import StoredFile
from chinhquyenso.core.parsing import parse_int, parse_uuid
from chinhquyenso.units.models import Agency

# --- Public ---------------------------------------------------------------------------------------


@require_GET
def search(request):
    form = SearchForm(request.GET or None, fields=selectors.field_list(), agencies=selectors.agency_filter_choices())
    params = form.cleaned_data if form.is_valid() else {}
    error = None
    try:
        page = selectors.procedure_search(
            q=params.get("q"), field=params.get("field") or None, level=params.get("level") or None,
            agency=params.get("agency") or None, online_level=params.get("online") or None,
            page=params.get("page") or 1,
        )
    except DomainError as exc:
        error = exc.message
        page = selectors.procedure_search()
    query = {k: v for k, v in (params or {}).items() if v and k != "page"}
    context = {
        "form": form, "page": page, "error": error, "query": query,
        "query_string": urlencode(query),
        "published_ids": eforms_bridge.procedures_with_published_form_ids(),
    }
    template = "catalog/partials/results.html" if getattr(request, "htmx", False) else "catalog/search.html"
    return render(request, template, context)


def _fee_lines(terms) -> list[dict]:
    labels = dict(ExemptionCategory.choices)
    return [{"rule": r, "text": describe_rule(r),
             "exempt": [labels[c] for c in ExemptionCategory.values if c in r.exempt_categories]}
            for r in terms.fee_rules.all()] if terms else []


@require_GET
def detail(request, code: str):
    try:
        procedure = selectors.procedure_get(code=code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    terms = selectors.terms_in_force(procedure)
    upcoming = [t for t in procedure.terms.all() if t.effective_from > timezone.localdate()]
    has_form = selectors.has_published_form(procedure)
    # The one-stop wizard's start (where to submit, then the e-form, documents, delivery, review);
    # the e-form alone where the dossier app is not installed.
    fill_url = None
    if has_form and procedure.is_active:
        fill_url = (eforms_bridge.eform_url("dossiers:start", procedure)
                    or eforms_bridge.eform_url("eforms:fill", procedure))
    context = {
        "procedure": procedure,
        "terms": terms,
        "upcoming": upcoming[-1] if upcoming else None,
        "fee_lines": _fee_lines(terms),
        "desks": selectors.submission_desks(procedure),
        "has_form": has_form,
        "fill_url": fill_url,
        "can_manage": request.user.has_perm("catalog.manage_procedure", procedure),
    }
    return render(request, "catalog/detail.html", context)


@require_GET
def template_download(request, file_id):
    """A blank form attached to a required document of a published procedure (public)."""
    document = (RequiredDocument.objects.filter(template_id=file_id, procedure__status=ProcedureStatus.ACTIVE)
                .select_related("template").first())
    if document is None:
        raise Http404
    stored = document.template
    response = FileResponse(stored.open(), content_type=stored.mime_type, as_attachment=True,
                            filename=stored.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Staff ----------------------------------------------------------------------------------------

def _require_catalog_admin(request) -> None:
    if not request.user.has_perm("catalog.manage_catalog"):
        raise PermissionDenied


def _managed(request, code: str) -> Procedure:
    procedure = get_object_or_404(Procedure.objects.select_related("unit", "field"), code=code)
    if not request.user.has_perm("catalog.manage_procedure", procedure):
        raise PermissionDenied
    return procedure


def _agencies_for(units):
    paths = [u.path for u in units]
    qs = Agency.objects.filter(is_active=True).select_related("unit").order_by("unit__path", "kind", "name")
    from django.db.models import Q

    q = Q(pk__in=[])
    for p in paths:
        q |= Q(unit__path__startswith=p)
    return qs.filter(q)


def _form_error(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@login_required
@require_GET
def staff_list(request):
    _require_catalog_admin(request)
    status = request.GET.get("status") or None
    if status not in (None, *ProcedureStatus.values):
        status = None
    page_number = parse_int(request.GET.get("page"), 1, min_value=1, max_value=selectors.MAX_PAGE, clamp=True)
    scope = selectors.procedure_scope_for_admin(request.user)
    page = selectors.procedure_search(q=request.GET.get("q"), status=status, include_retired=True, scope=scope,
                                      page=page_number, with_terms=False)
    coverage = selectors.eform_coverage(scope=scope)
    return render(request, "catalog/staff/list.html", {
        "page": page, "q": request.GET.get("q", ""), "status": status or "", "coverage": coverage,
        "counts": selectors.procedure_counts_by_online_level(scope=scope),
        "published_ids": eforms_bridge.procedures_with_published_form_ids(),
        "statuses": ProcedureStatus.choices,
        "query_string": urlencode({k: v for k, v in (("q", request.GET.get("q")), ("status", status)) if v}),
    })


@login_required
@require_http_methods(["GET", "POST"])
def staff_create(request):
    _require_catalog_admin(request)
    units = list(selectors.catalog_owner_units(request.user))
    agencies = _agencies_for(units)
    form = ProcedureForm(request.POST or None, units=units, agencies=agencies,
                         initial={"channels": ["desk"], "online_level": "none"})
    terms_form = TermsForm(request.POST or None, prefix="terms")
    if request.method == "POST" and form.is_valid() and terms_form.is_valid():
        record = {**form.record_values(), "status": "active", "required_documents": [], "result_documents": [],
                  "legal_basis": [], "terms": [{**terms_form.terms_values(), "fee_rules": []}]}
        try:
            procedure = services.procedure_create(actor=request.user, record=record)
        except DomainError as exc:
            _form_error(terms_form if exc.field in terms_form.fields else form, exc)
        else:
            messages.success(request, _("Đã thêm thủ tục %(code)s. Tiếp theo: thành phần hồ sơ và phí, lệ phí.")
                             % {"code": procedure.code})
            return redirect("catalog:staff_documents", code=procedure.code)
    return render(request, "catalog/staff/create.html", {"form": form, "terms_form": terms_form})


@login_required
@require_http_methods(["GET", "POST"])
def staff_edit(request, code: str):
    procedure = _managed(request, code)
    units = list(selectors.catalog_owner_units(request.user))
    if procedure.unit not in units:
        units.insert(0, procedure.unit)
    record = exchange.export_record(exchange.export_queryset(Procedure.objects.filter(pk=procedure.pk)).get())
    form = ProcedureForm(request.POST or None, units=units, agencies=_agencies_for(units),
                         initial=ProcedureForm.initial_from(record))
    if request.method == "POST" and form.is_valid():
        try:
            services.procedure_update(actor=request.user, procedure=procedure, changes=form.record_values())
        except DomainError as exc:
            _form_error(form, exc)
        else:
            new_code = form.cleaned_data["code"].strip()
            messages.success(request, _("Đã lưu thủ tục %(code)s.") % {"code": new_code})
            return redirect("catalog:staff_edit", code=new_code)
    context = {
        "procedure": procedure, "form": form, "retire_form": RetireForm(),
        "builder_url": eforms_bridge.eform_url("eforms:builder", procedure),
        "has_form": selectors.has_published_form(procedure),
        "current_version": eforms_bridge.current_form_version(procedure),
    }
    return render(request, "catalog/staff/edit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def staff_documents(request, code: str):
    procedure = _managed(request, code)
    documents = list(procedure.required_documents.select_related("template"))
    initial_docs = [{"id": d.pk, "name": d.name, "form": d.form, "count": d.count, "requirement": d.requirement,
                     "condition_note": d.condition_note, "template_name": d.template_name} for d in documents]
    extra_initial = {
        "result_documents": "\n".join(r.name for r in procedure.result_documents.all()),
        "legal_basis": "\n".join(b.title + (f" — {b.url}" if b.url else "") for b in procedure.legal_basis.all()),
    }
    formset = RequiredDocumentFormSet(request.POST or None, initial=initial_docs, prefix="doc")
    extra = ResultsAndBasisForm(request.POST or None, initial=extra_initial)
    if request.method == "POST" and formset.is_valid() and extra.is_valid():
        docs = [f.document_values() for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("name")]
        try:
            services.procedure_update(actor=request.user, procedure=procedure,
                                      changes={"required_documents": docs, **extra.values()})
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã lưu thành phần hồ sơ, kết quả và căn cứ pháp lý."))
            return redirect("catalog:staff_documents", code=procedure.code)
    return render(request, "catalog/staff/documents.html", {
        "procedure": procedure, "formset": formset, "extra": extra,
        "documents": {d.pk: d for d in documents}, "upload_form": TemplateUploadForm(),
    })


@login_required
@require_POST
def staff_template_upload(request, code: str, document_id: int):
    procedure = _managed(request, code)
    document = get_object_or_404(RequiredDocument, pk=document_id, procedure=procedure)
    if request.POST.get("remove"):
        services.required_document_template_remove(actor=request.user, document=document)
        messages.success(request, _("Đã gỡ tệp mẫu."))
        return redirect("catalog:staff_documents", code=procedure.code)
    form = TemplateUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Chọn tệp mẫu để tải lên."))
    else:
        upload = form.cleaned_data["file"]
        try:
            services.required_document_template_attach(actor=request.user, document=document, content=upload,
                                                        name=upload.name)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã gắn tệp mẫu cho “%(name)s”.") % {"name": document.name[:80]})
    return redirect("catalog:staff_documents", code=procedure.code)


@login_required
@require_http_methods(["GET", "POST"])
def staff_terms(request, code: str):
    procedure = _managed(request, code)
    versions = list(procedure.terms.prefetch_related("fee_rules").order_by("-effective_from"))
    current = selectors.terms_in_force(procedure)
    base = current or (versions[0] if versions else None)
    initial = {}
    rules_initial = []
    if base is not None:
        record = exchange.terms_record(base)
        initial = {k: record[k] for k in ("processing_days", "day_kind", "processing_note", "fee_note", "basis")}
        rules_initial = [FeeRuleForm.initial_from(r) for r in record["fee_rules"]]
    form = TermsForm(request.POST or None, initial=initial)
    rules = FeeRuleFormSet(request.POST or None, initial=rules_initial, prefix="fee")
    if request.method == "POST" and form.is_valid() and rules.is_valid():
        fee_rules = [f.rule_values() for f in rules.forms
                     if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("code")]
        try:
            services.procedure_terms_add(actor=request.user, procedure=procedure,
                                         terms={**form.terms_values(), "fee_rules": fee_rules})
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Đã lưu phiên bản thời hạn, phí, lệ phí hiệu lực từ %(date)s.")
                             % {"date": form.cleaned_data["effective_from"].strftime("%d/%m/%Y")})
            return redirect("catalog:staff_terms", code=procedure.code)
    today = timezone.localdate()
    return render(request, "catalog/staff/terms.html", {
        "procedure": procedure, "form": form, "rules": rules, "current": current,
        "versions": [{"terms": t, "in_force": t == current, "future": t.effective_from > today,
                      "lines": _fee_lines(t)} for t in versions],
    })


@login_required
@require_POST
def staff_retire(request, code: str):
    procedure = _managed(request, code)
    form = RetireForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Cần ghi lý do bãi bỏ."))
        return redirect("catalog:staff_edit", code=procedure.code)
    try:
        services.procedure_retire(actor=request.user, procedure=procedure, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã bãi bỏ thủ tục %(code)s; thủ tục không còn hiện trong danh mục công khai.")
                         % {"code": procedure.code})
    return redirect("catalog:staff_edit", code=procedure.code)


@login_required
@require_POST
def staff_reactivate(request, code: str):
    procedure = _managed(request, code)
    try:
        services.procedure_reactivate(actor=request.user, procedure=procedure)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thủ tục %(code)s được áp dụng trở lại.") % {"code": procedure.code})
    return redirect("catalog:staff_edit", code=procedure.code)


@login_required
@require_GET
def staff_report_missing_eforms(request):
    _require_catalog_admin(request)
    scope = selectors.procedure_scope_for_admin(request.user)
    missing = selectors.online_procedures_without_eform(scope=scope)
    builder_urls = {p.pk: eforms_bridge.eform_url("eforms:builder", p) for p in missing}
    return render(request, "catalog/staff/report_missing_eforms.html", {
        "missing": [(p, builder_urls[p.pk]) for p in missing],
        "coverage": selectors.eform_coverage(scope=scope),
        "counts": selectors.procedure_counts_by_online_level(scope=scope),
    })


IMPORT_PURPOSE = "catalog_import"


def _parse_upload(stored: StoredFile, default_unit: str):
    with stored.open() as fh:
        content = fh.read()
    if stored.mime_type == exchange_xlsx_mime():
        return exchange.parse_xlsx(content, default_unit=default_unit)
    return exchange.parse_json(content)


def exchange_xlsx_mime() -> str:
    from chinhquyenso.core.files import XLSX

    return XLSX


@login_required
@require_http_methods(["GET", "POST"])
def staff_import(request):
    """Upload → check (nothing saved, every problem listed by row and column) → confirm → import."""
    _require_catalog_admin(request)
    units = list(selectors.catalog_owner_units(request.user))
    form = ImportForm(request.POST or None, request.FILES or None, units=units)
    report = stored = None
    if request.method == "POST" and request.POST.get("action") == "apply":
        stored = get_object_or_404(StoredFile, pk=parse_uuid(request.POST.get("file_id")), purpose=IMPORT_PURPOSE,
                                   uploaded_by=request.user)
        unit_code = request.POST.get("unit", "")
        unit = next((u for u in units if u.code == unit_code), None)
        if unit is None:
            raise PermissionDenied
        records, issues = _parse_upload(stored, unit.code)
        report = services.catalog_import(records=records, actor=request.user, default_unit=unit, parse_issues=issues,
                                         source=f"import:{stored.original_name}")
        if report.applied:
            messages.success(request, report.summary())
            return redirect("catalog:staff_list")
        form = ImportForm(units=units, initial={"unit": unit.code})
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        unit = next(u for u in units if u.code == form.cleaned_data["unit"])
        try:
            stored = stored_file_create(content=upload, name=upload.name, purpose=IMPORT_PURPOSE,
                                        uploaded_by=request.user)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            records, issues = _parse_upload(stored, unit.code)
            report = services.catalog_import(records=records, actor=request.user, default_unit=unit,
                                             parse_issues=issues, dry_run=True)
    context = {"form": form, "report": report, "stored": stored,
               "unit": request.POST.get("unit") or (form.cleaned_data.get("unit") if form.is_bound and
                                                    form.is_valid() else "")}
    template = "catalog/staff/partials/import_result.html" if getattr(request, "htmx", False) else \
        "catalog/staff/import.html"
    return render(request, template, context)


@login_required
@require_GET
def staff_export(request, fmt: str):
    _require_catalog_admin(request)
    qs = Procedure.objects.filter(selectors.procedure_scope_for_admin(request.user))
    stamp = timezone.localdate().strftime("%Y%m%d")
    if fmt == "json":
        response = HttpResponse(exchange.export_json_bytes(qs), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="danh-muc-thu-tuc-{stamp}.json"'
        return response
    if fmt == "xlsx":
        response = HttpResponse(exchange.export_xlsx_bytes(qs), content_type=exchange_xlsx_mime())
        response["Content-Disposition"] = f'attachment; filename="danh-muc-thu-tuc-{stamp}.xlsx"'
        return response
    raise Http404


def staff_home_url() -> str:
    return reverse("catalog:staff_list")
