"""Who may see and manage shipments: the citizen concerned, and staff of the shipment's unit."""

from __future__ import annotations

import rules

from chinhquyenso.accounts.policies import has_role_in_unit_of
from chinhquyenso.accounts.roles import STAFF_ROLES, Role


@rules.predicate
def is_shipment_citizen(user, shipment) -> bool:
    return bool(shipment is not None and user.is_authenticated and shipment.citizen_id == user.pk)


can_view_shipment = is_shipment_citizen | has_role_in_unit_of(*STAFF_ROLES)
can_manage_shipment = has_role_in_unit_of(Role.RECEPTION_OFFICER, Role.UNIT_LEADER, Role.ADMINISTRATOR)

rules.add_perm("delivery.view_shipment", can_view_shipment)
rules.add_perm("delivery.manage_shipment", can_manage_shipment)
