"""Who may change the catalogue.

The catalogue is configuration of a province or a district: its administrators (role
``administrator`` in that unit or an ancestor) edit it. A commune administrator, an officer or a
citizen reads it like everyone else — the public pages and API need no login.
"""

from __future__ import annotations

import rules

from chinhquyenso.catalog.selectors import catalog_owner_units
from chinhquyenso.catalog.services import can_manage_unit_catalog


@rules.predicate
def manages_procedure(user, procedure) -> bool:
    if procedure is None:
        return False
    return can_manage_unit_catalog(user, procedure.unit)


@rules.predicate
def manages_some_catalog(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return catalog_owner_units(user).exists()


rules.add_perm("catalog.manage_procedure", manages_procedure)
rules.add_perm("catalog.manage_catalog", manages_some_catalog)
