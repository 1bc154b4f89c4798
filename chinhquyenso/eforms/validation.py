"""Server-side validation of form data against a version's JSON Schema, with Vietnamese messages.

``form_data_errors(schema, ui_schema, data)`` returns *all* problems as ``FieldError(pointer,
message)`` in reading order: the HTML page lists them in its error summary and beside each field;
``services.form_submission_create`` raises the first as a ``DomainError`` (with all of them
attached). The JSON Schema is the only source of truth: the checks here are the schema's, the
code only words them for people.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from chinhquyenso.eforms.engine import EForm
from chinhquyenso.eforms.formats import EformValidator, build_format_checker


@dataclass(frozen=True)
class FieldError:
    pointer: str  # JSON pointer into the data ("/ho_ten", "/tre/0/ho_ten"); "" for the whole form
    message: str

    def as_tuple(self) -> tuple[str, str]:
        return self.pointer, self.message

    def as_dict(self) -> dict:
        return {"field": self.pointer, "message": self.message}


def _pointer(path) -> str:
    return "".join(f"/{p}" for p in path)


_CHOOSE_WIDGETS = {"select", "radio", "checkboxes", "address"}


def _message(form: EForm, error, pointer: str) -> str:
    fdef, _index = form.field_at(pointer)
    name = form.label_for(pointer)
    keyword = error.validator
    value = error.validator_value
    if keyword == "required":
        if fdef is not None and fdef.widget == "checkbox":
            return _("Bạn cần đánh dấu ô “%(f)s”.") % {"f": name}
        if fdef is not None and fdef.widget == "group":
            return _("Vui lòng thêm ít nhất một dòng “%(f)s”.") % {"f": name}
        if fdef is not None and fdef.widget in _CHOOSE_WIDGETS:
            return _("Vui lòng chọn “%(f)s”.") % {"f": name}
        return _("Vui lòng nhập “%(f)s”.") % {"f": name}
    if keyword == "not" and isinstance(value, dict) and value.get("required"):
        return _("“%(f)s” không áp dụng với các câu trả lời hiện tại nên không được gửi kèm; giá trị đã bị từ "
                 "chối.") % {"f": name}
    if keyword == "additionalProperties":
        return _("Trường “%(f)s” không có trong biểu mẫu này.") % {"f": pointer.rsplit("/", 1)[-1]}
    if keyword in ("format", "x-cccd-matches"):
        cause = error.cause
        detail = " ".join(getattr(cause, "messages", [])) if cause is not None else ""
        return f"“{name}”: {detail or _('không đúng định dạng.')}"
    if keyword == "x-not-future":
        return f"“{name}” {error.message}"
    if keyword == "const" and value is True:
        return _("Bạn cần đánh dấu ô “%(f)s”.") % {"f": name}
    if keyword == "type":
        if value == "integer":
            return _("“%(f)s” phải là một số nguyên.") % {"f": name}
        if value == "number":
            return _("“%(f)s” phải là một số.") % {"f": name}
        if value == "boolean":
            return _("“%(f)s” chỉ nhận có hoặc không.") % {"f": name}
        if value == "array":
            return _("“%(f)s” phải là một danh sách.") % {"f": name}
        return _("“%(f)s” không đúng kiểu dữ liệu.") % {"f": name}
    if keyword == "enum" or keyword == "const":
        return _("Giá trị của “%(f)s” không nằm trong danh sách lựa chọn.") % {"f": name}
    if keyword == "minLength":
        return _("Vui lòng nhập “%(f)s”.") % {"f": name}
    if keyword == "maxLength":
        return _("“%(f)s” không được dài quá %(n)s ký tự.") % {"f": name, "n": value}
    if keyword in ("minimum", "exclusiveMinimum"):
        return _("“%(f)s” phải từ %(n)s trở lên.") % {"f": name, "n": value}
    if keyword in ("maximum", "exclusiveMaximum"):
        return _("“%(f)s” không được lớn hơn %(n)s.") % {"f": name, "n": value}
    if keyword == "minItems":
        if fdef is not None and fdef.widget == "checkboxes":
            return _("Vui lòng chọn ít nhất %(n)s mục ở “%(f)s”.") % {"f": name, "n": value}
        return _("“%(f)s” cần ít nhất %(n)s dòng.") % {"f": name, "n": value}
    if keyword == "maxItems":
        return _("“%(f)s” có tối đa %(n)s dòng.") % {"f": name, "n": value}
    if keyword == "uniqueItems":
        return _("“%(f)s” có lựa chọn bị lặp.") % {"f": name}
    if keyword == "pattern":
        return _("“%(f)s” không đúng định dạng.") % {"f": name}
    return _("“%(f)s” không hợp lệ.") % {"f": name}


def _leaf_errors(errors):
    """Errors of ``allOf``/``anyOf`` wrappers come out as their leaves; keep only leaves."""
    for error in errors:
        if error.validator in ("anyOf", "oneOf") and error.context:
            yield from _leaf_errors(error.context)
        else:
            yield error


def form_data_errors(schema: dict, ui_schema: dict, data, *, form: EForm | None = None) -> list[FieldError]:
    """Every problem with ``data``, one message per field, in the order fields appear on the form."""
    form = form or EForm(schema, ui_schema)
    if not isinstance(data, dict):
        return [FieldError("", _("Dữ liệu biểu mẫu phải là một đối tượng JSON."))]
    validator = EformValidator(schema, format_checker=build_format_checker())
    found: dict[str, FieldError] = {}
    for error in _leaf_errors(validator.iter_errors(data)):
        pointer = _pointer(error.absolute_path)
        # A wrong type makes every other check on the value meaningless: let it win.
        if pointer in found and error.validator != "type":
            continue
        found[pointer] = FieldError(pointer, _message(form, error, pointer))
    return sorted(found.values(), key=lambda e: form.order_key(e.pointer))


def form_data_validate(schema: dict, ui_schema: dict, data) -> list[tuple[str, str]]:
    """The contract for other apps: ``[(json_pointer, message_vi), ...]``; empty when valid."""
    return [e.as_tuple() for e in form_data_errors(schema, ui_schema, data)]
