"""Public API of the e-forms: published schemas and server-side validation of a payload.

``GET /api/v1/eforms/forms/{procedure_code}`` serves the JSON Schema (draft 2020-12) and UI schema
of the current (or a given) published version; any JSON Schema validator can check data with it
(our Vietnamese formats are declared as ``format`` values and backed by ``pattern``s, so a plain
validator still checks their shape). ``POST .../validate`` runs the full server-side validation,
including the Vietnamese checks, and returns every problem.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from ninja import Field, Router, Schema

from chinhquyenso.eforms import selectors
from chinhquyenso.eforms.validation import form_data_errors

router = Router(tags=["Biểu mẫu điện tử"])


class FormSummaryOut(Schema):
    procedure_code: str
    procedure_name: str
    version: int
    published_at: dt.datetime | None


class FormSchemaOut(FormSummaryOut):
    # Served as "schema" (the attribute name would shadow pydantic's own ``schema``).
    schema_: dict[str, Any] = Field(alias="schema")
    ui_schema: dict[str, Any]


class ValidateIn(Schema):
    data: dict[str, Any]


class FieldErrorOut(Schema):
    field: str
    message: str


class ValidateOut(Schema):
    procedure_code: str
    version: int
    valid: bool
    errors: list[FieldErrorOut]


def _schema_url(code: str, number: int) -> str:
    return f"{settings.SITE_URL}/api/v1/eforms/forms/{code}?version={number}"


@router.get("/forms", response=list[FormSummaryOut], auth=None, summary="Các biểu mẫu điện tử đã xuất bản")
def list_forms(request):
    return [
        FormSummaryOut(procedure_code=d.procedure.code, procedure_name=d.procedure.name,
                       version=d.current_version.number, published_at=d.current_version.published_at)
        for d in selectors.published_forms()[:1000]
    ]


@router.get("/forms/{procedure_code}", response=FormSchemaOut, auth=None,
            summary="Lược đồ JSON và lược đồ giao diện của biểu mẫu", by_alias=True)
def get_form(request, procedure_code: str, version: int | None = None):
    """The published version ``version`` (default: the current one) of the procedure's e-form."""
    form_version = selectors.published_version(procedure_code=procedure_code, number=version)
    procedure = form_version.definition.procedure
    schema = {"$id": _schema_url(procedure.code, form_version.number), **form_version.schema}
    return FormSchemaOut(procedure_code=procedure.code, procedure_name=procedure.name, version=form_version.number,
                         published_at=form_version.published_at, schema=schema,
                         ui_schema=form_version.ui_schema)


@router.post("/forms/{procedure_code}/validate", response=ValidateOut, auth=None,
             summary="Kiểm tra dữ liệu theo biểu mẫu (trả về mọi lỗi)")
def validate_form(request, procedure_code: str, payload: ValidateIn, version: int | None = None):
    form_version = selectors.published_version(procedure_code=procedure_code, number=version)
    errors = form_data_errors(form_version.schema, form_version.ui_schema, payload.data)
    return ValidateOut(procedure_code=procedure_code, version=form_version.number, valid=not errors,
                       errors=[FieldErrorOut(field=e.pointer, message=e.message) for e in errors])
