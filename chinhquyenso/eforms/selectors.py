"""Reads of the e-form engine: published forms, drafts, previous answers, the specialised tables."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from chinhquyenso.core.errors import NotFound
from chinhquyenso.core.masking import mask_cccd, mask_email, mask_phone
from chinhquyenso.core.parsing import parse_id, parse_int
from chinhquyenso.eforms.engine import EForm, FieldDef
from chinhquyenso.eforms.models import FormDefinition, FormDraft, FormSubmission, FormVersion, VersionStatus
from chinhquyenso.eforms.policies import DATA_ROLES, UNMASKED_EXPORT_ROLES, may_export_unmasked

# --- contract with catalog -------------------------------------------------------------------------


def procedures_with_published_form_ids() -> set[int]:
    """Ids of procedures whose e-form has a published version (one query)."""
    return set(FormDefinition.objects.filter(current_version__isnull=False, procedure__isnull=False)
               .values_list("procedure_id", flat=True))


def current_version_for(procedure) -> FormVersion | None:
    """The published version citizens fill in now, or None."""
    if procedure is None:
        return None
    return (FormVersion.objects.filter(definition__procedure=procedure, status=VersionStatus.PUBLISHED)
            .select_related("definition").order_by("-number").first())


# --- forms ------------------------------------------------------------------------------------------


def definition_for(procedure) -> FormDefinition | None:
    return FormDefinition.objects.filter(procedure=procedure).select_related("current_version").first()


def published_version(*, procedure_code: str, number: int | None = None) -> FormVersion:
    """A published version by procedure code (the latest when ``number`` is None); NotFound otherwise."""
    qs = FormVersion.objects.filter(definition__procedure__code=procedure_code, status=VersionStatus.PUBLISHED)
    if number is not None:
        qs = qs.filter(number=number)
    version = qs.select_related("definition__procedure").order_by("-number").first()
    if version is None:
        raise NotFound("form_not_found", "Không tìm thấy biểu mẫu điện tử đã xuất bản của thủ tục này.",
                       "procedure_code")
    return version


def published_forms() -> QuerySet[FormDefinition]:
    return (FormDefinition.objects.filter(current_version__isnull=False, procedure__isnull=False)
            .select_related("procedure", "current_version").order_by("procedure__code"))


def versions_of(definition: FormDefinition) -> QuerySet[FormVersion]:
    return definition.versions.select_related("published_by", "created_by").order_by("-number")


def eform_for(version: FormVersion) -> EForm:
    """The runtime form of a version (cached on the instance for the request)."""
    cached = getattr(version, "_eform", None)
    if cached is None:
        cached = version._eform = EForm(version.schema, version.ui_schema)
    return cached


def draft_for(*, user, definition: FormDefinition) -> FormDraft | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return FormDraft.objects.filter(user=user, definition=definition).select_related("form_version").first()


def latest_submission_data(*, user, procedure) -> dict | None:
    """The applicant's answers in their latest submission of ``procedure`` (for pre-fill)."""
    if not getattr(user, "is_authenticated", False):
        return None
    row = (FormSubmission.objects.filter(applicant=user, procedure=procedure)
           .order_by("-created_at", "-id").values_list("data", flat=True).first())
    return row if isinstance(row, dict) else None


# --- specialised data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    widget: str
    fdef: FieldDef

    @property
    def is_personal(self) -> bool:
        return self.widget in ("cccd", "phone", "email")

    @property
    def is_group(self) -> bool:
        return self.widget == "group"


def table_columns(definition: FormDefinition) -> list[Column]:
    """Top-level fields of every published version, current version's order first: data filed
    under an older version keeps its columns even if a field was later removed."""
    columns: dict[str, Column] = {}
    versions = list(definition.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number")
                    .only("definition_id", "schema", "ui_schema", "number"))
    for version in versions:
        form = eform_for(version)
        for fdef in form.fields.values():
            if fdef.name not in columns and fdef.widget != "file":
                columns[fdef.name] = Column(key=fdef.name, label=fdef.label, widget=fdef.widget, fdef=fdef)
    return list(columns.values())


def group_columns(definition: FormDefinition) -> dict[str, list[Column]]:
    """For each repeating group, its own columns (the second sheet of the XLSX export)."""
    out: dict[str, list[Column]] = {}
    for col in table_columns(definition):
        if col.is_group:
            out[col.key] = [Column(key=c.name, label=c.label, widget=c.widget, fdef=c) for c in col.fdef.children]
    return out


@dataclass
class TableFilters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    unit_code: str = ""
    column: str = ""
    op: str = "contains"  # "contains" | "equals"
    value: str = ""

    def as_dict(self) -> dict:
        return {"date_from": self.date_from.isoformat() if self.date_from else None,
                "date_to": self.date_to.isoformat() if self.date_to else None,
                "unit": self.unit_code or None, "column": self.column or None,
                "op": self.op if self.column else None, "value": self.value if self.column else None}


@dataclass
class TablePage:
    columns: list[Column]
    rows: list[FormSubmission]
    next_cursor: str | None
    unit_names: dict[str, str] = field(default_factory=dict)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _column_filter(column: Column, op: str, value: str) -> Q:
    key = f"data__{column.key}"
    if op == "equals":
        typed: object = value
        if column.widget == "number":
            try:
                typed = parse_int(value) if parse_int(value) is not None else float(value.replace(",", "."))
            except ValueError:
                return Q(pk__in=[])
        elif column.widget == "checkbox":
            typed = value.strip().lower() in ("1", "true", "co", "có", "x", "yes")
        elif column.widget in ("select", "radio"):
            # Officers type the label they see ("Nam"), the data holds the value ("male").
            for choice_value, choice_label in column.fdef.choices:
                if value.strip().lower() in (choice_value.lower(), choice_label.lower()):
                    typed = choice_value
        return Q(**{key: typed})
    return Q(**{f"{key}__icontains": value})


def submissions_for_officer(*, user, definition: FormDefinition, filters: TableFilters | None = None,
                            columns: list[Column] | None = None) -> QuerySet[FormSubmission]:
    """Submissions of the form's procedure received by units in the officer's subtree, filtered.
    The unit scope is part of the SQL (path prefix on the unit), never a per-row check."""
    from chinhquyenso.units.selectors import unit_scope_q

    qs = FormSubmission.objects.filter(procedure_id=definition.procedure_id).filter(
        unit_scope_q(user, "unit", roles=DATA_ROLES))
    filters = filters or TableFilters()
    if filters.date_from:
        qs = qs.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(created_at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    if filters.unit_code:
        qs = qs.filter(unit__path__startswith=_unit_path(filters.unit_code))
    if filters.column and filters.value:
        column = next((c for c in (columns or table_columns(definition)) if c.key == filters.column), None)
        if column is not None and not column.is_group:
            condition = _column_filter(column, filters.op, filters.value)
            if column.is_personal:
                # A masked identifier must not be searchable: "contains 0461860" would tell, digit by
                # digit, what the mask hides. Only rows the officer sees in clear can match.
                condition &= unit_scope_q(user, "unit", roles=UNMASKED_EXPORT_ROLES)
            qs = qs.filter(condition)
    return qs


def filterable_columns(user, columns: list[Column]) -> list[Column]:
    """Columns the officer may filter on: personal identifiers only for those who see them in clear
    somewhere (a reporter sees every CCCD, phone and e-mail masked)."""
    unmasked = may_export_unmasked(user, None)
    return [c for c in columns if not c.is_group and (unmasked or not c.is_personal)]


def _unit_path(code: str) -> str:
    from chinhquyenso.units.models import AdministrativeUnit

    path = AdministrativeUnit.objects.filter(code=code).values_list("path", flat=True).first()
    return path or "\x00no-such-unit"


def _encode_cursor(row: FormSubmission) -> str:
    return base64.urlsafe_b64encode(f"{row.created_at.isoformat()}|{row.pk}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[dt.datetime, int] | None:
    try:
        stamp, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        at = dt.datetime.fromisoformat(stamp)
    except (ValueError, UnicodeDecodeError):
        return None
    return (at, parse_id(pk)) if parse_id(pk) is not None else None


def submission_table(*, user, definition: FormDefinition, filters: TableFilters | None = None,
                     cursor: str | None = None, limit: int = 50) -> TablePage:
    """One page of the specialised table, newest first, keyset-paginated on (created_at, id)."""
    limit = max(1, min(limit, 200))
    columns = table_columns(definition)
    qs = submissions_for_officer(user=user, definition=definition, filters=filters, columns=columns)
    position = _decode_cursor(cursor) if cursor else None
    if position is not None:
        stamp, pk = position
        qs = qs.filter(Q(created_at__lt=stamp) | Q(created_at=stamp, id__lt=pk))
    rows = list(qs.select_related("unit", "applicant").order_by("-created_at", "-id")[: limit + 1])
    next_cursor = _encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    rows = rows[:limit]
    return TablePage(columns=columns, rows=rows, next_cursor=next_cursor,
                     unit_names=_address_names(columns, rows))


def _address_names(columns: list[Column], rows: list[FormSubmission]) -> dict[str, str]:
    """Names of the units chosen in address fields on this page (one query)."""
    from chinhquyenso.units.models import AdministrativeUnit

    keys = [c.key for c in columns if c.widget == "address"]
    codes = {row.data.get(k) for row in rows for k in keys if isinstance(row.data.get(k), str)}
    if not codes:
        return {}
    return dict(AdministrativeUnit.objects.filter(code__in=codes).values_list("code", "full_name"))


def mask_value(column: Column, value) -> str:
    text = "" if value is None else str(value)
    if column.widget == "cccd":
        return mask_cccd(text)
    if column.widget == "phone":
        return mask_phone(text)
    if column.widget == "email":
        return mask_email(text)
    return text


def cell_text(column: Column, value, *, masked: bool, unit_names: dict[str, str] | None = None) -> str:
    """How a value reads in the table and the exports."""
    if value is None:
        return ""
    if column.is_group:
        return str(len(value)) if isinstance(value, list) else ""
    if masked and column.is_personal:
        return mask_value(column, value)
    if column.widget in ("select", "radio"):
        return column.fdef.choice_label(value)
    if column.widget == "checkboxes" and isinstance(value, list):
        return "; ".join(column.fdef.choice_label(v) for v in value)
    if column.widget == "checkbox":
        return gettext("Có") if value is True else gettext("Không")
    if column.widget == "address" and unit_names and value in unit_names:
        return f"{unit_names[value]} ({value})"
    return str(value)


def row_unmasked(user, row: FormSubmission) -> bool:
    return may_export_unmasked(user, row.unit)
