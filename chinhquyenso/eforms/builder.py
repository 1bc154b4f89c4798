"""Builder operations: pure functions from a spec to a new spec (the views save it via services).

A field is addressed by ``ref``: ``"ho_ten"`` for a top-level field, ``"tre/ho_ten"`` for a field
inside the repeating group ``tre``. Every operation returns a new spec and raises ``DomainError``
for a request that makes no sense; ``compile_spec`` (in the service) checks the rest.
"""

from __future__ import annotations

import copy
import re

from django.utils.translation import gettext as _

from chinhquyenso.core.errors import DomainError
from chinhquyenso.core.parsing import parse_int
from chinhquyenso.core.text import fold
from chinhquyenso.eforms.spec import CHOICE_TYPES, FIELD_TYPES, GENDERS, PREFILL_SOURCES, label

# Options a field of each type may carry besides the common ones.
TYPE_OPTIONS: dict[str, set[str]] = {
    "text": {"max_length", "prefill"}, "textarea": {"max_length", "prefill"},
    "number": {"integer", "minimum", "maximum", "prefill"}, "date": {"not_future", "prefill"},
    "select": {"choices", "prefill"}, "radio": {"choices", "prefill"}, "checkboxes": {"choices"},
    "checkbox": set(), "cccd": {"matches", "prefill"}, "phone": {"prefill"}, "email": {"prefill"},
    "tax_code": {"prefill"}, "address": {"prefill"}, "file": set(),
    "group": {"fields", "min_items", "max_items", "item_label"},
}
COMMON = ("name", "type", "label", "help", "required", "visible_if", "schema_extra")


def _error(message: str, field: str | None = None) -> DomainError:
    return DomainError("builder_invalid", message, field)


def slug_name(text: str, taken: set[str]) -> str:
    """A field name from a label: ``"Họ và tên cha"`` → ``ho_va_ten_cha`` (unique among ``taken``)."""
    base = re.sub(r"[^a-z0-9]+", "_", fold(text)).strip("_")[:40] or "truong"
    if not base[0].isalpha():
        base = f"f_{base}"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    return name


def split_ref(ref: str) -> tuple[str | None, str]:
    group, _sep, name = ref.rpartition("/")
    return (group or None), name


def _all_top(spec: dict) -> list[dict]:
    return [f for s in spec["sections"] for f in s["fields"]]


def _section(spec: dict, section_id: str) -> dict:
    for section in spec["sections"]:
        if section["id"] == section_id:
            return section
    raise _error(_("Không tìm thấy phần “%(s)s”.") % {"s": section_id})


def _container(spec: dict, ref: str) -> tuple[list[dict], int]:
    """The list holding the field and its index there."""
    group, name = split_ref(ref)
    if group is None:
        for section in spec["sections"]:
            for i, f in enumerate(section["fields"]):
                if f["name"] == name:
                    return section["fields"], i
    else:
        for f in _all_top(spec):
            if f["name"] == group and f["type"] == "group":
                for i, child in enumerate(f.get("fields", [])):
                    if child["name"] == name:
                        return f["fields"], i
    raise _error(_("Không tìm thấy trường “%(f)s”.") % {"f": ref})


def get_field(spec: dict, ref: str) -> dict:
    fields, i = _container(spec, ref)
    return fields[i]


def _names_in_scope(spec: dict, group: str | None) -> set[str]:
    if group is None:
        return {f["name"] for f in _all_top(spec)}
    return {f["name"] for f in get_field(spec, group).get("fields", [])}


def add_section(spec: dict, *, title_vi: str, title_en: str = "") -> dict:
    spec = copy.deepcopy(spec)
    if not title_vi.strip():
        raise _error(_("Vui lòng nhập tên phần."), "title_vi")
    section_id = slug_name(title_vi, {s["id"] for s in spec["sections"]})
    spec["sections"].append({"id": section_id, "title": {"vi": title_vi.strip(), "en": title_en.strip()},
                             "fields": []})
    return spec


def update_section(spec: dict, section_id: str, *, title_vi: str, title_en: str = "", description_vi: str = "",
                   visible_if: dict | None = None) -> dict:
    spec = copy.deepcopy(spec)
    section = _section(spec, section_id)
    if not title_vi.strip():
        raise _error(_("Vui lòng nhập tên phần."), "title_vi")
    section["title"] = {"vi": title_vi.strip(), "en": title_en.strip()}
    section["description"] = {"vi": description_vi.strip(), "en": label(section.get("description"))["en"]}
    if visible_if:
        section["visible_if"] = visible_if
    else:
        section.pop("visible_if", None)
    return spec


def move_section(spec: dict, section_id: str, direction: str) -> dict:
    spec = copy.deepcopy(spec)
    ids = [s["id"] for s in spec["sections"]]
    if section_id not in ids:
        raise _error(_("Không tìm thấy phần “%(s)s”.") % {"s": section_id})
    i = ids.index(section_id)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(ids):
        spec["sections"][i], spec["sections"][j] = spec["sections"][j], spec["sections"][i]
    return spec


def remove_section(spec: dict, section_id: str) -> dict:
    spec = copy.deepcopy(spec)
    section = _section(spec, section_id)
    if section["fields"]:
        raise _error(_("Phần còn trường; hãy xoá hoặc chuyển các trường trước khi xoá phần."))
    if len(spec["sections"]) == 1:
        raise _error(_("Biểu mẫu cần ít nhất một phần."))
    spec["sections"] = [s for s in spec["sections"] if s["id"] != section_id]
    return spec


def _default_field(ftype: str, name: str, label_vi: str) -> dict:
    field: dict = {"name": name, "type": ftype, "label": {"vi": label_vi, "en": ""}}
    if ftype in CHOICE_TYPES:
        field["choices"] = [{"value": "co", "label": {"vi": "Có", "en": "Yes"}},
                            {"value": "khong", "label": {"vi": "Không", "en": "No"}}]
    if ftype == "group":
        field |= {"min_items": 0, "max_items": 10, "fields": [
            {"name": "ho_ten", "type": "text", "label": {"vi": "Họ và tên", "en": "Full name"}, "required": True}]}
    return field


def add_field(spec: dict, *, section_id: str | None = None, group: str | None = None, ftype: str,
              label_vi: str, name: str = "") -> tuple[dict, str]:
    """Append a field to a section (or to a repeating group); returns the new spec and the ref."""
    spec = copy.deepcopy(spec)
    if ftype not in FIELD_TYPES:
        raise _error(_("Loại trường không hợp lệ."), "type")
    if not label_vi.strip():
        raise _error(_("Vui lòng nhập nhãn của trường."), "label_vi")
    if group is not None and ftype == "group":
        raise _error(_("Không đặt nhóm lặp lại bên trong nhóm lặp lại."), "type")
    taken = _names_in_scope(spec, group)
    if name:
        if not re.match(r"^[a-z][a-z0-9_]{0,49}$", name):
            raise _error(_("Tên kỹ thuật chỉ gồm chữ thường không dấu, số và dấu gạch dưới, bắt đầu bằng chữ."),
                         "name")
        if name in taken:
            raise _error(_("Tên kỹ thuật “%(n)s” đã có.") % {"n": name}, "name")
    else:
        name = slug_name(label_vi, taken)
    field = _default_field(ftype, name, label_vi.strip())
    if group is not None:
        get_field(spec, group).setdefault("fields", []).append(field)
        return spec, f"{group}/{name}"
    _section(spec, section_id or spec["sections"][-1]["id"])["fields"].append(field)
    return spec, name


def _dependents(spec: dict, ref: str) -> list[str]:
    group, name = split_ref(ref)
    found = []
    if group is None:
        found += [s["id"] for s in spec["sections"] if (s.get("visible_if") or {}).get("field") == name]
        for f in _all_top(spec):
            if (f.get("visible_if") or {}).get("field") == name:
                found.append(f["name"])
            if f.get("type") == "cccd" and name in (f.get("matches") or {}).values():
                found.append(f["name"])
    else:
        for f in get_field(spec, group).get("fields", []):
            if (f.get("visible_if") or {}).get("field") == name:
                found.append(f"{group}/{f['name']}")
            if f.get("type") == "cccd" and name in (f.get("matches") or {}).values():
                found.append(f"{group}/{f['name']}")
    return found


def remove_field(spec: dict, ref: str) -> dict:
    spec = copy.deepcopy(spec)
    users = _dependents(spec, ref)
    if users:
        raise _error(_("Không xoá được: “%(f)s” đang được dùng trong điều kiện hoặc đối chiếu của %(u)s.")
                     % {"f": ref, "u": ", ".join(users)})
    fields, i = _container(spec, ref)
    del fields[i]
    return spec


def move_field(spec: dict, ref: str, direction: str) -> dict:
    """Up/down within its list; a top-level field at the edge of a section moves to the next one."""
    spec = copy.deepcopy(spec)
    group, _name = split_ref(ref)
    fields, i = _container(spec, ref)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(fields):
        fields[i], fields[j] = fields[j], fields[i]
        return spec
    if group is not None:
        return spec
    ids = [s["id"] for s in spec["sections"]]
    si = next(k for k, s in enumerate(spec["sections"]) if s["fields"] is fields)
    sj = si - 1 if direction == "up" else si + 1
    if 0 <= sj < len(ids):
        field = fields.pop(i)
        target = spec["sections"][sj]["fields"]
        if direction == "up":
            target.append(field)
        else:
            target.insert(0, field)
    return spec


def parse_choices(text: str) -> list[dict]:
    """One choice per line: ``value | Nhãn tiếng Việt | English label`` (value and English optional)."""
    choices = []
    seen: set[str] = set()
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.split("|")]
        if not parts or not parts[0]:
            continue
        if len(parts) == 1:
            value, vi, en = slug_name(parts[0], seen), parts[0], ""
        else:
            value, vi, en = parts[0], parts[1] or parts[0], (parts[2] if len(parts) > 2 else "")
        if value in seen:
            raise _error(_("Giá trị lựa chọn “%(v)s” bị trùng.") % {"v": value}, "choices")
        seen.add(value)
        choices.append({"value": value[:100], "label": {"vi": vi, "en": en}})
    return choices


def format_choices(choices: list[dict]) -> str:
    lines = []
    for c in choices or []:
        lab = label(c["label"])
        lines.append(" | ".join(p for p in (c["value"], lab["vi"], lab["en"]) if p is not None).rstrip(" |"))
    return "\n".join(lines)


def typed_condition_values(controller: dict, raw: str) -> list:
    """Condition values typed like the controlling field's data (booleans for a checkbox…)."""
    values = [v.strip() for v in (raw or "").split(",") if v.strip()]
    if controller["type"] == "checkbox":
        return [v.lower() in ("true", "1", "co", "có", "yes", "x") for v in values]
    if controller["type"] == "number":
        out = []
        for v in values:
            try:
                out.append(parse_int(v) if parse_int(v) is not None else float(v))
            except ValueError as exc:
                raise _error(_("Giá trị điều kiện “%(v)s” phải là số.") % {"v": v}, "visible_values") from exc
        return out
    if controller["type"] in CHOICE_TYPES:
        # Accept the value or its Vietnamese label.
        mapping = {}
        for c in controller.get("choices", []):
            mapping[c["value"].lower()] = c["value"]
            mapping[label(c["label"])["vi"].lower()] = c["value"]
        return [mapping.get(v.lower(), v) for v in values]
    return values


def build_condition(spec: dict, group: str | None, field_name: str, op: str, raw_values: str) -> dict | None:
    if not field_name:
        return None
    controller = get_field(spec, f"{group}/{field_name}" if group else field_name)
    values = typed_condition_values(controller, raw_values)
    if not values:
        raise _error(_("Vui lòng nhập giá trị cho điều kiện hiển thị."), "visible_values")
    if op == "in" or len(values) > 1:
        return {"field": field_name, "in": values}
    return {"field": field_name, "equals": values[0]}


def update_field(spec: dict, ref: str, changes: dict, *, frozen_names: set[str] = frozenset()) -> tuple[dict, str]:
    """Apply the builder's field editor. ``changes`` holds the common keys and the type's options;
    ``frozen_names`` are refs already in a published version (renaming them would orphan data)."""
    spec = copy.deepcopy(spec)
    group, name = split_ref(ref)
    fields, i = _container(spec, ref)
    old = fields[i]
    new_name = changes.get("name") or name
    if new_name != name:
        if ref in frozen_names:
            raise _error(_("Trường “%(f)s” đã có trong phiên bản xuất bản; không đổi tên kỹ thuật để dữ liệu cũ "
                           "vẫn khớp.") % {"f": name}, "name")
        if new_name in _names_in_scope(spec, group):
            raise _error(_("Tên kỹ thuật “%(n)s” đã có.") % {"n": new_name}, "name")
        if _dependents(spec, ref):
            raise _error(_("Trường đang được dùng trong điều kiện khác; không đổi tên được."), "name")
    ftype = changes.get("type") or old["type"]
    if group is not None and ftype == "group":
        raise _error(_("Không đặt nhóm lặp lại bên trong nhóm lặp lại."), "type")
    field: dict = {"name": new_name, "type": ftype}
    allowed = TYPE_OPTIONS[ftype]
    for key in (*COMMON, *allowed):
        if key in ("name", "type"):
            continue
        value = changes[key] if key in changes else old.get(key)
        if key == "fields" and ftype == "group":
            value = old.get("fields") or _default_field("group", new_name, "")["fields"]
        if key == "choices" and not value and ftype in CHOICE_TYPES:
            value = _default_field(ftype, new_name, "")["choices"]
        if key == "integer":
            if value is False:
                field["integer"] = False  # the default is an integer
            continue
        if value in (None, "", {}, []) or value is False:
            continue
        field[key] = value
    if field.get("prefill") and field["prefill"] not in PREFILL_SOURCES:
        raise _error(_("Nguồn điền sẵn không hợp lệ."), "prefill")
    if "matches" in field:
        gender = field["matches"].get("gender")
        if gender and gender not in GENDERS and gender not in _names_in_scope(spec, group):
            raise _error(_("Giới tính đối chiếu không hợp lệ."), "matches_gender")
    fields[i] = field
    return spec, f"{group}/{new_name}" if group else new_name
