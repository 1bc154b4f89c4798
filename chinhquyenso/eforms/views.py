"""Web pages of the e-form engine: the citizen's form, the builder, the specialised tables.

Views are thin: they turn requests into calls of ``services``/``selectors`` and render. Every
interactive piece works without JavaScript (plain form posts with ``_action``); with htmx the
same posts swap only the form body or the builder panel.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chinhquyenso.core.errors import DomainError
from chinhquyenso.core.parsing import parse_id
from chinhquyenso.eforms import builder as ops
from chinhquyenso.eforms import exports, policies, selectors, services
from chinhquyenso.eforms.engine import EForm
from chinhquyenso.eforms.forms import (
    AddFieldForm,
    AddSectionForm,
    FieldEditForm,
    PublishForm,
    RawSpecForm,
    SectionEditForm,
    TableFilterForm,
)
from chinhquyenso.eforms.htmlform import (
    ACTION_REFRESH,
    ACTION_SAVE_DRAFT,
    UnitDirectory,
    apply_row_action,
    bind,
    coerce,
    drop_hidden,
    ensure_min_rows,
    state_from_data,
    state_from_post,
)
from chinhquyenso.eforms.models import VersionStatus
from chinhquyenso.eforms.prefill import prefill_data
from chinhquyenso.eforms.spec import FIELD_TYPES
from chinhquyenso.eforms.spec import label as spec_label
from chinhquyenso.eforms.validation import form_data_errors


def _procedure(procedure_id: int):
    from chinhquyenso.catalog.models import Procedure

    return get_object_or_404(Procedure.objects.select_related("unit", "field"), pk=procedure_id)


# --- the form page (citizen fill, builder preview) ------------------------------------------------------

def _form_page(request, *, version, procedure, mode: str, post_url: str):
    """Render/handle the e-form of ``version``. ``mode`` is "fill" (saves drafts) or "preview"."""
    form = selectors.eform_for(version)
    units = UnitDirectory()
    errors = []
    prefilled: set[str] = set()
    notice = None
    partial = False
    draft = selectors.draft_for(user=request.user, definition=version.definition) if mode == "fill" else None
    if request.method == "POST":
        action = request.POST.get("_action", "submit")
        state = state_from_post(form, request.POST)
        if action == ACTION_REFRESH or apply_row_action(form, state, action):
            partial = bool(getattr(request, "htmx", False))
        elif action == ACTION_SAVE_DRAFT and mode == "fill":
            data = coerce(form, state, keep_hidden=False, units=units)
            services.form_draft_save(user=request.user, definition=version.definition, form_version=version,
                                     data=data)
            messages.success(request, _("Đã lưu bản nháp lúc %(t)s. Bạn có thể quay lại điền tiếp bất cứ lúc nào.")
                             % {"t": timezone.localtime().strftime("%H:%M")})
            return redirect(post_url)
        else:
            data = coerce(form, state, keep_hidden=True, units=units)
            errors = form_data_errors(version.schema, version.ui_schema, data, form=form)
            if not errors and mode == "fill":
                services.form_draft_save(user=request.user, definition=version.definition, form_version=version,
                                         data=data, is_complete=True)
                return redirect("eforms:review", procedure_id=procedure.pk)
            if not errors:
                messages.success(request, _("Dữ liệu hợp lệ với phiên bản đang xem trước."))
    else:
        if draft is not None:
            data = draft.data
            if draft.form_version_id != version.pk:
                notice = _("Biểu mẫu đã được cập nhật từ khi bạn lưu nháp; các câu trả lời còn phù hợp đã được giữ "
                           "lại, hãy kiểm tra trước khi tiếp tục.")
                data = drop_hidden(form, {k: v for k, v in data.items() if k in form.fields})
            else:
                notice = _("Bạn đang điền tiếp bản nháp đã lưu lúc %(t)s.") % {
                    "t": timezone.localtime(draft.updated_at).strftime("%H:%M %d/%m/%Y")}
        elif mode == "fill":
            previous = selectors.latest_submission_data(user=request.user, procedure=procedure)
            data, prefilled = prefill_data(form, user=request.user, previous=previous)
        else:
            data = {}
        state = state_from_data(form, data, units)
    ensure_min_rows(form, state, units)
    sections, summary = bind(form, state, errors=errors, prefilled=prefilled, units=units)
    context = {
        "procedure": procedure, "version": version, "form": form, "sections": sections, "summary": summary,
        "post_url": post_url, "mode": mode, "notice": notice,
        "has_draft": draft is not None,
    }
    if partial:
        return render(request, "eforms/_form_body.html", context)
    return render(request, "eforms/fill.html", context)


@login_required
def fill(request, procedure_id: int):
    procedure = _procedure(procedure_id)
    version = selectors.current_version_for(procedure) if procedure.is_active else None
    if version is None:
        return render(request, "eforms/no_form.html", {"procedure": procedure}, status=404)
    return _form_page(request, version=version, procedure=procedure, mode="fill",
                      post_url=reverse("eforms:fill", kwargs={"procedure_id": procedure.pk}))


@login_required
def review(request, procedure_id: int):
    """Check your answers (GOV.UK pattern): the validated draft, read-only, before filing."""
    procedure = _procedure(procedure_id)
    definition = selectors.definition_for(procedure)
    draft = selectors.draft_for(user=request.user, definition=definition) if definition else None
    if draft is None:
        return redirect("eforms:fill", procedure_id=procedure.pk)
    version = draft.form_version
    form = selectors.eform_for(version)
    answers = _answers(form, draft.data)
    try:
        next_url = reverse("dossiers:start", kwargs={"procedure_id": procedure.pk})
    except NoReverseMatch:
        next_url = None
    return render(request, "eforms/review.html", {"procedure": procedure, "draft": draft, "version": version,
                                                  "answers": answers, "next_url": next_url})


def _answers(form: EForm, data: dict) -> list[dict]:
    """Sections of (label, text) for a read-only summary."""
    from chinhquyenso.eforms.selectors import Column

    units = UnitDirectory()
    out = []
    for section in form.sections:
        rows = []
        for fdef in section.fields:
            if fdef.name not in data:
                continue
            value = data[fdef.name]
            if fdef.is_group and isinstance(value, list):
                items = []
                for row in value:
                    parts = []
                    for child in fdef.children:
                        if child.name in row:
                            col = Column(key=child.name, label=child.label, widget=child.widget, fdef=child)
                            parts.append(f"{child.label}: {_text(col, row[child.name], units)}")
                    items.append("; ".join(parts))
                rows.append({"label": fdef.label, "items": items})
            else:
                col = Column(key=fdef.name, label=fdef.label, widget=fdef.widget, fdef=fdef)
                rows.append({"label": fdef.label, "text": _text(col, value, units)})
        if rows:
            out.append({"title": section.title, "rows": rows})
    return out


def _text(col, value, units: UnitDirectory) -> str:
    from chinhquyenso.eforms.selectors import cell_text

    if col.widget == "address" and isinstance(value, str):
        unit = units.get(value)
        return unit.full_name if unit else value
    return cell_text(col, value, masked=False)


@login_required
@require_POST
def draft_discard(request, procedure_id: int):
    procedure = _procedure(procedure_id)
    definition = selectors.definition_for(procedure)
    if definition is not None:
        services.form_draft_discard(user=request.user, definition=definition)
        messages.info(request, _("Đã xoá bản nháp."))
    return redirect("eforms:fill", procedure_id=procedure.pk)


# --- builder ---------------------------------------------------------------------------------------------

def _editable_procedure(request, procedure_id: int):
    procedure = _procedure(procedure_id)
    if not policies.can_edit_form(request.user, procedure):
        raise PermissionDenied
    return procedure


def _frozen_refs(definition) -> set[str]:
    refs: set[str] = set()
    for version in definition.versions.filter(status=VersionStatus.PUBLISHED).only("ui_schema"):
        for name, ui in version.ui_schema.get("fields", {}).items():
            refs.add(name)
            refs |= {f"{name}/{child}" for child in ui.get("order", [])}
    return refs


@login_required
def builder_index(request):
    """Procedures the administrator may edit, with the state of their e-form."""
    if not policies.can_edit_form(request.user):
        raise PermissionDenied
    from chinhquyenso.catalog.models import ONLINE_LEVELS, Procedure
    from chinhquyenso.catalog.selectors import procedure_scope_for_admin
    from chinhquyenso.eforms.models import FormDefinition

    procedures = list(Procedure.objects.filter(procedure_scope_for_admin(request.user), status="active")
                      .select_related("field").order_by("field__name", "name"))
    definitions = {d.procedure_id: d for d in FormDefinition.objects.filter(
        procedure_id__in=[p.pk for p in procedures]).select_related("current_version")}
    drafts = set(FormDefinition.objects.filter(procedure_id__in=[p.pk for p in procedures],
                                               versions__status=VersionStatus.DRAFT).values_list("procedure_id",
                                                                                                 flat=True))
    rows = [{"procedure": p, "definition": definitions.get(p.pk), "has_draft": p.pk in drafts,
             "online": p.online_level in ONLINE_LEVELS} for p in procedures]
    missing = [r for r in rows if r["online"] and not (r["definition"] and r["definition"].current_version_id)]
    return render(request, "eforms/builder_index.html", {"rows": rows, "missing": missing})


_OPTION_FIELDS = {
    "choices": ["choices"], "max_length": ["max_length"], "integer": ["integer"], "minimum": ["minimum"],
    "maximum": ["maximum"], "not_future": ["not_future"], "matches": ["matches_dob", "matches_gender"],
    "prefill": ["prefill"], "min_items": ["min_items"], "max_items": ["max_items"], "item_label": ["item_label_vi"],
}
_COMMON_FIELDS = ["name", "type", "label_vi", "label_en", "help_vi", "help_en", "required", "visible_field",
                  "visible_op", "visible_values"]


def _editor_fields(ftype: str) -> list[str]:
    names = list(_COMMON_FIELDS)
    for option in ops.TYPE_OPTIONS.get(ftype, ()):
        names += _OPTION_FIELDS.get(option, [])
    if ftype == "file":
        names.remove("required")
    return names


def _condition_text(cond: dict | None) -> str:
    if not cond:
        return ""
    values = cond.get("in", [cond.get("equals")])
    shown = ", ".join((_("có") if v is True else _("không") if v is False else str(v)) for v in values)
    return _("khi “%(f)s” = %(v)s") % {"f": cond["field"], "v": shown}


def _field_row(field: dict, ref: str) -> dict:
    lab = spec_label(field["label"])
    return {"ref": ref, "name": field["name"], "type": field["type"], "type_label": FIELD_TYPES.get(field["type"]),
            "label": lab["vi"], "required": bool(field.get("required")),
            "condition": _condition_text(field.get("visible_if")), "prefill": field.get("prefill", ""),
            "children": [_field_row(c, f"{field['name']}/{c['name']}") for c in field.get("fields", [])]
            if field["type"] == "group" else []}


def _builder_sections(spec: dict) -> list[dict]:
    return [{"id": s["id"], "title": spec_label(s["title"])["vi"], "condition": _condition_text(s.get("visible_if")),
             "fields": [_field_row(f, f["name"]) for f in s["fields"]]} for s in spec.get("sections", [])]


@login_required
def builder(request, procedure_id: int):
    procedure = _editable_procedure(request, procedure_id)
    definition = selectors.definition_for(procedure)
    context = {"procedure": procedure, "definition": definition, "field_types": FIELD_TYPES}
    if definition is None:
        return render(request, "eforms/builder.html", context)
    draft = definition.versions.filter(status=VersionStatus.DRAFT).first()
    version = draft or definition.current_version
    context |= {"version": version, "draft": draft, "sections": _builder_sections(version.spec),
                "add_section_form": AddSectionForm(), "field_type_choices": list(FIELD_TYPES.items())}
    editing = request.GET.get("sua", "")
    editing_section = request.GET.get("phan", "")
    if draft is not None and editing:
        try:
            field = ops.get_field(draft.spec, editing)
        except DomainError:
            field = None
        if field is not None:
            context["edit_ref"] = editing
            context["edit_form"] = FieldEditForm(initial=FieldEditForm.initial_for(field), spec=draft.spec,
                                                 ref=editing)
            context["edit_fields"] = _editor_fields(field["type"])
    if draft is not None and editing_section:
        section = next((s for s in draft.spec["sections"] if s["id"] == editing_section), None)
        if section is not None:
            context["edit_section"] = section
            context["section_form"] = SectionEditForm(initial=SectionEditForm.initial_for(section),
                                                      spec=draft.spec, section_id=section["id"])
    return render(request, "eforms/builder.html", context)


def _builder_url(procedure, **params) -> str:
    url = reverse("eforms:builder", kwargs={"procedure_id": procedure.pk})
    params = {k: v for k, v in params.items() if v}
    return f"{url}?{urlencode(params)}" if params else url


@login_required
@require_POST
def builder_op(request, procedure_id: int):
    """One builder operation (a form post; htmx boosts it and swaps the builder panel)."""
    procedure = _editable_procedure(request, procedure_id)
    post = request.POST
    op = post.get("op", "")
    user = request.user
    try:
        if op == "create":
            services.form_definition_create(procedure=procedure, actor=user)
            return redirect(_builder_url(procedure))
        definition = selectors.definition_for(procedure)
        if definition is None:
            raise Http404
        if op == "new_draft":
            services.form_version_draft_for(definition=definition, actor=user)
            return redirect(_builder_url(procedure))
        draft = definition.versions.filter(status=VersionStatus.DRAFT).first()
        if draft is None:
            raise DomainError("no_draft", _("Chưa có phiên bản nháp; hãy bấm “Sửa biểu mẫu” để tạo."))
        spec, focus, section_focus = draft.spec, "", ""
        if op == "add_section":
            form = AddSectionForm(post)
            if not form.is_valid():
                raise DomainError("builder_invalid", _("Vui lòng nhập tên phần."), "title_vi")
            spec = ops.add_section(spec, **form.cleaned_data)
        elif op == "update_section":
            form = SectionEditForm(post, spec=spec, section_id=post.get("section", ""))
            if not form.is_valid():
                raise DomainError("builder_invalid", _("Thông tin phần chưa hợp lệ."), None)
            d = form.cleaned_data
            spec = ops.update_section(spec, post.get("section", ""), title_vi=d["title_vi"], title_en=d["title_en"],
                                      description_vi=d["description_vi"], visible_if=form.condition())
        elif op == "move_section":
            spec = ops.move_section(spec, post.get("section", ""), post.get("direction", "down"))
        elif op == "remove_section":
            spec = ops.remove_section(spec, post.get("section", ""))
        elif op == "add_field":
            form = AddFieldForm(post)
            if not form.is_valid():
                raise DomainError("builder_invalid", _("Vui lòng chọn loại trường và nhập nhãn."), "label_vi")
            spec, focus = ops.add_field(spec, section_id=post.get("section") or None, group=post.get("group") or None,
                                        ftype=form.cleaned_data["ftype"], label_vi=form.cleaned_data["label_vi"])
        elif op == "update_field":
            ref = post.get("ref", "")
            form = FieldEditForm(post, spec=spec, ref=ref)
            if not form.is_valid():
                first = next(iter(form.errors.items()))
                raise DomainError("builder_invalid", f"{form.fields[first[0]].label}: {' '.join(first[1])}",
                                  first[0])
            spec, focus = ops.update_field(spec, ref, form.changes(), frozen_names=_frozen_refs(definition))
        elif op == "move_field":
            spec = ops.move_field(spec, post.get("ref", ""), post.get("direction", "down"))
        elif op == "remove_field":
            spec = ops.remove_field(spec, post.get("ref", ""))
        else:
            raise DomainError("builder_unknown_op", _("Thao tác không hợp lệ."))
        services.form_version_save_spec(version=draft, spec=spec, actor=user, operation=op)
        if op in ("add_field",):
            return redirect(_builder_url(procedure, sua=focus))
        if op == "update_field":
            messages.success(request, _("Đã lưu trường “%(f)s”.") % {"f": focus})
        return redirect(_builder_url(procedure, phan=section_focus))
    except DomainError as exc:
        messages.error(request, exc.message)
        back = post.get("ref") if op == "update_field" else ""
        return redirect(_builder_url(procedure, sua=back))


@login_required
def builder_preview(request, procedure_id: int):
    procedure = _editable_procedure(request, procedure_id)
    definition = selectors.definition_for(procedure)
    if definition is None:
        raise Http404
    number = parse_id(request.GET.get("phien_ban"))
    versions = definition.versions.all()
    version = (versions.filter(number=number).first() if number is not None
               else versions.filter(status=VersionStatus.DRAFT).first() or definition.current_version)
    if version is None:
        raise Http404
    url = reverse("eforms:builder_preview", kwargs={"procedure_id": procedure.pk})
    if number:
        url += f"?phien_ban={version.number}"
    return _form_page(request, version=version, procedure=procedure, mode="preview", post_url=url)


@login_required
def builder_json(request, procedure_id: int):
    """Raw JSON editing of the draft's spec for power users (validated, compiled, audited)."""
    procedure = _editable_procedure(request, procedure_id)
    definition = selectors.definition_for(procedure)
    if definition is None:
        raise Http404
    draft = definition.versions.filter(status=VersionStatus.DRAFT).first()
    version = draft or definition.current_version
    error = None
    if request.method == "POST" and draft is not None:
        form = RawSpecForm(request.POST)
        if form.is_valid():
            try:
                spec = json.loads(form.cleaned_data["spec"])
            except json.JSONDecodeError as exc:
                error = _("JSON không hợp lệ ở dòng %(l)s, cột %(c)s: %(m)s") % {"l": exc.lineno, "c": exc.colno,
                                                                              "m": exc.msg}
            else:
                try:
                    services.form_version_save_spec(version=draft, spec=spec, actor=request.user, operation="raw_json")
                except DomainError as exc:
                    error = f"{exc.message}" + (f" ({exc.field})" if exc.field else "")
                else:
                    messages.success(request, _("Đã lưu tài liệu biểu mẫu."))
                    return redirect("eforms:builder_json", procedure_id=procedure.pk)
    else:
        form = RawSpecForm(initial={"spec": json.dumps(version.spec, ensure_ascii=False, indent=2)})
    return render(request, "eforms/builder_json.html", {
        "procedure": procedure, "definition": definition, "version": version, "draft": draft, "form": form,
        "error": error, "schema_json": json.dumps(version.schema, ensure_ascii=False, indent=2),
        "ui_json": json.dumps(version.ui_schema, ensure_ascii=False, indent=2),
    })


@login_required
def builder_publish(request, procedure_id: int):
    procedure = _editable_procedure(request, procedure_id)
    definition = selectors.definition_for(procedure)
    draft = definition.versions.filter(status=VersionStatus.DRAFT).first() if definition else None
    if draft is None:
        messages.info(request, _("Không có phiên bản nháp nào để xuất bản."))
        return redirect("eforms:builder", procedure_id=procedure.pk)
    current = definition.current_version
    new_fields = set(draft.ui_schema.get("fields", {}))
    old_fields = set(current.ui_schema.get("fields", {})) if current else set()
    changes = {"added": sorted(new_fields - old_fields), "removed": sorted(old_fields - new_fields)}
    if request.method == "POST":
        form = PublishForm(request.POST)
        if form.is_valid():
            try:
                services.form_version_publish(version=draft, actor=request.user,
                                              change_note=form.cleaned_data["change_note"])
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Đã xuất bản phiên bản %(n)s. Hồ sơ đã nộp theo phiên bản cũ giữ nguyên.")
                                 % {"n": draft.number})
                return redirect("eforms:builder", procedure_id=procedure.pk)
    else:
        form = PublishForm()
    return render(request, "eforms/builder_publish.html", {"procedure": procedure, "definition": definition,
                                                           "draft": draft, "current": current, "form": form,
                                                           "changes": changes})


@login_required
def builder_versions(request, procedure_id: int):
    procedure = _editable_procedure(request, procedure_id)
    definition = selectors.definition_for(procedure)
    if definition is None:
        raise Http404
    versions = list(selectors.versions_of(definition))
    shown = None
    number = parse_id(request.GET.get("phien_ban"))
    if number is not None:
        shown = next((v for v in versions if v.number == number), None)
    return render(request, "eforms/builder_versions.html", {
        "procedure": procedure, "definition": definition, "versions": versions, "shown": shown,
        "schema_json": json.dumps(shown.schema, ensure_ascii=False, indent=2) if shown else "",
        "ui_json": json.dumps(shown.ui_schema, ensure_ascii=False, indent=2) if shown else "",
    })


# --- specialised data ------------------------------------------------------------------------------------

def _data_officer(request):
    if not policies.can_view_specialised_data(request.user):
        raise PermissionDenied


@login_required
def data_index(request):
    _data_officer(request)
    return render(request, "eforms/data_index.html", {"forms": list(selectors.published_forms())})


def _table_filters(request, definition, columns):
    from chinhquyenso.units.selectors import visible_units

    units = visible_units(request.user, roles=policies.DATA_ROLES).order_by("path")[:500]
    form = TableFilterForm(request.GET or None, columns=selectors.filterable_columns(request.user, columns),
                           units=units)
    filters = selectors.TableFilters()
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = selectors.TableFilters(date_from=d.get("tu_ngay"), date_to=d.get("den_ngay"),
                                         unit_code=d.get("don_vi") or "", column=d.get("cot") or "",
                                         op=d.get("phep") or "contains", value=(d.get("gia_tri") or "").strip())
    return form, filters


def _definition_or_404(procedure):
    definition = selectors.definition_for(procedure)
    if definition is None or definition.current_version_id is None:
        raise Http404
    return definition


@login_required
def data_table(request, procedure_id: int):
    _data_officer(request)
    procedure = _procedure(procedure_id)
    definition = _definition_or_404(procedure)
    columns = selectors.table_columns(definition)
    form, filters = _table_filters(request, definition, columns)
    page = selectors.submission_table(user=request.user, definition=definition, filters=filters,
                                      cursor=request.GET.get("sau") or None)
    rows = [
        {"row": r, "cells": [selectors.cell_text(c, r.data.get(c.key), masked=True, unit_names=page.unit_names)
                             for c in page.columns]}
        for r in page.rows
    ]
    query = request.GET.copy()
    query.pop("sau", None)
    next_url = None
    if page.next_cursor:
        query["sau"] = page.next_cursor
        next_url = f"?{query.urlencode()}"
        query.pop("sau")
    return render(request, "eforms/data_table.html", {
        "procedure": procedure, "definition": definition, "columns": page.columns, "rows": rows,
        "filter_form": form, "next_url": next_url, "export_query": query.urlencode(),
        "first_page": not request.GET.get("sau"),
    })


@login_required
def data_export(request, procedure_id: int, fmt: str):
    _data_officer(request)
    procedure = _procedure(procedure_id)
    definition = _definition_or_404(procedure)
    columns = selectors.table_columns(definition)
    _form, filters = _table_filters(request, definition, columns)
    export = exports.SubmissionExport(user=request.user, definition=definition, filters=filters, columns=columns)
    services.submission_export_record(user=request.user, procedure=procedure, fmt=fmt, filters=filters.as_dict(),
                                      rows=export.count(), unmasked=export.any_unmasked())
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"du-lieu-{procedure.code}-{stamp}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(export.csv_chunks(), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(export.xlsx_bytes(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
