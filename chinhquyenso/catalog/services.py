"""Writes to the catalogue. Every change is checked, audited and announced as a domain event.

All edits go through one path: the procedure as a canonical *record* (``exchange.export_record``)
is changed, validated with the import validator, then applied by ``_apply`` — the staff pages,
the JSON/XLSX import and the demo loader cannot disagree on what a valid procedure is.

Terms versions (processing time, fees) are append-only once in force: a version whose
``effective_from`` is today or earlier is never edited, a new version is added instead, so a
dossier that recorded a version keeps its figures. A future version may still be corrected.

Import is all-or-nothing: every record is validated and every change planned first; if any
record has a problem nothing is written and the report lists every problem by row and column.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhquyenso.accounts.roles import Role
from chinhquyenso.accounts.selectors import user_has_role
from chinhquyenso.catalog import search_index
from chinhquyenso.catalog.exchange import (
    ImportIssue,
    Location,
    export_queryset,
    export_record,
    procedure_body,
    terms_record,
    validate_record,
)
from chinhquyenso.catalog.models import (
    FeeRule,
    Field,
    LegalBasis,
    Procedure,
    ProcedureStatus,
    ProcedureTerms,
    RequiredDocument,
    ResultDocument,
)
from chinhquyenso.core.audit import audit_record
from chinhquyenso.core.errors import Conflict, DomainError, PermissionDenied
from chinhquyenso.core.events import event_record
from chinhquyenso.core.files import stored_file_create
from chinhquyenso.core.models import StoredFile
from chinhquyenso.units.models import AdministrativeUnit, Agency

_SCALARS = ("code", "code_is_national", "name", "level_since_2025_07", "agency_text", "online_level",
            "online_level_confirmed", "submission_note", "applicants", "note", "status", "confirmed",
            "source_note", "sources")


# --- Permission ---------------------------------------------------------------------------------

def can_manage_unit_catalog(user, unit: AdministrativeUnit) -> bool:
    """Administrators of the unit (or of an ancestor) manage its catalogue; the catalogue belongs to a
    province or a district, so a commune administrator never does."""
    return unit.level in ("province", "district") and user_has_role(user, Role.ADMINISTRATOR, unit)


def _require_manage(actor, unit: AdministrativeUnit) -> None:
    if actor is None:  # the system: demo loader, management commands run by an operator
        return
    if not can_manage_unit_catalog(actor, unit):
        raise PermissionDenied("catalog_forbidden", _("Bạn không có quyền quản trị danh mục thủ tục của đơn vị này."))


# --- Planning and applying a record --------------------------------------------------------------

def _terms_content(t: dict) -> dict:
    return {k: v for k, v in t.items() if k != "effective_from"}


@dataclass
class _Plan:
    record: dict
    existing: Procedure | None
    body_changed: list[str]
    terms_create: list[dict] = field(default_factory=list)
    terms_replace: list[tuple[ProcedureTerms, dict]] = field(default_factory=list)

    @property
    def action(self) -> str:
        if self.existing is None:
            return "created"
        return "updated" if self.body_changed or self.terms_create or self.terms_replace else "unchanged"


def _comparable(body: dict) -> dict:
    data = dict(body)
    data["field"] = body["field"]["code"]
    data["required_documents"] = [{k: v for k, v in d.items() if k != "id"} for d in body["required_documents"]]
    return data


def _plan(record: dict, existing: Procedure | None, today: dt.date, issues: list[ImportIssue],
          loc: Location) -> _Plan:
    body = {k: v for k, v in record.items() if k != "terms"}
    if existing is None:
        return _Plan(record, None, sorted(body), terms_create=list(record["terms"]))
    before = procedure_body(existing)
    # A document without a template reference keeps the template it already has (XLSX has none).
    by_name = {d["name"]: d for d in before["required_documents"]}
    for doc in body["required_documents"]:
        old = by_name.get(doc["name"])
        if "template_sha256" not in doc and old and "template_sha256" in old:
            doc["template_sha256"] = old["template_sha256"]
    old_c, new_c = _comparable(before), _comparable(body)
    changed = sorted(k for k in new_c if new_c[k] != old_c.get(k))
    plan = _Plan(record, existing, changed)
    versions = {t.effective_from.isoformat(): t for t in existing.terms.all()}
    known = {d: terms_record(t) for d, t in versions.items()}
    for t in record["terms"]:
        date = t["effective_from"]
        if date in known:
            if known[date] == t:
                continue
            if date > today.isoformat():
                plan.terms_replace.append((versions[date], t))
                known[date] = t
                continue
            issues.append(ImportIssue(
                Location(record=loc.record, sheet=loc.sheet, row=loc.row,
                         column="Hiệu lực từ" if loc.row is not None else "terms"),
                f"phiên bản thời hạn, phí hiệu lực từ {dt.date.fromisoformat(date):%d/%m/%Y} đã áp dụng, không sửa "
                "được; hãy thêm phiên bản mới với ngày hiệu lực mới.", record["code"]))
            continue
        earlier = [d for d in known if d < date]
        if earlier and _terms_content(known[max(earlier)]) == _terms_content(t):
            continue  # the same figures as the version already in force: nothing to record
        plan.terms_create.append(t)
        known[date] = t
    return plan


def _create_terms(procedure: Procedure, t: dict, actor) -> ProcedureTerms:
    terms = ProcedureTerms.objects.create(
        procedure=procedure, effective_from=dt.date.fromisoformat(t["effective_from"]),
        processing_days=t["processing_days"], day_kind=t["day_kind"], processing_note=t["processing_note"],
        fee_note=t["fee_note"], basis=t["basis"], created_by=actor if getattr(actor, "pk", None) else None,
    )
    _create_rules(terms, t["fee_rules"])
    return terms


def _create_rules(terms: ProcedureTerms, rules: list[dict]) -> None:
    FeeRule.objects.bulk_create([
        FeeRule(terms=terms, order=i, code=r["code"], label=r["label"], kind=r["kind"], amount_vnd=r["amount_vnd"],
                unit_label=r["unit_label"], tier_mode=r["tier_mode"], tiers=r["tiers"], max_vnd=r["max_vnd"],
                exempt_categories=r["exempt_categories"], conditional=r["conditional"],
                condition_note=r["condition_note"])
        for i, r in enumerate(rules)
    ])


def _apply(plan: _Plan, *, actor, units: dict[str, AdministrativeUnit], fields: dict[str, Field],
           agencies: dict[str, int]) -> Procedure:
    record = plan.record
    procedure = plan.existing or Procedure()
    changed = set(plan.body_changed)
    if plan.existing is None or changed - {"agencies", "required_documents", "result_documents", "legal_basis"}:
        for name in _SCALARS:
            setattr(procedure, name, record[name])
        fcode = record["field"]["code"]
        if fcode not in fields:
            fields[fcode] = Field.objects.create(code=fcode, name=record["field"]["name"])
        procedure.field = fields[fcode]
        procedure.unit = units[record["unit"]]
        for level in ("province", "district", "commune"):
            setattr(procedure, f"level_{level}", level in record["levels"])
        for channel in ("online", "desk", "post"):
            setattr(procedure, f"channel_{channel}", channel in record["channels"])
        if record["status"] == ProcedureStatus.RETIRED and procedure.retired_at is None:
            procedure.retired_at = timezone.now()
        if record["status"] == ProcedureStatus.ACTIVE:
            procedure.retired_at, procedure.retired_reason = None, ""
        procedure.save()
    if plan.existing is None or "agencies" in changed:
        procedure.agencies.set([agencies[c] for c in record["agencies"]])
    if plan.existing is None or "required_documents" in changed:
        _replace_documents(procedure, record["required_documents"])
    if plan.existing is None or "result_documents" in changed:
        procedure.result_documents.all().delete()
        ResultDocument.objects.bulk_create([ResultDocument(procedure=procedure, order=i, name=r["name"], note=r["note"])
                                            for i, r in enumerate(record["result_documents"])])
    if plan.existing is None or "legal_basis" in changed:
        procedure.legal_basis.all().delete()
        LegalBasis.objects.bulk_create([LegalBasis(procedure=procedure, order=i, title=b["title"], url=b["url"])
                                        for i, b in enumerate(record["legal_basis"])])
    for t in plan.terms_create:
        _create_terms(procedure, t, actor)
    if plan.existing is not None and not (changed - {"agencies", "required_documents", "result_documents",
                                                      "legal_basis"}) and changed:
        # Only related rows changed: still mark the procedure as changed (search index fingerprint).
        Procedure.objects.filter(pk=procedure.pk).update(updated_at=timezone.now())
    for terms, t in plan.terms_replace:
        for name in ("processing_days", "day_kind", "processing_note", "fee_note", "basis"):
            setattr(terms, name, t[name])
        terms.save()
        terms.fee_rules.all().delete()
        _create_rules(terms, t["fee_rules"])
    return procedure


def _replace_documents(procedure: Procedure, documents: list[dict]) -> None:
    """Rows are matched by id (staff form) or by name, so an attached template survives an edit."""
    existing = {d.pk: d for d in procedure.required_documents.select_related("template")}
    by_name = {d.name: d for d in existing.values()}
    shas = {d["template_sha256"] for d in documents if d.get("template_sha256")}
    files = {}
    for f in StoredFile.objects.filter(sha256__in=shas).order_by("created_at"):
        files.setdefault(f.sha256, f)
    kept, new_rows = set(), []
    for i, d in enumerate(documents):
        row = existing.get(d.get("id")) if d.get("id") else None
        if row is None:
            candidate = by_name.get(d["name"])
            row = candidate if candidate is not None and candidate.pk not in kept else RequiredDocument(
                procedure=procedure)
        row.order, row.name, row.form, row.count = i, d["name"], d["form"], d["count"]
        row.requirement, row.condition_note = d["requirement"], d["condition_note"]
        row.template_name = d["template_name"]
        sha = d.get("template_sha256")
        if sha and (row.template_id is None or row.template.sha256 != sha) and sha in files:
            row.template = files[sha]
        if row.pk is None:
            new_rows.append(row)
        else:
            row.save()
            kept.add(row.pk)
    procedure.required_documents.exclude(pk__in=kept).delete()
    RequiredDocument.objects.bulk_create(new_rows)


def _audit_and_event(plan: _Plan, procedure: Procedure, actor, source: str) -> None:
    action = plan.action
    after = {"code": procedure.code, "name": procedure.name, "changed": plan.body_changed,
             "terms_added": [t["effective_from"] for t in plan.terms_create],
             "terms_corrected": [t["effective_from"] for _old, t in plan.terms_replace], "source": source}
    before = None
    if plan.existing is not None:
        before = {"code": plan.existing.code}
    audit_record(action=f"catalog.procedure_{'create' if action == 'created' else 'update'}", actor=actor,
                 obj=procedure, unit=procedure.unit, before=before, after=after)
    event_record(event_type=f"catalog.procedure_{action}", aggregate=procedure, unit=procedure.unit, actor=actor,
                 payload={"code": procedure.code, "changed": plan.body_changed,
                          "terms_added": after["terms_added"]})


def _lookups(records: list[dict]) -> tuple[dict, dict, dict, dict]:
    units = {u.code: u for u in AdministrativeUnit.objects.filter(code__in={r.get("unit") for r in records
                                                                          if r.get("unit")})}
    agency_codes = {a for r in records for a in (r.get("agencies") or []) if isinstance(a, str)}
    agencies = dict(Agency.objects.filter(identifier_code__in=agency_codes).values_list("identifier_code", "pk"))
    fields = {f.code: f for f in Field.objects.all()}
    return units, agencies, fields, {f.name_folded: f.code for f in fields.values()}


# --- Single-procedure services (staff pages, API) -------------------------------------------------

def _validated(record: dict, *, existing: Procedure | None) -> tuple[dict, dict, dict, dict]:
    units, agencies, fields, fields_by_name = _lookups([record])
    clean, issues = validate_record(record, default_date=timezone.localdate(), known_agencies=set(agencies),
                                    known_units={c: u.level for c, u in units.items()},
                                    fields_by_name=fields_by_name)
    if issues:
        issue = issues[0]
        raise DomainError("invalid_procedure", issue.message[:1].upper() + issue.message[1:],
                          issue.location.column or None)
    clash = Procedure.objects.filter(code=clean["code"])
    if existing is not None:
        clash = clash.exclude(pk=existing.pk)
    if clash.exists():
        raise Conflict("procedure_code_taken",
                       _("Mã thủ tục “%(code)s” đã có trong danh mục.") % {"code": clean["code"]}, "code")
    return clean, units, fields, agencies


def _save_record(record: dict, *, actor, existing: Procedure | None, source: str) -> tuple[Procedure, _Plan]:
    clean, units, fields, agencies = _validated(record, existing=existing)
    _require_manage(actor, units[clean["unit"]])
    if existing is not None:
        _require_manage(actor, existing.unit)
    issues: list[ImportIssue] = []
    plan = _plan(clean, existing, timezone.localdate(), issues, Location())
    if issues:
        raise Conflict("terms_in_force_immutable", issues[0].message[:1].upper() + issues[0].message[1:],
                       "effective_from")
    if plan.action == "unchanged":
        return existing, plan
    procedure = _apply(plan, actor=actor, units=units, fields=fields, agencies=agencies)
    _audit_and_event(plan, procedure, actor, source)
    search_index.invalidate()
    return procedure, plan


def _locked(procedure: Procedure) -> Procedure:
    """Lock the row (two administrators editing at once queue up), then load it whole."""
    Procedure.objects.select_for_update().filter(pk=procedure.pk).values_list("pk", flat=True).get()
    return export_queryset(Procedure.objects.filter(pk=procedure.pk)).get()


@transaction.atomic
def procedure_create(*, actor, record: dict) -> Procedure:
    """Create a procedure from a record (the shape of ``exchange.export_record``; ``terms`` holds at
    least one version)."""
    procedure, _plan = _save_record(dict(record), actor=actor, existing=None, source="web")
    return procedure


@transaction.atomic
def procedure_update(*, actor, procedure: Procedure, changes: dict) -> Procedure:
    """Change part of a procedure (any top-level keys of its record except ``terms``)."""
    if "terms" in changes:
        raise ValueError("use procedure_terms_add to change processing time and fees")
    current = _locked(procedure)
    record = export_record(current)
    record.update(changes)
    updated, _plan = _save_record(record, actor=actor, existing=current, source="web")
    return updated


@transaction.atomic
def required_documents_set(*, actor, procedure: Procedure, documents: list[dict]) -> Procedure:
    """Replace the list of required documents (a dict may carry the ``id`` of the row it edits, which
    keeps the row's template file)."""
    return procedure_update(actor=actor, procedure=procedure, changes={"required_documents": documents})


@transaction.atomic
def procedure_terms_add(*, actor, procedure: Procedure, terms: dict) -> ProcedureTerms:
    """Add a version of processing time and fees (or correct one that is not yet in force)."""
    current = _locked(procedure)
    record = export_record(current)
    effective = terms.get("effective_from") or timezone.localdate()
    effective = effective.isoformat() if isinstance(effective, dt.date) else str(effective)
    record["terms"] = [{**terms, "effective_from": effective}]
    _updated, plan = _save_record(record, actor=actor, existing=current, source="web")
    if not plan.terms_create and not plan.terms_replace:
        raise DomainError("terms_unchanged", _("Thời hạn và phí, lệ phí giống hệt phiên bản đang áp dụng; "
                                               "không có gì để lưu."), "effective_from")
    return ProcedureTerms.objects.get(procedure=procedure, effective_from=dt.date.fromisoformat(effective))


@transaction.atomic
def procedure_retire(*, actor, procedure: Procedure, reason: str) -> Procedure:
    """Bãi bỏ: the procedure leaves the public catalogue; dossiers already made keep it."""
    procedure = Procedure.objects.select_for_update().select_related("unit").get(pk=procedure.pk)
    _require_manage(actor, procedure.unit)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", _("Cần ghi lý do bãi bỏ (ví dụ số quyết định công bố)."), "reason")
    if procedure.status == ProcedureStatus.RETIRED:
        raise Conflict("already_retired", _("Thủ tục đã bị bãi bỏ trước đó."), "status")
    procedure.status, procedure.retired_at, procedure.retired_reason = ProcedureStatus.RETIRED, timezone.now(), \
        reason[:500]
    procedure.save(update_fields=["status", "retired_at", "retired_reason", "updated_at"])
    search_index.invalidate()
    audit_record(action="catalog.procedure_retire", actor=actor, obj=procedure, unit=procedure.unit,
                 before={"status": ProcedureStatus.ACTIVE}, after={"status": procedure.status, "reason": reason})
    event_record(event_type="catalog.procedure_retired", aggregate=procedure, unit=procedure.unit, actor=actor,
                 payload={"code": procedure.code, "reason": reason})
    return procedure


@transaction.atomic
def procedure_reactivate(*, actor, procedure: Procedure) -> Procedure:
    procedure = Procedure.objects.select_for_update().select_related("unit").get(pk=procedure.pk)
    _require_manage(actor, procedure.unit)
    if procedure.status == ProcedureStatus.ACTIVE:
        raise Conflict("already_active", _("Thủ tục đang được áp dụng."), "status")
    procedure.status, procedure.retired_at, procedure.retired_reason = ProcedureStatus.ACTIVE, None, ""
    procedure.save(update_fields=["status", "retired_at", "retired_reason", "updated_at"])
    search_index.invalidate()
    audit_record(action="catalog.procedure_reactivate", actor=actor, obj=procedure, unit=procedure.unit,
                 before={"status": ProcedureStatus.RETIRED}, after={"status": procedure.status})
    event_record(event_type="catalog.procedure_reactivated", aggregate=procedure, unit=procedure.unit, actor=actor,
                 payload={"code": procedure.code})
    return procedure


@transaction.atomic
def required_document_template_attach(*, actor, document: RequiredDocument, content, name: str) -> RequiredDocument:
    """Attach the blank form (mẫu đơn, tờ khai) citizens download; PDF, DOCX or XLSX."""
    document = RequiredDocument.objects.select_related("procedure__unit").get(pk=document.pk)
    _require_manage(actor, document.procedure.unit)
    stored = stored_file_create(content=content, name=name, purpose="office", uploaded_by=actor)
    before = {"template": str(document.template_id) if document.template_id else None}
    document.template = stored
    document.save(update_fields=["template"])
    audit_record(action="catalog.template_attach", actor=actor, obj=document.procedure,
                 unit=document.procedure.unit, before=before,
                 after={"document": document.name, "template": str(stored.pk), "sha256": stored.sha256})
    event_record(event_type="catalog.procedure_updated", aggregate=document.procedure, unit=document.procedure.unit,
                 actor=actor, payload={"code": document.procedure.code, "changed": ["required_documents"]})
    return document


@transaction.atomic
def required_document_template_remove(*, actor, document: RequiredDocument) -> RequiredDocument:
    document = RequiredDocument.objects.select_related("procedure__unit").get(pk=document.pk)
    _require_manage(actor, document.procedure.unit)
    before = {"template": str(document.template_id) if document.template_id else None}
    document.template = None
    document.save(update_fields=["template"])
    audit_record(action="catalog.template_remove", actor=actor, obj=document.procedure,
                 unit=document.procedure.unit, before=before, after={"document": document.name, "template": None})
    return document


# --- Import -----------------------------------------------------------------------------------

@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    terms_added: int = 0
    fields_created: list[str] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def applied(self) -> bool:
        return self.ok and not self.dry_run

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged)

    def summary(self) -> str:
        if self.issues:
            return _("Không nhập: %(n)s lỗi. Chưa có thay đổi nào được lưu.") % {"n": len(self.issues)}
        verb = _("Sẽ") if self.dry_run else _("Đã")
        return _("%(verb)s tạo %(c)s, cập nhật %(u)s, giữ nguyên %(s)s thủ tục; %(t)s phiên bản thời hạn, phí mới.") % {
            "verb": verb, "c": len(self.created), "u": len(self.updated), "s": len(self.unchanged),
            "t": self.terms_added}

    def as_dict(self) -> dict:
        return {"ok": self.ok, "dry_run": self.dry_run, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "terms_added": self.terms_added, "fields_created": self.fields_created,
                "issues": [i.as_dict() for i in self.issues], "summary": self.summary()}


def catalog_import(*, records: list[dict], actor, default_unit: AdministrativeUnit | None = None,
                   parse_issues: list[ImportIssue] | None = None, dry_run: bool = False,
                   source: str = "import") -> ImportReport:
    """Validate every record, then (unless ``dry_run`` or any problem) create/update them in one
    transaction. Records come from ``exchange.parse_json`` / ``exchange.parse_xlsx``."""
    report = ImportReport(issues=list(parse_issues or []), dry_run=dry_run)
    today = timezone.localdate()
    for r in records:
        if default_unit is not None and not r.get("unit"):
            r["unit"] = default_unit.code
    units, agencies, fields, fields_by_name = _lookups(records)
    known_units = {c: u.level for c, u in units.items()}
    seen: dict[str, Location] = {}
    cleaned: list[tuple[dict, Location]] = []
    for raw in records:
        loc = raw.get("_loc") or Location()
        clean, issues = validate_record(raw, default_date=today, known_agencies=set(agencies),
                                        known_units=known_units, fields_by_name=fields_by_name)
        report.issues.extend(issues)
        code = str(raw.get("code") or "").strip()
        if code and code in seen:
            first = seen[code]
            where = f"dòng {first.row}" if first.row is not None else f"thủ tục thứ {first.record}"
            column = "Mã thủ tục" if loc.row is not None else "code"
            report.issues.append(ImportIssue(Location(record=loc.record, sheet=loc.sheet, row=loc.row, column=column),
                                             f"mã thủ tục “{code}” trùng với {where}.", code))
            continue
        if code:
            seen[code] = loc
        if clean is None:
            continue
        if actor is not None and clean["unit"] in units and not can_manage_unit_catalog(actor, units[clean["unit"]]):
            report.issues.append(ImportIssue(
                Location(record=loc.record, sheet=loc.sheet, row=loc.row,
                         column="Đơn vị quản lý" if loc.row is not None else "unit"),
                f"bạn không có quyền quản trị danh mục của đơn vị “{clean['unit']}”.", code))
            continue
        cleaned.append((clean, loc))

    existing = {}
    codes = [c["code"] for c, _loc in cleaned]
    for i in range(0, len(codes), 500):
        for p in export_queryset(Procedure.objects.filter(code__in=codes[i:i + 500])):
            existing[p.code] = p
    plans = []
    for clean, loc in cleaned:
        before_issues = len(report.issues)
        current = existing.get(clean["code"])
        if current is not None and actor is not None and not can_manage_unit_catalog(actor, current.unit):
            report.issues.append(ImportIssue(loc, f"bạn không có quyền sửa thủ tục “{clean['code']}”.", clean["code"]))
            continue
        plan = _plan(clean, current, today, report.issues, loc)
        if len(report.issues) == before_issues:
            plans.append(plan)

    new_fields = sorted({c["field"]["name"] for c, _l in cleaned if c["field"]["code"] not in fields})
    report.fields_created = new_fields
    for plan in plans:
        getattr(report, plan.action).append(plan.record["code"])
        report.terms_added += len(plan.terms_create)
    if report.issues or dry_run:
        report.issues.sort(key=lambda i: (i.location.sheet != "Thủ tục", i.location.row or 0, i.location.record or 0))
        return report
    with transaction.atomic():
        for plan in plans:
            if plan.action == "unchanged":
                continue
            procedure = _apply(plan, actor=actor, units=units, fields=fields, agencies=agencies)
            _audit_and_event(plan, procedure, actor, source)
        search_index.invalidate()
        audit_record(action="catalog.import", actor=actor, object_type="catalog.procedure", object_id="*",
                     unit=default_unit, after={"source": source, "created": len(report.created),
                                               "updated": len(report.updated), "unchanged": len(report.unchanged)})
        event_record(event_type="catalog.imported", aggregate_type="catalog.procedure", aggregate_id="*",
                     unit=default_unit, actor=actor,
                     payload={"source": source, "created": report.created, "updated": report.updated})
    return report
