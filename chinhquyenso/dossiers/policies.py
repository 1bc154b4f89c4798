"""Who may see and act on a dossier. Always scoped by the dossier's unit (and the step's agency)."""

from __future__ import annotations

import rules

from chinhquyenso.accounts.roles import STAFF_ROLES, Role
from chinhquyenso.accounts.selectors import role_scopes


def _holds(user, roles, dossier, *, agency=None) -> bool:
    """``user`` holds one of ``roles`` in the dossier's unit (inherited from an ancestor); when
    ``agency`` is given, an assignment bound to another agency does not count."""
    if not getattr(user, "is_authenticated", False):
        return False
    wanted = {roles} if isinstance(roles, str) else set(roles)
    unit_path = dossier.unit.path
    agency_unit_path = agency.unit.path if agency is not None else None
    for scope in role_scopes(user):
        if scope.role not in wanted:
            continue
        in_unit = unit_path.startswith(scope.unit_path) or (
            agency_unit_path is not None and agency_unit_path.startswith(scope.unit_path))
        if not in_unit:
            continue
        if agency is None or scope.agency_id in (None, agency.pk):
            return True
    return False


@rules.predicate
def is_applicant(user, dossier) -> bool:
    return bool(user.is_authenticated and dossier.applicant_id == user.pk)


@rules.predicate
def is_staff_of_dossier(user, dossier) -> bool:
    return _holds(user, STAFF_ROLES, dossier) or (
        dossier.current_agency_id is not None and _holds(user, STAFF_ROLES, dossier, agency=dossier.current_agency))


@rules.predicate
def is_reception_officer(user, dossier) -> bool:
    return _holds(user, Role.RECEPTION_OFFICER, dossier, agency=None)


@rules.predicate
def holds_current_step(user, dossier) -> bool:
    """The user has the current step's role in the step's agency, and either nobody has taken
    the step yet or they are the one who took it (a department head may always act)."""
    if not dossier.current_role:
        return False
    if not _holds(user, dossier.current_role, dossier, agency=dossier.current_agency):
        return False
    return dossier.current_holder_id in (None, user.pk) or dossier.current_role != Role.SPECIALIST


@rules.predicate
def can_assign(user, dossier) -> bool:
    return _holds(user, [Role.DEPARTMENT_HEAD, Role.UNIT_LEADER], dossier, agency=dossier.current_agency)


@rules.predicate
def can_decide(user, dossier) -> bool:
    return _holds(user, [Role.UNIT_LEADER, Role.DEPARTMENT_HEAD], dossier, agency=dossier.current_agency) or \
        _holds(user, Role.UNIT_LEADER, dossier)


@rules.predicate
def can_read_registers(user, unit) -> bool:
    from chinhquyenso.accounts.selectors import user_has_role

    return user_has_role(user, [Role.UNIT_LEADER, Role.AUDITOR, Role.ADMINISTRATOR, Role.REPORTER,
                                Role.DEPARTMENT_HEAD], unit)


def can_read_full_register(user, unit) -> bool:
    """The register with applicants' addresses in clear: the legal record is for leaders, auditors and
    administrators; a reporter compiles figures and gets the addresses masked (Decree 13/2023/NĐ-CP:
    personal data only to those whose task needs it)."""
    from chinhquyenso.accounts.selectors import user_has_role

    return user_has_role(user, [Role.UNIT_LEADER, Role.AUDITOR, Role.ADMINISTRATOR, Role.DEPARTMENT_HEAD], unit)


can_view_dossier = is_applicant | is_staff_of_dossier

rules.add_perm("dossiers.open_dossier", can_view_dossier)
rules.add_perm("dossiers.read_register", can_read_registers)
