"""Vietnamese formats as JSON Schema ``format`` checkers, and the custom keywords of our schemas.

Formats: ``cccd`` (12-digit personal identification number), ``phone-vn``, ``tax-code-vn``
(mã số thuế), ``date-vn`` (dd/mm/yyyy), ``unit-code`` (an existing administrative unit), and a
stricter ``email``. Each checker raises Django's ``ValidationError`` with a Vietnamese message,
which ``validation.py`` puts beside the field.

Keywords (ignored by plain JSON Schema validators, so the published schema stays portable):
- ``x-cccd-matches`` on an object: ``[{"cccd": "/cccd", "dob": "/ngay_sinh", "gender": "/gioi_tinh"}]``;
  pointers are relative to the object holding the CCCD (the form, or one row of a repeating
  group); ``gender`` may also be a literal ``"male"``/``"female"``. Digits 4–6 of the CCCD must
  agree with the birth year and gender (Circular 07/2016/TT-BCA, art. 7).
- ``x-not-future`` on a date: the date may not be after today (Asia/Ho_Chi_Minh).
- ``x-file-ref``: marks a placeholder for a document attached at the dossier step.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema import ValidationError as SchemaValidationError
from jsonschema._keywords import additionalProperties as _additional_properties
from jsonschema._keywords import not_ as _not_keyword

from chinhquyenso.accounts.validators import normalize_phone, validate_cccd, validate_tax_code
from chinhquyenso.core.parsing import is_ascii_digits

_DATE_VN = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")


def parse_date_vn(value) -> dt.date | None:
    """``"05/09/2024"`` → ``date(2024, 9, 5)``; None when it is not a real dd/mm/yyyy date."""
    if not isinstance(value, str):
        return None
    match = _DATE_VN.match(value)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    if year < 1850:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def format_date_vn(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def _check_date_vn(value) -> bool:
    if not isinstance(value, str):
        return True
    if parse_date_vn(value) is None:
        raise ValidationError(_("phải là một ngày có thật, viết theo dạng ngày/tháng/năm (ví dụ 05/09/2024)."))
    return True


def _check_cccd(value) -> bool:
    # Stored data holds the number as validate_cccd normalises it: full-width digits posted by an
    # API client would otherwise be a second spelling of the same CCCD (searches, duplicates miss it).
    if isinstance(value, str) and validate_cccd(value) != re.sub(r"\s", "", value):
        raise ValidationError(_("Số CCCD cần viết bằng các chữ số 0–9."))
    return True


def _check_phone(value) -> bool:
    if isinstance(value, str) and normalize_phone(value) != value:
        raise ValidationError(_("Số điện thoại cần viết dạng 0xxxxxxxxx (không dấu cách)."))
    return True


def _check_tax_code(value) -> bool:
    if isinstance(value, str):
        validate_tax_code(value)
        if not value.isascii():
            raise ValidationError(_("Mã số thuế cần viết bằng các chữ số 0–9."))
    return True


def _check_email(value) -> bool:
    if isinstance(value, str):
        try:
            validate_email(value)
        except ValidationError as exc:
            raise ValidationError(_("Địa chỉ thư điện tử không hợp lệ.")) from exc
    return True


def build_format_checker() -> FormatChecker:
    """A checker for one validation run (the unit lookup is memoised for that run only)."""
    from chinhquyenso.units.models import AdministrativeUnit

    checker = FormatChecker()
    checker.checks("date-vn", raises=ValidationError)(_check_date_vn)
    checker.checks("cccd", raises=ValidationError)(_check_cccd)
    checker.checks("phone-vn", raises=ValidationError)(_check_phone)
    checker.checks("tax-code-vn", raises=ValidationError)(_check_tax_code)
    checker.checks("email", raises=ValidationError)(_check_email)
    known: dict[str, bool] = {}

    def check_unit(value) -> bool:
        if not isinstance(value, str):
            return True
        if value not in known:
            known[value] = AdministrativeUnit.objects.filter(code=value, is_active=True).exists()
        if not known[value]:
            raise ValidationError(_("Đơn vị hành chính đã chọn không tồn tại hoặc đã giải thể."))
        return True

    checker.checks("unit-code", raises=ValidationError)(check_unit)
    return checker


def _resolve(obj: dict, pointer: str):
    if not pointer.startswith("/"):
        return pointer  # a literal (gender "male"/"female")
    return obj.get(pointer[1:])


def _cccd_matches(validator, rules, instance, schema):
    if not validator.is_type(instance, "object"):
        return
    for rule in rules if isinstance(rules, list) else [rules]:
        cccd_key = rule.get("cccd", "/cccd")[1:]
        cccd = instance.get(cccd_key)
        if not (is_ascii_digits(cccd) and len(cccd) == 12):
            continue  # missing or malformed: the field's own checks report it
        dob = parse_date_vn(_resolve(instance, rule["dob"])) if rule.get("dob") else None
        gender = _resolve(instance, rule["gender"]) if rule.get("gender") else None
        try:
            validate_cccd(cccd, date_of_birth=dob, gender=gender if gender in ("male", "female") else None)
        except ValidationError as exc:
            if exc.code in ("cccd_birth_year", "cccd_gender"):
                yield SchemaValidationError(" ".join(exc.messages), path=[cccd_key], cause=exc,
                                            validator="x-cccd-matches", validator_value=rule)


def _not_future(validator, enabled, instance, schema):
    date = parse_date_vn(instance)
    if enabled and date is not None and date > timezone.localdate():
        yield SchemaValidationError(_("không được sau ngày hôm nay."))


def _required(validator, required, instance, schema):
    """As the standard keyword, but the error points at the missing property itself."""
    if not validator.is_type(instance, "object"):
        return
    for name in required:
        if name not in instance:
            yield SchemaValidationError(f"{name!r} is a required property", path=[name], validator="required",
                                        validator_value=name)


def _additional(validator, ap, instance, schema):
    """As the standard keyword, but one error per unexpected property, pointing at it."""
    if ap is False and validator.is_type(instance, "object"):
        allowed = set(schema.get("properties", {}))
        for name in instance:
            if name not in allowed:
                yield SchemaValidationError(f"{name!r} is not allowed", path=[name],
                                            validator="additionalProperties", validator_value=False)
        return
    yield from _additional_properties(validator, ap, instance, schema)


def _not(validator, not_schema, instance, schema):
    """``{"not": {"required": [f]}}`` is how a hidden field is forbidden: point the error at ``f``."""
    if (isinstance(not_schema, dict) and list(not_schema) == ["required"] and len(not_schema["required"]) == 1
            and validator.is_type(instance, "object")):
        name = not_schema["required"][0]
        if name in instance:
            yield SchemaValidationError(f"{name!r} is not allowed here", path=[name], validator="not",
                                        validator_value=not_schema)
        return
    yield from _not_keyword(validator, not_schema, instance, schema)


EformValidator = validators.extend(
    Draft202012Validator,
    validators={
        "x-cccd-matches": _cccd_matches,
        "x-not-future": _not_future,
        "required": _required,
        "additionalProperties": _additional,
        "not": _not,
    },
)
