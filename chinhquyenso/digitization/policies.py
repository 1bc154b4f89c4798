"""Who may digitise documents and see scan jobs (always by administrative unit), and who may touch
a document of a citizen's data warehouse."""

from __future__ import annotations

import rules

from chinhquyenso.accounts.roles import Role
from chinhquyenso.accounts.selectors import user_has_role

# The one-stop desk scans dossiers handed in on paper; clerks scan incoming official documents;
# specialists scan the papers of the files they work on.
SCAN_ROLES = frozenset({Role.RECEPTION_OFFICER, Role.CLERK, Role.SPECIALIST})


@rules.predicate
def can_scan_in_unit(user, unit) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser) or user_has_role(user, SCAN_ROLES, unit)


@rules.predicate
def can_view_scan_job(user, job) -> bool:
    return can_scan_in_unit(user, job.unit)


@rules.predicate
def owns_personal_document(user, document) -> bool:
    return bool(getattr(user, "is_authenticated", False) and document.owner_id == user.pk)


@rules.predicate
def can_delete_personal_document(user, document) -> bool:
    """Only what the citizen put there themselves: results issued by an agency and documents filed
    with a dossier stay (they are the record of what was issued and submitted)."""
    return owns_personal_document(user, document) and document.kind == "uploaded"


# Not Django's model permission names (view_scanjob …): the admin asks those without an object.
rules.add_perm("digitization.scan_in_unit", can_scan_in_unit)
rules.add_perm("digitization.see_scan_job", can_view_scan_job)
rules.add_perm("digitization.remove_warehouse_document", can_delete_personal_document)
