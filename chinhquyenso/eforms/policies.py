"""Who may do what with e-forms, always scoped by administrative unit.

- Designing and publishing a procedure's e-form: an administrator of the unit that owns the
  procedure's catalogue (``Procedure.unit``) or of an ancestor unit.
- The specialised tables (submitted data): specialists, department heads, unit leaders and
  reporters, for submissions received by units in their subtree. Personal identifiers (CCCD,
  phone, e-mail) are masked on screen for everyone; exports carry them in clear only for
  specialists, department heads and unit leaders of the receiving unit — a reporter's export is
  masked too (statistics need counts, not identities).
"""

from __future__ import annotations

import rules

from chinhquyenso.accounts.roles import Role
from chinhquyenso.accounts.selectors import user_has_role

EDITOR_ROLES = (Role.ADMINISTRATOR,)
DATA_ROLES = (Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.UNIT_LEADER, Role.REPORTER)
UNMASKED_EXPORT_ROLES = (Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.UNIT_LEADER)


def _procedure_unit(definition_or_procedure):
    procedure = getattr(definition_or_procedure, "procedure", definition_or_procedure)
    return getattr(procedure, "unit", None) if procedure is not None else None


def can_edit_form(user, definition_or_procedure=None) -> bool:
    """``definition_or_procedure`` may be a FormDefinition, a Procedure, or None ("any form")."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    unit = _procedure_unit(definition_or_procedure) if definition_or_procedure is not None else None
    return user_has_role(user, EDITOR_ROLES, unit)


def can_view_specialised_data(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_superuser or user_has_role(user, DATA_ROLES)))


def may_export_unmasked(user, unit) -> bool:
    """Clear personal data in an export row received by ``unit`` (no query: role scopes are cached)."""
    if getattr(user, "is_superuser", False):
        return True
    return user_has_role(user, UNMASKED_EXPORT_ROLES, unit)


@rules.predicate
def _can_edit(user, obj=None) -> bool:
    return can_edit_form(user, obj)


@rules.predicate
def _can_view_data(user, obj=None) -> bool:
    return can_view_specialised_data(user)


rules.add_perm("eforms.change_formdefinition", _can_edit)
rules.add_perm("eforms.view_formsubmission", _can_view_data)
