"""Writes of the e-form engine. Every function: keyword-only, one transaction, audit + event.

Immutability: a published ``FormVersion`` is never changed. ``form_version_save_spec`` refuses
anything but a draft; a change to a published form is a new draft version, published in turn.
Submissions keep pointing at the version they were made with (``FormSubmission.form_version``,
PROTECT), so publishing v2 never touches data made with v1.
"""

from __future__ import annotations

import copy

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhquyenso.core.audit import audit_record
from chinhquyenso.core.errors import Conflict, DomainError, PermissionDenied
from chinhquyenso.core.events import event_record
from chinhquyenso.eforms import policies
from chinhquyenso.eforms.models import FormDefinition, FormDraft, FormSubmission, FormVersion, VersionStatus
from chinhquyenso.eforms.spec import compile_spec, empty_spec, spec_field_names
from chinhquyenso.eforms.validation import FieldError, form_data_errors


class FormInvalid(DomainError):
    """The data does not satisfy the form version. ``field``/``message`` are the first problem;
    ``errors`` holds every one (the API returns them all)."""

    def __init__(self, errors: list[FieldError]):
        first = errors[0]
        super().__init__("form_invalid", first.message, first.pointer or None)
        self.errors = errors

    def as_dict(self) -> dict:
        return {**super().as_dict(), "errors": [e.as_dict() for e in self.errors]}


def _procedure_unit(definition: FormDefinition):
    return definition.procedure.unit if definition.procedure_id else None


def _locked(version: FormVersion) -> FormVersion:
    # of=("self",): the procedure join is nullable, and PostgreSQL cannot lock an outer join's side.
    return (FormVersion.objects.select_for_update(of=("self",)).select_related("definition__procedure")
            .get(pk=version.pk))


def _ensure_can_edit(actor, definition: FormDefinition) -> None:
    if actor is not None and not policies.can_edit_form(actor, definition):
        raise PermissionDenied()


def _ensure_draft(version: FormVersion) -> None:
    if version.status != VersionStatus.DRAFT:
        raise Conflict("form_version_published",
                       _("Phiên bản %(n)s đã xuất bản nên không sửa được; hãy tạo phiên bản mới.")
                       % {"n": version.number})


@transaction.atomic
def form_definition_create(*, procedure, name: str = "", spec: dict | None = None, actor=None) -> FormDefinition:
    """The e-form of ``procedure`` with a first draft version (idempotent: returns the existing one)."""
    existing = FormDefinition.objects.filter(procedure=procedure).first() if procedure is not None else None
    if existing is not None:
        return existing
    name = name or (procedure.name if procedure is not None else _("Biểu mẫu"))
    definition = FormDefinition(procedure=procedure, name=name[:500])
    _ensure_can_edit(actor, definition)
    definition.save()
    spec = spec or empty_spec(_("Tờ khai: %(name)s") % {"name": name})
    schema, ui_schema = compile_spec(spec)
    version = FormVersion.objects.create(definition=definition, number=1, spec=spec, schema=schema,
                                         ui_schema=ui_schema, created_by=actor)
    audit_record(action="eforms.form_definition_create", actor=actor, obj=definition,
                 unit=_procedure_unit(definition),
                 after={"procedure": getattr(procedure, "code", None), "version": version.number})
    event_record(event_type="eforms.form_created", aggregate=definition, unit=_procedure_unit(definition),
                 actor=actor, payload={"procedure_id": getattr(procedure, "pk", None)})
    return definition


@transaction.atomic
def form_version_draft_for(*, definition: FormDefinition, actor=None) -> FormVersion:
    """The draft the builder edits: the existing one, or a new one copied from the latest version."""
    draft = definition.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is not None:
        return draft
    _ensure_can_edit(actor, definition)
    FormDefinition.objects.select_for_update().filter(pk=definition.pk).first()
    latest = definition.versions.order_by("-number").first()
    number = (definition.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    spec = copy.deepcopy(latest.spec) if latest else empty_spec(definition.name)
    schema, ui_schema = compile_spec(spec)
    try:
        with transaction.atomic():
            draft = FormVersion.objects.create(definition=definition, number=number, spec=spec, schema=schema,
                                               ui_schema=ui_schema, created_by=actor)
    except IntegrityError as exc:  # another administrator opened the builder at the same moment
        draft = definition.versions.filter(status=VersionStatus.DRAFT).first()
        if draft is None:
            raise Conflict("form_version_race", _("Biểu mẫu vừa được người khác thay đổi, hãy thử lại.")) from exc
        return draft
    audit_record(action="eforms.form_version_create", actor=actor, obj=draft, unit=_procedure_unit(definition),
                 after={"number": number, "from": latest.number if latest else None})
    event_record(event_type="eforms.version_drafted", aggregate=draft, unit=_procedure_unit(definition),
                 actor=actor, payload={"definition_id": definition.pk, "number": number})
    return draft


@transaction.atomic
def form_version_save_spec(*, version: FormVersion, spec: dict, actor=None, operation: str = "edit") -> FormVersion:
    """Replace the draft's spec (builder operation or raw JSON edit); compiles and checks the schema."""
    version = _locked(version)
    _ensure_can_edit(actor, version.definition)
    _ensure_draft(version)
    schema, ui_schema = compile_spec(spec)
    before_fields = spec_field_names(version.spec) if version.spec else []
    version.spec, version.schema, version.ui_schema = spec, schema, ui_schema
    version.save(update_fields=["spec", "schema", "ui_schema", "updated_at"])
    audit_record(action="eforms.form_version_edit", actor=actor, obj=version,
                 unit=_procedure_unit(version.definition),
                 before={"fields": before_fields},
                 after={"operation": operation, "fields": spec_field_names(spec)})
    event_record(event_type="eforms.version_edited", aggregate=version, unit=_procedure_unit(version.definition),
                 actor=actor, payload={"operation": operation})
    return version


@transaction.atomic
def form_version_publish(*, version: FormVersion, actor=None, change_note: str = "") -> FormVersion:
    version = _locked(version)
    definition = version.definition
    _ensure_can_edit(actor, definition)
    _ensure_draft(version)
    # Recompile: what is published is exactly what the current compiler makes of the spec.
    version.schema, version.ui_schema = compile_spec(version.spec)
    if not spec_field_names(version.spec):
        raise DomainError("form_empty", _("Biểu mẫu chưa có trường nào, chưa thể xuất bản."))
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor
    version.change_note = change_note[:500]
    version.save()
    previous = definition.current_version_id
    definition.current_version = version
    definition.save(update_fields=["current_version", "updated_at"])
    audit_record(action="eforms.form_version_publish", actor=actor, obj=version, unit=_procedure_unit(definition),
                 before={"current_version_id": previous},
                 after={"number": version.number, "note": change_note, "fields": spec_field_names(version.spec)})
    event_record(event_type="eforms.form_published", aggregate=definition, unit=_procedure_unit(definition),
                 actor=actor, payload={"version_id": version.pk, "number": version.number,
                                       "procedure_id": definition.procedure_id})
    return version


@transaction.atomic
def form_draft_save(*, user, definition: FormDefinition, form_version: FormVersion, data: dict,
                    is_complete: bool = False) -> FormDraft:
    """Save (or replace) the user's draft answers. Not validated: a draft may be half done."""
    if not isinstance(data, dict):
        raise DomainError("draft_invalid", _("Dữ liệu nháp không hợp lệ."))
    draft, created = FormDraft.objects.update_or_create(
        user=user, definition=definition,
        defaults={"form_version": form_version, "data": data, "is_complete": is_complete},
    )
    audit_record(action="eforms.form_draft_save", actor=user, obj=draft,
                 unit=_procedure_unit(definition),
                 after={"version": form_version.number, "fields": sorted(data), "complete": is_complete,
                        "created": created})
    event_record(event_type="eforms.draft_saved", aggregate=draft, actor=user,
                 payload={"definition_id": definition.pk})
    return draft


@transaction.atomic
def form_draft_discard(*, user, definition: FormDefinition) -> int:
    deleted, _detail = FormDraft.objects.filter(user=user, definition=definition).delete()
    if deleted:
        audit_record(action="eforms.form_draft_discard", actor=user, object_type="eforms.formdraft",
                     object_id=f"{user.pk}:{definition.pk}", unit=_procedure_unit(definition))
    return deleted


@transaction.atomic
def form_submission_create(*, form_version: FormVersion, data: dict, applicant, unit,
                           source: tuple[str, object] | None = None) -> FormSubmission:
    """Store the data of a filed form after validating it against ``form_version`` on the server.

    Raises ``FormInvalid`` (a ``DomainError`` with code ``form_invalid``, the first problem's JSON
    pointer in ``field``, and every problem in ``errors``). ``source`` is ``("dossiers.dossier", id)``.
    """
    version = FormVersion.objects.select_related("definition").get(pk=form_version.pk)
    if version.status != VersionStatus.PUBLISHED:
        raise DomainError("form_version_not_published", _("Phiên bản biểu mẫu này chưa được xuất bản."))
    if version.definition.procedure_id is None:
        raise DomainError("form_without_procedure", _("Biểu mẫu chưa gắn với thủ tục hành chính."))
    errors = form_data_errors(version.schema, version.ui_schema, data)
    if errors:
        raise FormInvalid(errors)
    source_type, source_id = (source[0], str(source[1])) if source else ("", "")
    submission = FormSubmission.objects.create(
        form_version=version, procedure_id=version.definition.procedure_id, data=data, applicant=applicant,
        unit=unit, source_type=source_type, source_id=source_id,
    )
    # The audit keeps which fields were answered, not the personal data itself.
    audit_record(action="eforms.form_submission_create", actor=applicant, obj=submission, unit=unit,
                 after={"version": version.number, "procedure_id": version.definition.procedure_id,
                        "fields": sorted(data), "source": f"{source_type}:{source_id}" if source else ""})
    event_record(event_type="eforms.submission_created", aggregate=submission, unit=unit, actor=applicant,
                 payload={"procedure_id": submission.procedure_id, "form_version_id": version.pk,
                          "source_type": source_type, "source_id": source_id})
    return submission


@transaction.atomic
def submission_export_record(*, user, procedure, fmt: str, filters: dict, rows: int, unmasked: bool) -> None:
    """Audit an export of specialised data (who took which personal data out, and how much)."""
    audit_record(action="eforms.submission_export", actor=user, obj=procedure, unit=procedure.unit,
                 after={"format": fmt, "filters": filters, "rows": rows, "unmasked": unmasked})
