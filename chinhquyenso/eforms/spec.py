"""The builder document ("spec") of a form and its compilation to JSON Schema + UI schema.

A spec is what the builder edits and what the data files in ``eforms/data/`` contain::

    {"title": {"vi": "...", "en": "..."}, "description": {...},
     "sections": [{"id": "tre", "title": {...}, "visible_if": {...}?,
                   "fields": [{"name": "ho_ten", "type": "text", "label": {...}, "required": true, ...}]}]}

``compile_spec`` turns it into the two artefacts that a published version freezes and that the
API serves: a JSON Schema (draft 2020-12) that is the whole truth about valid data (types,
required fields, conditional fields via ``if``/``then``/``else``, repeating groups as arrays,
formats), and a UI schema (labels vi/en, help, widgets, sections, order, visibility rules,
prefill sources). Rendering, coercion and validation work from those two only, never from the
spec, so a published version behaves the same even if this compiler changes later.

Conventions the compiled schema encodes (documented in docs/eforms.md):
- an empty answer is an absent key, never ``""`` (strings have ``minLength: 1``);
- a field whose visibility condition is false must be absent (``else: {not: {required: [f]}}``);
- dates are ``dd/mm/yyyy`` strings (``format: date-vn`` plus a ``pattern``);
- a repeating group is an array of objects with ``minItems``/``maxItems``.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, best_match

from chinhquyenso.core.errors import DomainError

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
UI_SCHEMA_FORMAT = 1

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
DATE_PATTERN = r"^[0-9]{2}/[0-9]{2}/[0-9]{4}$"

FIELD_TYPES: dict[str, str] = {
    "text": gettext_lazy("Văn bản ngắn"),
    "textarea": gettext_lazy("Văn bản dài"),
    "number": gettext_lazy("Số"),
    "date": gettext_lazy("Ngày (ngày/tháng/năm)"),
    "select": gettext_lazy("Danh sách chọn"),
    "radio": gettext_lazy("Chọn một (nút tròn)"),
    "checkboxes": gettext_lazy("Chọn nhiều"),
    "checkbox": gettext_lazy("Ô đánh dấu (có/không)"),
    "cccd": gettext_lazy("Số CCCD / định danh cá nhân"),
    "phone": gettext_lazy("Số điện thoại"),
    "email": gettext_lazy("Thư điện tử"),
    "tax_code": gettext_lazy("Mã số thuế"),
    "address": gettext_lazy("Địa chỉ hành chính (tỉnh → huyện → xã)"),
    "file": gettext_lazy("Giấy tờ đính kèm (giữ chỗ)"),
    "group": gettext_lazy("Nhóm lặp lại (nhiều dòng)"),
}
CHOICE_TYPES = frozenset({"select", "radio", "checkboxes"})
# Types whose value can drive a visibility condition.
CONTROLLER_TYPES = frozenset({"select", "radio", "checkboxes", "checkbox", "text", "number"})
PERSONAL_TYPES = frozenset({"cccd", "phone", "email"})

PREFILL_SOURCES: dict[str, str] = {
    "profile.full_name": gettext_lazy("Họ và tên (hồ sơ cá nhân)"),
    "profile.cccd": gettext_lazy("Số CCCD (hồ sơ cá nhân)"),
    "profile.date_of_birth": gettext_lazy("Ngày sinh (hồ sơ cá nhân)"),
    "profile.gender": gettext_lazy("Giới tính (hồ sơ cá nhân)"),
    "profile.phone": gettext_lazy("Số điện thoại (hồ sơ cá nhân)"),
    "profile.email": gettext_lazy("Thư điện tử (hồ sơ cá nhân)"),
    "profile.address_line": gettext_lazy("Địa chỉ chi tiết (hồ sơ cá nhân)"),
    "profile.address_unit": gettext_lazy("Xã, phường cư trú (hồ sơ cá nhân)"),
    "organisation.name": gettext_lazy("Tên tổ chức, doanh nghiệp"),
    "organisation.tax_code": gettext_lazy("Mã số thuế của tổ chức"),
    "organisation.address_line": gettext_lazy("Địa chỉ trụ sở của tổ chức"),
    "organisation.address_unit": gettext_lazy("Xã, phường nơi đặt trụ sở"),
    "previous": gettext_lazy("Câu trả lời lần nộp trước của cùng thủ tục"),
}

DEFAULT_MAX_LENGTH = {"text": 255, "textarea": 4000}
GENDERS = ("male", "female")

# The shape of a spec; semantic rules (unique names, condition references) are checked after.
_LABEL = {"oneOf": [{"type": "string", "minLength": 1},
                    {"type": "object", "properties": {"vi": {"type": "string", "minLength": 1},
                                                      "en": {"type": "string"}},
                     "required": ["vi"], "additionalProperties": False}]}
_OPT_LABEL = {"oneOf": [{"type": "string"},
                        {"type": "object", "properties": {"vi": {"type": "string"}, "en": {"type": "string"}},
                         "additionalProperties": False}]}
_CONDITION = {
    "type": "object",
    "properties": {"field": {"type": "string", "pattern": NAME_RE.pattern},
                   "equals": {"type": ["string", "number", "boolean"]},
                   "in": {"type": "array", "minItems": 1, "items": {"type": ["string", "number", "boolean"]}}},
    "required": ["field"],
    "oneOf": [{"required": ["equals"]}, {"required": ["in"]}],
    "additionalProperties": False,
}
_FIELD_PROPS = {
    "name": {"type": "string", "pattern": NAME_RE.pattern},
    "type": {"enum": list(FIELD_TYPES)},
    "label": _LABEL,
    "help": _OPT_LABEL,
    "required": {"type": "boolean"},
    "visible_if": _CONDITION,
    "prefill": {"enum": list(PREFILL_SOURCES)},
    "choices": {"type": "array", "minItems": 1, "items": {
        "type": "object", "properties": {"value": {"type": "string", "minLength": 1, "maxLength": 100},
                                         "label": _LABEL},
        "required": ["value", "label"], "additionalProperties": False}},
    "max_length": {"type": "integer", "minimum": 1, "maximum": 100000},
    "integer": {"type": "boolean"},
    "minimum": {"type": "number"},
    "maximum": {"type": "number"},
    "not_future": {"type": "boolean"},
    "matches": {"type": "object", "properties": {"dob": {"type": "string"}, "gender": {"type": "string"}},
                "additionalProperties": False},
    "min_items": {"type": "integer", "minimum": 0, "maximum": 100},
    "max_items": {"type": "integer", "minimum": 1, "maximum": 100},
    "item_label": _OPT_LABEL,
    "schema_extra": {"type": "object"},
}
SPEC_SCHEMA: dict[str, Any] = {
    "$schema": SCHEMA_DIALECT,
    "type": "object",
    "properties": {
        "title": _LABEL,
        "description": _OPT_LABEL,
        "sections": {"type": "array", "items": {
            "type": "object",
            "properties": {"id": {"type": "string", "pattern": NAME_RE.pattern}, "title": _LABEL,
                           "description": _OPT_LABEL, "visible_if": _CONDITION,
                           "fields": {"type": "array", "items": {"$ref": "#/$defs/field"}}},
            "required": ["id", "title", "fields"], "additionalProperties": False}},
    },
    "required": ["title", "sections"],
    "additionalProperties": False,
    "$defs": {
        "field": {"type": "object", "properties": {**_FIELD_PROPS, "fields": {"type": "array", "items": {
            "type": "object", "properties": _FIELD_PROPS, "required": ["name", "type", "label"],
            "additionalProperties": False}}},
                  "required": ["name", "type", "label"], "additionalProperties": False},
    },
}
_SPEC_VALIDATOR = Draft202012Validator(SPEC_SCHEMA)


def empty_spec(title: str) -> dict:
    return {"title": {"vi": title, "en": ""}, "description": {"vi": "", "en": ""},
            "sections": [{"id": "thong_tin_chung", "title": {"vi": "Thông tin chung", "en": "General"},
                          "fields": []}]}


def label(value, default: str = "") -> dict:
    """Normalise a label (``"text"`` or ``{"vi", "en"}``) to ``{"vi", "en"}``."""
    if value is None:
        return {"vi": default, "en": ""}
    if isinstance(value, str):
        return {"vi": value, "en": ""}
    return {"vi": value.get("vi", default), "en": value.get("en", "")}


def _spec_error(message: str, where: str) -> DomainError:
    return DomainError("form_spec_invalid", message, where)


def _check_shape(spec: dict) -> None:
    error = best_match(_SPEC_VALIDATOR.iter_errors(spec))
    if error is not None:
        where = "/" + "/".join(str(p) for p in error.absolute_path)
        raise _spec_error(_("Tài liệu biểu mẫu sai cấu trúc tại %(where)s: %(detail)s")
                          % {"where": where, "detail": error.message}, where)


def _check_condition(cond: dict, siblings: dict[str, dict], where: str, *, before: set[str] | None) -> None:
    target = siblings.get(cond["field"])
    if target is None:
        raise _spec_error(_("Điều kiện hiển thị tham chiếu trường “%(f)s” không có ở cùng cấp.")
                          % {"f": cond["field"]}, where)
    if before is not None and cond["field"] not in before:
        raise _spec_error(_("Điều kiện hiển thị phải dựa vào một trường đứng trước (“%(f)s”).")
                          % {"f": cond["field"]}, where)
    if target["type"] not in CONTROLLER_TYPES:
        raise _spec_error(_("Không thể đặt điều kiện theo trường “%(f)s” (loại %(t)s).")
                          % {"f": cond["field"], "t": target["type"]}, where)
    values = cond["in"] if "in" in cond else [cond["equals"]]
    if target["type"] in CHOICE_TYPES:
        allowed = {c["value"] for c in target.get("choices", [])}
        bad = [v for v in values if v not in allowed]
        if bad:
            raise _spec_error(_("Giá trị điều kiện %(v)s không có trong lựa chọn của “%(f)s”.")
                              % {"v": bad, "f": cond["field"]}, where)
    elif target["type"] == "checkbox" and any(not isinstance(v, bool) for v in values):
        raise _spec_error(_("Điều kiện theo ô đánh dấu “%(f)s” phải là true hoặc false.") % {"f": cond["field"]},
                          where)


def _check_fields(fields: list[dict], where: str, *, nested: bool, scope: dict[str, dict] | None,
                  seen: set[str]) -> None:
    """Check one level of fields. ``scope`` is what conditions may refer to (all top-level fields,
    or the group's own fields when ``nested``); ``seen`` holds the names that come earlier."""
    siblings: dict[str, dict] = {}
    for i, field in enumerate(fields):
        fwhere = f"{where}/{i}"
        name = field["name"]
        if name in siblings:
            raise _spec_error(_("Tên trường “%(n)s” bị trùng.") % {"n": name}, fwhere)
        siblings[name] = field
        ftype = field["type"]
        if ftype in CHOICE_TYPES and not field.get("choices"):
            raise _spec_error(_("Trường “%(n)s” cần danh sách lựa chọn.") % {"n": name}, fwhere)
        if ftype in CHOICE_TYPES:
            values = [c["value"] for c in field["choices"]]
            if len(values) != len(set(values)):
                raise _spec_error(_("Trường “%(n)s” có giá trị lựa chọn bị trùng.") % {"n": name}, fwhere)
        if ftype == "group":
            if nested:
                raise _spec_error(_("Không đặt nhóm lặp lại bên trong nhóm lặp lại (“%(n)s”).") % {"n": name},
                                  fwhere)
            if not field.get("fields"):
                raise _spec_error(_("Nhóm lặp lại “%(n)s” cần ít nhất một trường.") % {"n": name}, fwhere)
            lo, hi = field.get("min_items", 0), field.get("max_items", 20)
            if lo > hi:
                raise _spec_error(_("Nhóm “%(n)s”: số dòng tối thiểu lớn hơn tối đa.") % {"n": name}, fwhere)
            _check_fields(field["fields"], f"{fwhere}/fields", nested=True, scope=None, seen=set())
        elif field.get("fields"):
            raise _spec_error(_("Chỉ nhóm lặp lại mới có trường con (“%(n)s”).") % {"n": name}, fwhere)
        if ftype == "file" and field.get("required"):
            raise _spec_error(_("Trường giữ chỗ giấy tờ “%(n)s” không thể bắt buộc (giấy tờ nộp ở bước thành "
                                "phần hồ sơ).") % {"n": name}, fwhere)
        if "minimum" in field and "maximum" in field and field["minimum"] > field["maximum"]:
            raise _spec_error(_("Trường “%(n)s”: giá trị nhỏ nhất lớn hơn lớn nhất.") % {"n": name}, fwhere)
    scope = siblings if nested else scope
    for i, field in enumerate(fields):
        fwhere = f"{where}/{i}"
        if field.get("visible_if"):
            if field["visible_if"]["field"] == field["name"]:
                raise _spec_error(_("Trường “%(n)s” không thể phụ thuộc chính nó.") % {"n": field["name"]}, fwhere)
            _check_condition(field["visible_if"], scope, f"{fwhere}/visible_if", before=seen)
        matches = field.get("matches")
        if matches:
            if field["type"] != "cccd":
                raise _spec_error(_("Chỉ trường CCCD mới đối chiếu được với ngày sinh, giới tính."), fwhere)
            dob = matches.get("dob")
            if dob and (siblings.get(dob) or {}).get("type") != "date":
                raise _spec_error(_("Đối chiếu CCCD: “%(f)s” phải là một trường ngày ở cùng cấp.") % {"f": dob},
                                  fwhere)
            gender = matches.get("gender")
            if gender and gender not in GENDERS and gender not in siblings:
                raise _spec_error(_("Đối chiếu CCCD: giới tính “%(f)s” phải là male/female hoặc một trường ở "
                                    "cùng cấp.") % {"f": gender}, fwhere)
        seen.add(field["name"])


def spec_validate(spec: dict) -> None:
    """Raise ``DomainError("form_spec_invalid", ...)`` when the spec is not a usable form.

    Top-level field names are unique across sections (they are the keys of the data); a
    condition refers to an earlier field of the same level (a top-level field, or a field of the
    same repeating-group row), so visibility is decided in reading order.
    """
    if not isinstance(spec, dict):
        raise _spec_error(_("Tài liệu biểu mẫu phải là một đối tượng JSON."), "/")
    _check_shape(spec)
    names: set[str] = set()
    for si, section in enumerate(spec["sections"]):
        for fi, field in enumerate(section["fields"]):
            if field["name"] in names:
                raise _spec_error(_("Tên trường “%(n)s” bị trùng.") % {"n": field["name"]},
                                  f"/sections/{si}/fields/{fi}")
            names.add(field["name"])
    top_fields = {f["name"]: f for s in spec["sections"] for f in s["fields"]}
    section_ids: set[str] = set()
    seen: set[str] = set()
    for si, section in enumerate(spec["sections"]):
        where = f"/sections/{si}"
        if section["id"] in section_ids:
            raise _spec_error(_("Mã phần “%(s)s” bị trùng.") % {"s": section["id"]}, where)
        section_ids.add(section["id"])
        if section.get("visible_if"):
            _check_condition(section["visible_if"], top_fields, f"{where}/visible_if", before=seen)
        _check_fields(section["fields"], f"{where}/fields", nested=False, scope=top_fields, seen=seen)


# --- compilation -----------------------------------------------------------------------------------

def condition_schema(cond: dict, controller_type: str | None) -> dict:
    """The JSON Schema that is valid exactly when ``cond`` holds for the object holding the field.

    Used both in the compiled ``if`` clauses and by the renderer to decide visibility, so the
    server's idea of "visible" and the schema's idea of "allowed" can never disagree.
    """
    name = cond["field"]
    values = cond["in"] if "in" in cond else [cond["equals"]]
    if controller_type == "checkboxes":
        test = {"contains": {"enum": values}}
    elif len(values) == 1:
        test = {"const": values[0]}
    else:
        test = {"enum": values}
    return {"required": [name], "properties": {name: test}}


def _property_schema(field: dict) -> dict:
    ftype = field["type"]
    lab = label(field["label"])
    schema: dict[str, Any] = {"title": lab["vi"]}
    help_text = label(field.get("help"))["vi"]
    if help_text:
        schema["description"] = help_text
    if ftype in ("text", "textarea"):
        schema |= {"type": "string", "minLength": 1,
                   "maxLength": field.get("max_length", DEFAULT_MAX_LENGTH[ftype])}
    elif ftype == "number":
        schema["type"] = "integer" if field.get("integer", True) else "number"
        for key in ("minimum", "maximum"):
            if key in field:
                schema[key] = field[key]
    elif ftype == "date":
        schema |= {"type": "string", "format": "date-vn", "pattern": DATE_PATTERN}
        if field.get("not_future"):
            schema["x-not-future"] = True
    elif ftype in ("select", "radio"):
        schema |= {"type": "string", "enum": [c["value"] for c in field["choices"]]}
    elif ftype == "checkboxes":
        schema |= {"type": "array", "uniqueItems": True, "minItems": 1,
                   "items": {"type": "string", "enum": [c["value"] for c in field["choices"]]}}
    elif ftype == "checkbox":
        schema["type"] = "boolean"
        if field.get("required"):
            schema["const"] = True
    elif ftype == "cccd":
        schema |= {"type": "string", "format": "cccd", "pattern": "^[0-9]{12}$"}
    elif ftype == "phone":
        schema |= {"type": "string", "format": "phone-vn", "pattern": "^0[0-9]{9,10}$"}
    elif ftype == "email":
        schema |= {"type": "string", "format": "email", "maxLength": 254}
    elif ftype == "tax_code":
        schema |= {"type": "string", "format": "tax-code-vn", "pattern": "^[0-9]{10}([0-9]{3})?$"}
    elif ftype == "address":
        schema |= {"type": "string", "format": "unit-code", "pattern": "^[0-9A-Za-z]{1,10}$"}
    elif ftype == "file":
        schema |= {"type": "string", "maxLength": 100, "x-file-ref": True}
    elif ftype == "group":
        item, _ui = _compile_object(field["fields"], section_conds={})
        schema |= {"type": "array", "items": item, "maxItems": field.get("max_items", 20)}
        if field.get("min_items"):
            schema["minItems"] = field["min_items"]
    schema.update(copy.deepcopy(field.get("schema_extra") or {}))
    return schema


def _ui_field(field: dict) -> dict:
    ftype = field["type"]
    ui: dict[str, Any] = {"widget": ftype, "label": label(field["label"]), "help": label(field.get("help")),
                          "required": bool(field.get("required"))}
    if field.get("visible_if"):
        ui["visible_if"] = copy.deepcopy(field["visible_if"])
    if field.get("prefill"):
        ui["prefill"] = field["prefill"]
    if ftype in CHOICE_TYPES:
        ui["choices"] = [{"value": c["value"], "label": label(c["label"])} for c in field["choices"]]
    if ftype == "number":
        ui["integer"] = field.get("integer", True)
    if ftype == "date" and field.get("not_future"):
        ui["not_future"] = True
    if ftype in ("text", "textarea"):
        ui["max_length"] = field.get("max_length", DEFAULT_MAX_LENGTH[ftype])
    if ftype == "group":
        ui["item_label"] = label(field.get("item_label"), default=label(field["label"])["vi"])
        ui["min_items"] = field.get("min_items", 0)
        ui["max_items"] = field.get("max_items", 20)
        ui["order"] = [f["name"] for f in field["fields"]]
        ui["fields"] = {f["name"]: _ui_field(f) for f in field["fields"]}
    return ui


def _compile_object(fields: list[dict], section_conds: dict[str, dict]) -> tuple[dict, dict]:
    types = {f["name"]: f["type"] for f in fields}
    properties: dict[str, Any] = {}
    required: list[str] = []
    rules: list[dict] = []
    cccd_rules: list[dict] = []
    for field in fields:
        name = field["name"]
        properties[name] = _property_schema(field)
        conds = [c for c in (section_conds.get(name), field.get("visible_if")) if c]
        if not conds:
            if field.get("required"):
                required.append(name)
        else:
            tests = [condition_schema(c, types.get(c["field"])) for c in conds]
            rule = {"if": tests[0] if len(tests) == 1 else {"allOf": tests},
                    "else": {"not": {"required": [name]}}}
            if field.get("required"):
                rule["then"] = {"required": [name]}
            rules.append(rule)
        if field.get("matches"):
            ref = {"cccd": f"/{name}"}
            if field["matches"].get("dob"):
                ref["dob"] = "/" + field["matches"]["dob"]
            gender = field["matches"].get("gender")
            if gender:
                ref["gender"] = gender if gender in GENDERS else "/" + gender
            cccd_rules.append(ref)
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    if rules:
        schema["allOf"] = rules
    if cccd_rules:
        schema["x-cccd-matches"] = cccd_rules
    return schema, {}


def _controller_types(spec: dict) -> dict[str, str]:
    return {f["name"]: f["type"] for s in spec["sections"] for f in s["fields"]}


def compile_spec(spec: dict) -> tuple[dict, dict]:
    """Validate ``spec`` and return ``(json_schema, ui_schema)``."""
    spec_validate(spec)
    section_conds: dict[str, dict] = {}
    fields: list[dict] = []
    for section in spec["sections"]:
        for field in section["fields"]:
            fields.append(field)
            if section.get("visible_if"):
                section_conds[field["name"]] = section["visible_if"]
    body, _ui = _compile_object(fields, section_conds)
    title = label(spec["title"])
    schema = {"$schema": SCHEMA_DIALECT, "title": title["vi"], **body}
    description = label(spec.get("description"))["vi"]
    if description:
        schema["description"] = description
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:  # schema_extra from a power user can still be wrong
        raise _spec_error(_("Lược đồ JSON sinh ra không hợp lệ: %(m)s") % {"m": exc.message}, "/") from exc
    ui_schema = {
        "format": UI_SCHEMA_FORMAT,
        "title": title,
        "description": label(spec.get("description")),
        "sections": [
            {"id": s["id"], "title": label(s["title"]), "description": label(s.get("description")),
             "fields": [f["name"] for f in s["fields"]],
             **({"visible_if": copy.deepcopy(s["visible_if"])} if s.get("visible_if") else {})}
            for s in spec["sections"]
        ],
        "fields": {f["name"]: _ui_field(f) for f in fields},
    }
    return schema, ui_schema


def spec_field_names(spec: dict) -> list[str]:
    return [f["name"] for s in spec["sections"] for f in s["fields"]]


def spec_find_field(spec: dict, name: str, group: str | None = None) -> dict | None:
    for section in spec["sections"]:
        for field in section["fields"]:
            if group is None and field["name"] == name:
                return field
            if group is not None and field["name"] == group:
                return next((f for f in field.get("fields", []) if f["name"] == name), None)
    return None
