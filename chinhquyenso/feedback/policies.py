"""Who may do what with feedback. Always scoped: by the report's unit (coordinators, leaders) or by
the report's agency (handling staff).

* **Coordinator** (điều phối): a reception officer (``reception_officer``, the one-stop desk that
  already receives citizens) or a unit leader, of the report's commune or of the district above
  it. The commune's coordinator sees its commune; the district's sees every commune and the
  reports routed to the district itself (points outside every commune fall back there).
* **Handler** (cơ quan xử lý): staff whose ``RoleAssignment.agency`` is the report's agency.
* **Leader**: unit leader (or reporter, for the statistics) of the unit or an ancestor.
* **Reporter**: the citizen who sent it.
"""

from __future__ import annotations

import rules

from chinhquyenso.accounts.policies import has_role_in_unit_of
from chinhquyenso.accounts.roles import Role
from chinhquyenso.accounts.selectors import role_scopes

COORDINATOR_ROLES = (Role.RECEPTION_OFFICER, Role.UNIT_LEADER)
HANDLER_ROLES = (Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.RECEPTION_OFFICER, Role.UNIT_LEADER)
STATISTICS_ROLES = (Role.UNIT_LEADER, Role.REPORTER, Role.ADMINISTRATOR, Role.AUDITOR)

is_coordinator = has_role_in_unit_of(*COORDINATOR_ROLES)
can_view_statistics_of = has_role_in_unit_of(*STATISTICS_ROLES)


def handler_agency_ids(user) -> set[int]:
    """Agencies the user works for with a handling role (from the request-cached role scopes)."""
    return {s.agency_id for s in role_scopes(user) if s.agency_id and s.role in HANDLER_ROLES}


@rules.predicate
def is_handler(user, feedback) -> bool:
    if feedback is None or not getattr(feedback, "agency_id", None):
        return False
    return feedback.agency_id in handler_agency_ids(user)


@rules.predicate
def is_reporter(user, feedback) -> bool:
    return bool(getattr(user, "is_authenticated", False) and feedback is not None
                and feedback.reporter_id == user.pk)


@rules.predicate
def can_reopen(user, feedback) -> bool:
    return feedback is not None and feedback.reopen_count < 1


@rules.predicate
def is_system(user, feedback=None) -> bool:
    """Scheduled work (escalation) runs without a user."""
    return user is None


is_staff_on = is_coordinator | is_handler | can_view_statistics_of

rules.add_perm("feedback.coordinate", is_coordinator)
rules.add_perm("feedback.handle", is_handler)
rules.add_perm("feedback.view_staff", is_staff_on)
