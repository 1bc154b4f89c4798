"""From HTML and back: page state, coercion of posted strings to JSON, bound fields for templates.

The HTML page is one *input method*; what it produces is a JSON document that goes through the
very same validation as the API (``validation.form_data_errors``). Rules of the road:

- Names: a top-level field posts as ``ho_ten``; a field of row ``i`` of a repeating group as
  ``tre.i.ho_ten``; ``_rows.tre`` lists the row indices on the page; an address picker posts one
  select per tier as ``noi_cu_tru__lvl1``, ``__lvl2`` …; ``_action`` says what the button meant.
- Coercion: strings are trimmed and an empty answer is *absent*; numbers become JSON numbers,
  checkboxes booleans, dates stay ``dd/mm/yyyy`` strings (``5-9-2024`` and ``2024-09-05`` are
  normalised), phone numbers and tax codes are normalised. A value that cannot be converted is
  kept as typed, so validation reports it and the page shows it back.
- Visibility is decided by the server from the submitted answers, in reading order. A non-empty
  value posted for a field that is hidden is *kept* and therefore rejected by validation (the
  schema forbids it); the page then re-renders without that field, so the next submission is
  clean. Nothing from a request that carried a hidden value is ever stored as submitted data.
- Repeating-group rows are never dropped silently: an empty row is an error until removed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chinhquyenso.accounts.validators import ascii_form, normalize_phone, validate_tax_code
from chinhquyenso.core.parsing import parse_int
from chinhquyenso.eforms.engine import EForm, FieldDef
from chinhquyenso.eforms.formats import format_date_vn
from chinhquyenso.eforms.validation import FieldError

ACTION_REFRESH = "refresh"
ACTION_SAVE_DRAFT = "save_draft"
ACTION_SUBMIT = "submit"

_TRUE = {"on", "true", "1", "yes", "co"}
_DATE_INPUTS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")


def html_name(name: str, group: str | None = None, row: int | None = None) -> str:
    return name if group is None else f"{group}.{row}.{name}"


def input_id(name: str) -> str:
    return "f-" + name.replace(".", "-")


# --- page state -------------------------------------------------------------------------------------

@dataclass
class FormState:
    """What the page holds: raw strings by HTML name, and the row indices of each group."""

    values: dict[str, str | list[str]] = field(default_factory=dict)
    rows: dict[str, list[int]] = field(default_factory=dict)

    def get(self, name: str) -> str:
        value = self.values.get(name, "")
        return value[0] if isinstance(value, list) and value else (value if isinstance(value, str) else "")

    def getlist(self, name: str) -> list[str]:
        value = self.values.get(name, [])
        return value if isinstance(value, list) else ([value] if value else [])


def _raw_from_value(fdef: FieldDef, value) -> str | list[str]:
    if value is None:
        return ""
    if fdef.widget == "checkboxes":
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if fdef.widget == "checkbox":
        return "on" if value is True else ""
    if isinstance(value, bool | int | float):
        return str(value)
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def state_from_data(form: EForm, data: dict | None, units: UnitDirectory | None = None) -> FormState:
    """The page for stored data (a draft, pre-filled answers)."""
    data = data if isinstance(data, dict) else {}
    units = units or UnitDirectory()
    state = FormState()

    def put(fdef: FieldDef, name: str, value):
        state.values[name] = _raw_from_value(fdef, value)
        if fdef.widget == "address" and isinstance(value, str):
            for depth, code in enumerate(units.chain_codes(value), start=1):
                state.values[f"{name}__lvl{depth}"] = code

    for fdef in form.fields.values():
        value = data.get(fdef.name)
        if fdef.is_group:
            rows = value if isinstance(value, list) else []
            if not rows and fdef.min_items and form.field_visible(fdef, data):
                rows = [{} for _ in range(fdef.min_items)]
            state.rows[fdef.name] = list(range(len(rows)))
            for i, row in enumerate(rows):
                row = row if isinstance(row, dict) else {}
                for child in fdef.children:
                    put(child, html_name(child.name, fdef.name, i), row.get(child.name))
        else:
            put(fdef, fdef.name, value)
    return state


def state_from_post(form: EForm, post) -> FormState:
    state = FormState()
    for key in post:
        values = post.getlist(key)
        state.values[key] = values if len(values) > 1 or key.endswith("[]") else (values[0] if values else "")
    for fdef in form.fields.values():
        if fdef.is_group:
            raw = post.get(f"_rows.{fdef.name}", "")
            indexes = [parse_int(x, min_value=0) for x in raw.split(",")]
            state.rows[fdef.name] = [i for i in indexes if i is not None][: fdef.max_items + 5]
    # Checkbox lists must stay lists even with one box ticked.
    for fdef in form.all_fields():
        if fdef.widget == "checkboxes":
            if fdef.group is None:
                state.values[fdef.name] = post.getlist(fdef.name)
            else:
                for i in state.rows.get(fdef.group.name, []):
                    name = html_name(fdef.name, fdef.group.name, i)
                    state.values[name] = post.getlist(name)
    return state


def apply_row_action(form: EForm, state: FormState, action: str) -> bool:
    """``add:<group>`` / ``remove:<group>:<index>``; True when the action was one of these."""
    parts = action.split(":")
    if parts[0] not in ("add", "remove") or len(parts) < 2:
        return False
    fdef = form.fields.get(parts[1])
    if fdef is None or not fdef.is_group:
        return False
    rows = state.rows.setdefault(fdef.name, [])
    if parts[0] == "add" and len(rows) < fdef.max_items:
        rows.append(max(rows, default=-1) + 1)
    elif (parts[0] == "remove" and len(parts) == 3 and parse_int(parts[2]) in rows
          and len(rows) > fdef.min_items):
        rows.remove(parse_int(parts[2]))
    return True


def ensure_min_rows(form: EForm, state: FormState, units: UnitDirectory | None = None) -> None:
    """A visible repeating group starts with its minimum number of (empty) rows."""
    data = None
    for fdef in form.fields.values():
        if fdef.is_group and fdef.min_items and len(state.rows.get(fdef.name, [])) < fdef.min_items:
            if data is None:
                data = coerce(form, state, keep_hidden=False, units=units)
            if form.field_visible(fdef, data):
                rows = state.rows.setdefault(fdef.name, [])
                while len(rows) < fdef.min_items:
                    rows.append(max(rows, default=-1) + 1)


# --- address picker -------------------------------------------------------------------------------

class UnitDirectory:
    """Unit look-ups for one request, memoised (pickers of one form share provinces and districts)."""

    def __init__(self):
        self._by_code: dict[str, object] = {}
        self._children: dict[str | None, list] = {}

    def _units(self):
        from chinhquyenso.units.models import AdministrativeUnit

        return AdministrativeUnit.objects.filter(is_active=True)

    def load(self, codes) -> None:
        missing = [c for c in codes if c and c not in self._by_code]
        if missing:
            for unit in self._units().filter(code__in=missing):
                self._by_code[unit.code] = unit
            for code in missing:
                self._by_code.setdefault(code, None)

    def get(self, code: str):
        self.load([code])
        return self._by_code.get(code)

    def children(self, parent_code: str | None) -> list:
        if parent_code not in self._children:
            if parent_code is None:
                qs = self._units().filter(depth=1)
            else:
                parent = self.get(parent_code)
                qs = (self._units().filter(path__startswith=parent.path, depth=parent.depth + 1)
                      if parent is not None else self._units().none())
            self._children[parent_code] = list(qs.order_by("name"))
            for unit in self._children[parent_code]:
                self._by_code.setdefault(unit.code, unit)
        return self._children[parent_code]

    def chain_codes(self, code: str) -> list[str]:
        """Codes from the root down to ``code`` (one query for the ancestors)."""
        unit = self.get(code)
        if unit is None:
            return []
        from chinhquyenso.units.models import AdministrativeUnit

        ancestors = list(AdministrativeUnit.objects.filter(path__in=unit.ancestor_paths()).order_by("depth"))
        for a in ancestors:
            self._by_code.setdefault(a.code, a)
        return [a.code for a in ancestors] + [unit.code]

    def consistent_chain(self, codes: list[str]) -> list:
        """The longest prefix of ``codes`` where each unit is a child of the previous one."""
        self.load(codes)
        chain = []
        for code in codes:
            unit = self._by_code.get(code) if code else None
            if unit is None:
                break
            if chain and not (unit.path.startswith(chain[-1].path) and unit.depth == chain[-1].depth + 1):
                break
            if not chain and unit.depth != 1:
                break
            chain.append(unit)
        return chain


def _picker_codes(state: FormState, name: str) -> list[str]:
    codes = []
    for depth in range(1, 6):
        code = state.get(f"{name}__lvl{depth}")
        if not code:
            break
        codes.append(code)
    return codes


# --- coercion ---------------------------------------------------------------------------------------

_THOUSANDS = re.compile(r"^-?\d{1,3}([. ]\d{3})+$")


def _coerce_number(fdef: FieldDef, raw: str):
    text = raw.strip()
    if not text:
        return None
    integer = fdef.ui.get("integer", True)
    if _THOUSANDS.match(text):
        text = text.replace(".", "").replace(" ", "")
    try:
        if integer:
            return int(text)
        number = float(text.replace(",", "."))
        return int(number) if number.is_integer() else number
    except ValueError:
        return raw.strip()


def _coerce_date(raw: str):
    text = raw.strip()
    if not text:
        return None
    for fmt in _DATE_INPUTS:
        try:
            parsed = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return format_date_vn(parsed) if parsed.year >= 1850 else text
    return text


def coerce_value(fdef: FieldDef, state: FormState, name: str, units: UnitDirectory):
    widget = fdef.widget
    if widget == "checkboxes":
        values = [v for v in state.getlist(name) if v]
        return list(dict.fromkeys(values)) or None
    if widget == "checkbox":
        return state.get(name).strip().lower() in _TRUE
    if widget == "address":
        chain = units.consistent_chain(_picker_codes(state, name))
        if chain and chain[-1].level == "commune":
            return chain[-1].code
        typed = state.get(name).strip()  # an API-like client may post the code directly
        return typed or None
    raw = state.get(name)
    if widget == "number":
        return _coerce_number(fdef, raw)
    if widget == "date":
        return _coerce_date(raw)
    text = raw.replace("\r\n", "\n").strip()
    if not text:
        return None
    if widget == "cccd":
        return re.sub(r"[\s.]", "", ascii_form(text))
    if widget == "phone":
        try:
            return normalize_phone(text)
        except ValidationError:
            return text
    if widget == "tax_code":
        try:
            return validate_tax_code(text)
        except ValidationError:
            return text
    if widget == "email":
        return text.lower()
    return text


def _empty(value) -> bool:
    return value is None or value is False or value == [] or value == ""


def _coerce_object(form: EForm, fdefs: list[FieldDef], name_of, state: FormState, units: UnitDirectory,
                   *, keep_hidden: bool) -> dict:
    obj: dict = {}
    for fdef in fdefs:
        if fdef.is_group:
            value = None
            rows = state.rows.get(fdef.name, [])
            if rows:
                value = [
                    _coerce_object(form, fdef.children, lambda c, i=i, g=fdef.name: html_name(c.name, g, i),
                                   state, units, keep_hidden=keep_hidden)
                    for i in rows
                ]
        else:
            value = coerce_value(fdef, state, name_of(fdef), units)
        visible = form.field_visible(fdef, obj)
        if visible:
            if fdef.widget == "checkbox" or not _empty(value):
                obj[fdef.name] = value
        elif keep_hidden and not _empty(value):
            obj[fdef.name] = value  # validation will reject it: see the module docstring
    return obj


def coerce(form: EForm, state: FormState, *, keep_hidden: bool = True, units: UnitDirectory | None = None) -> dict:
    """The JSON document for the page. ``keep_hidden=False`` (drafts) drops hidden answers."""
    units = units or UnitDirectory()
    return _coerce_object(form, list(form.fields.values()), lambda f: f.name, state, units,
                          keep_hidden=keep_hidden)


def drop_hidden(form: EForm, data: dict) -> dict:
    """``data`` without the answers of fields that are hidden (used when resuming old drafts)."""
    out: dict = {}
    for fdef in form.fields.values():
        if fdef.name not in data or not form.field_visible(fdef, out):
            continue
        value = data[fdef.name]
        if fdef.is_group and isinstance(value, list):
            rows = []
            for row in value:
                row = row if isinstance(row, dict) else {}
                kept: dict = {}
                for child in fdef.children:
                    if child.name in row and form.field_visible(child, kept):
                        kept[child.name] = row[child.name]
                rows.append(kept)
            value = rows
        out[fdef.name] = value
    return out


# --- binding for templates -----------------------------------------------------------------------------

_DEFAULT_HINTS = {
    "date": gettext_lazy("Theo dạng ngày/tháng/năm, ví dụ 05/09/2024."),
    "cccd": gettext_lazy("12 chữ số trên thẻ căn cước hoặc căn cước công dân."),
    "phone": gettext_lazy("Ví dụ 0912345678."),
    "tax_code": gettext_lazy("10 chữ số (13 chữ số với đơn vị phụ thuộc)."),
    "address": gettext_lazy("Chọn lần lượt tỉnh, huyện rồi xã."),
}
_AUTOCOMPLETE = {"profile.full_name": "name", "profile.phone": "tel", "profile.email": "email",
                 "organisation.name": "organization"}


@dataclass
class PickerLevel:
    name: str
    id: str
    label: str
    options: list[tuple[str, str, bool]]


@dataclass
class BoundRow:
    index: int
    number: int
    fields: list[BoundField]
    remove_action: str
    label: str


@dataclass
class BoundField:
    fdef: FieldDef
    name: str
    id: str
    value: str = ""
    values: list[str] = field(default_factory=list)
    error: str | None = None
    prefilled: bool = False
    controller: bool = False
    levels: list[PickerLevel] = field(default_factory=list)
    rows: list[BoundRow] = field(default_factory=list)
    can_add: bool = False
    can_remove: bool = False
    rows_value: str = ""

    @property
    def template(self) -> str:
        return f"eforms/widgets/{self.fdef.widget}.html"

    @property
    def hint(self) -> str:
        """The field's help text, or a default that says what shape the answer takes."""
        if self.fdef.help:
            return self.fdef.help
        return str(_DEFAULT_HINTS.get(self.fdef.widget, ""))

    @property
    def autocomplete(self) -> str:
        return _AUTOCOMPLETE.get(self.fdef.ui.get("prefill", ""), "")

    @property
    def hint_id(self) -> str:
        return f"{self.id}-hint"

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"

    @property
    def describedby(self) -> str:
        ids = []
        if self.hint:
            ids.append(self.hint_id)
        if self.error:
            ids.append(self.error_id)
        return " ".join(ids)

    @property
    def focus_id(self) -> str:
        """Where the error summary link lands."""
        if self.fdef.widget in ("radio", "checkboxes"):
            return f"{self.id}-0"
        if self.fdef.widget == "address":
            for level in self.levels:
                if not any(selected for _c, _n, selected in level.options):
                    return level.id
            return self.levels[-1].id if self.levels else self.id
        return self.id

    @property
    def choices(self) -> list[tuple[str, str, bool, str]]:
        current = set(self.values) if self.fdef.widget == "checkboxes" else {self.value}
        return [(v, text, v in current, f"{self.id}-{i}") for i, (v, text) in enumerate(self.fdef.choices)]


@dataclass
class BoundSection:
    id: str
    title: str
    description: str
    fields: list[BoundField]


_LEVEL_LABELS = {1: gettext_lazy("Tỉnh, thành phố"), 2: gettext_lazy("Quận, huyện / xã, phường"),
                 3: gettext_lazy("Xã, phường, thị trấn")}


def _picker(bf: BoundField, state: FormState, units: UnitDirectory) -> None:
    chain = units.consistent_chain(_picker_codes(state, bf.name))
    parent = None
    depth = 1
    while True:
        options_units = units.children(parent.code if parent else None)
        if not options_units:
            break
        selected = chain[depth - 1] if len(chain) >= depth else None
        level_name = {"province": _("Tỉnh, thành phố"), "district": _("Quận, huyện, thị xã"),
                      "commune": _("Xã, phường, thị trấn")}.get(options_units[0].level, _LEVEL_LABELS.get(depth, ""))
        bf.levels.append(PickerLevel(
            name=f"{bf.name}__lvl{depth}", id=f"{bf.id}__lvl{depth}", label=str(level_name),
            options=[(u.code, u.full_name, selected is not None and u.code == selected.code) for u in options_units],
        ))
        if selected is None or selected.level == "commune":
            break
        parent, depth = selected, depth + 1


def _bind_field(form: EForm, fdef: FieldDef, name: str, state: FormState, errors: dict[str, str],
                pointer: str, prefilled: set[str], units: UnitDirectory, row_pointer_of) -> BoundField:
    path = f"{fdef.group.name}/{fdef.name}" if fdef.group else fdef.name
    bf = BoundField(fdef=fdef, name=name, id=input_id(name), error=errors.get(pointer),
                    prefilled=pointer in prefilled, controller=path in form.controllers)
    if fdef.widget == "checkboxes":
        bf.values = state.getlist(name)
    else:
        bf.value = state.get(name)
    if fdef.widget == "address":
        _picker(bf, state, units)
    if fdef.is_group:
        indices = state.rows.get(fdef.name, [])
        bf.rows_value = ",".join(str(i) for i in indices)
        bf.can_add = len(indices) < fdef.max_items
        bf.can_remove = len(indices) > fdef.min_items
        data_rows = row_pointer_of(fdef.name)
        for position, i in enumerate(indices):
            row_obj = data_rows[position] if position < len(data_rows) else {}
            children = [
                _bind_field(form, child, html_name(child.name, fdef.name, i), state, errors,
                            f"/{fdef.name}/{position}/{child.name}", prefilled, units, row_pointer_of)
                for child in fdef.children if form.field_visible(child, row_obj)
            ]
            bf.rows.append(BoundRow(index=i, number=position + 1, fields=children,
                                    remove_action=f"remove:{fdef.name}:{i}",
                                    label=f"{fdef.item_label} {position + 1}"))
    return bf


def bind(form: EForm, state: FormState, *, errors: list[FieldError] | None = None,
         prefilled: set[str] | None = None, units: UnitDirectory | None = None) -> tuple[list[BoundSection],
                                                                                         list[dict]]:
    """Sections of bound fields for the template, and the error summary entries (with link targets)."""
    units = units or UnitDirectory()
    errors = errors or []
    by_pointer = {e.pointer: e.message for e in errors}
    data = coerce(form, state, keep_hidden=False, units=units)
    prefilled = prefilled or set()

    def rows_of(group: str) -> list[dict]:
        rows = data.get(group)
        return rows if isinstance(rows, list) else [{} for _ in state.rows.get(group, [])]

    sections: list[BoundSection] = []
    rendered: dict[str, str] = {}
    for section in form.sections:
        if not form.section_visible(section, data):
            continue
        bound = []
        for fdef in section.fields:
            if not form.field_visible(fdef, data):
                continue
            bf = _bind_field(form, fdef, fdef.name, state, by_pointer, f"/{fdef.name}", prefilled, units, rows_of)
            bound.append(bf)
            rendered[f"/{fdef.name}"] = bf.focus_id
            for row in bf.rows:
                for child in row.fields:
                    rendered[f"/{fdef.name}/{row.number - 1}/{child.fdef.name}"] = child.focus_id
        sections.append(BoundSection(id=f"section-{section.id}", title=section.title,
                                     description=section.description, fields=bound))
    summary = []
    first_section = sections[0].id if sections else "eform-body"
    for error in errors:
        target = rendered.get(error.pointer)
        if target is None:
            # Not on the page (a hidden field's rejected value, a row-level error): link to the
            # closest thing that is.
            top = "/" + error.pointer.strip("/").split("/")[0] if error.pointer else ""
            target = rendered.get(top) or first_section
        summary.append({"message": error.message, "target": target, "pointer": error.pointer})
    return sections, summary
