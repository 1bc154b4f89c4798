"""The runtime view of a compiled form: ``EForm(schema, ui_schema)``.

Everything at run time (rendering, coercion of HTML input, validation messages, flattening for
the specialised tables) reads these two documents through this class; the builder's spec is not
needed. Visibility is decided by evaluating the same condition sub-schemas the JSON Schema uses
in its ``if`` clauses, so "shown on the page" and "allowed in the data" cannot drift apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.translation import get_language

from chinhquyenso.core.parsing import parse_int
from chinhquyenso.eforms.formats import EformValidator
from chinhquyenso.eforms.spec import condition_schema


def pick(text: dict | str | None, lang: str | None = None) -> str:
    """The label in the active language, falling back to Vietnamese."""
    if not text:
        return ""
    if isinstance(text, str):
        return text
    lang = (lang or get_language() or "vi")[:2]
    return text.get(lang) or text.get("vi") or ""


@dataclass
class FieldDef:
    name: str
    ui: dict
    schema: dict
    group: FieldDef | None = None
    children: list[FieldDef] = field(default_factory=list)

    @property
    def widget(self) -> str:
        return self.ui["widget"]

    @property
    def label(self) -> str:
        return pick(self.ui.get("label")) or self.name

    @property
    def help(self) -> str:
        return pick(self.ui.get("help"))

    @property
    def required(self) -> bool:
        return bool(self.ui.get("required"))

    @property
    def visible_if(self) -> dict | None:
        return self.ui.get("visible_if")

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(c["value"], pick(c["label"])) for c in self.ui.get("choices", [])]

    @property
    def is_group(self) -> bool:
        return self.widget == "group"

    @property
    def item_label(self) -> str:
        return pick(self.ui.get("item_label")) or self.label

    @property
    def min_items(self) -> int:
        return int(self.ui.get("min_items", 0))

    @property
    def max_items(self) -> int:
        return int(self.ui.get("max_items", 20))

    @property
    def is_personal(self) -> bool:
        return self.widget in ("cccd", "phone", "email")

    def choice_label(self, value) -> str:
        for v, text in self.choices:
            if v == value:
                return text
        return str(value)


@dataclass
class Section:
    id: str
    ui: dict
    fields: list[FieldDef]

    @property
    def title(self) -> str:
        return pick(self.ui.get("title"))

    @property
    def description(self) -> str:
        return pick(self.ui.get("description"))

    @property
    def visible_if(self) -> dict | None:
        return self.ui.get("visible_if")


class EForm:
    def __init__(self, schema: dict, ui_schema: dict):
        self.schema = schema
        self.ui_schema = ui_schema
        props = schema.get("properties", {})
        ui_fields = ui_schema.get("fields", {})
        self.fields: dict[str, FieldDef] = {}
        self.sections: list[Section] = []
        for sec in ui_schema.get("sections", []):
            defs = []
            for name in sec["fields"]:
                fdef = FieldDef(name=name, ui=ui_fields[name], schema=props.get(name, {}))
                if fdef.is_group:
                    item_props = fdef.schema.get("items", {}).get("properties", {})
                    fdef.children = [
                        FieldDef(name=n, ui=fdef.ui["fields"][n], schema=item_props.get(n, {}), group=fdef)
                        for n in fdef.ui.get("order", [])
                    ]
                self.fields[name] = fdef
                defs.append(fdef)
            self.sections.append(Section(id=sec["id"], ui=sec, fields=defs))
        self.section_of = {f.name: s for s in self.sections for f in s.fields}
        self._cond_validators: dict[str, EformValidator] = {}

    @property
    def title(self) -> str:
        return pick(self.ui_schema.get("title"))

    @property
    def description(self) -> str:
        return pick(self.ui_schema.get("description"))

    @cached_property
    def field_order(self) -> dict[str, int]:
        """Reading order of every field path ("name" and "group/child"), for sorting errors."""
        order: dict[str, int] = {}
        for fdef in self.fields.values():
            order[fdef.name] = len(order)
            for child in fdef.children:
                order[f"{fdef.name}/{child.name}"] = len(order)
        return order

    def all_fields(self):
        for fdef in self.fields.values():
            yield fdef
            yield from fdef.children

    # --- visibility ----------------------------------------------------------------------------
    def _holds(self, cond: dict, obj: dict, siblings: dict[str, FieldDef]) -> bool:
        controller = siblings.get(cond["field"])
        schema = condition_schema(cond, controller.widget if controller else None)
        key = json.dumps(schema, sort_keys=True)
        validator = self._cond_validators.get(key)
        if validator is None:
            validator = self._cond_validators[key] = EformValidator(schema)
        return validator.is_valid(obj)

    def section_visible(self, section: Section, root: dict) -> bool:
        return section.visible_if is None or self._holds(section.visible_if, root, self.fields)

    def field_visible(self, fdef: FieldDef, obj: dict) -> bool:
        """Is ``fdef`` shown, given the object that holds it (the form data, or one group row)?"""
        if fdef.group is None:
            section = self.section_of[fdef.name]
            if not self.section_visible(section, obj):
                return False
            siblings = self.fields
        else:
            siblings = {c.name: c for c in fdef.group.children}
        return fdef.visible_if is None or self._holds(fdef.visible_if, obj, siblings)

    @cached_property
    def controllers(self) -> set[str]:
        """Paths of fields that other fields' or sections' visibility depends on."""
        names = {s.visible_if["field"] for s in self.sections if s.visible_if}
        for fdef in self.all_fields():
            if fdef.visible_if:
                prefix = f"{fdef.group.name}/" if fdef.group else ""
                names.add(prefix + fdef.visible_if["field"])
        return names

    # --- paths ----------------------------------------------------------------------------------
    def field_at(self, pointer: str) -> tuple[FieldDef | None, int | None]:
        """``/ho_ten`` → (field, None); ``/tre/1/ho_ten`` → (child field, 1); ``/tre/1`` → (group, 1)."""
        parts = [p for p in pointer.split("/") if p != ""]
        if not parts:
            return None, None
        top = self.fields.get(parts[0])
        if top is None or len(parts) == 1:
            return top, None
        try:
            index = int(parts[1])
        except ValueError:
            return top, None
        if len(parts) == 2:
            return top, index
        child = next((c for c in top.children if c.name == parts[2]), None)
        return child or top, index

    def label_for(self, pointer: str) -> str:
        fdef, index = self.field_at(pointer)
        if fdef is None:
            return pointer.strip("/") or self.title
        if fdef.group is not None:
            return f"{fdef.group.item_label} {index + 1 if index is not None else ''} — {fdef.label}".replace(
                "  ", " ")
        if index is not None:
            return f"{fdef.item_label} {index + 1}"
        return fdef.label

    def order_key(self, pointer: str) -> tuple:
        parts = [p for p in pointer.split("/") if p != ""]
        if not parts:
            return (-1,)
        base = self.field_order.get(parts[0], 10**6)
        if len(parts) >= 3:
            return (base, parse_int(parts[1], 0, min_value=0),
                    self.field_order.get(f"{parts[0]}/{parts[2]}", 10**6))
        if len(parts) == 2:
            return (base, parse_int(parts[1], 0, min_value=0), -1)
        return (base, -1, -1)
