"""Who may do what with invoices, payments and statements. Always scoped by the invoice's unit.

- An invoice is seen by its payer and by staff of its unit (or of an ancestor unit).
- Desk payments (cash, POS), refunds and statement matching are for reception officers, unit
  leaders and administrators of the unit. The reconciliation is also open to auditors and reporters.
"""

from __future__ import annotations

import rules

from chinhquyenso.accounts.policies import has_role_in_unit_of
from chinhquyenso.accounts.roles import STAFF_ROLES, Role

DESK_ROLES = frozenset({Role.RECEPTION_OFFICER, Role.UNIT_LEADER, Role.ADMINISTRATOR})
REFUND_ROLES = DESK_ROLES
STATEMENT_ROLES = DESK_ROLES
RECONCILIATION_ROLES = DESK_ROLES | {Role.AUDITOR, Role.REPORTER, Role.DEPARTMENT_HEAD}


@rules.predicate
def is_payer(user, invoice) -> bool:
    return bool(invoice is not None and user.is_authenticated and invoice.payer_id == user.pk)


is_staff_of_unit = has_role_in_unit_of(*STAFF_ROLES)
can_view_invoice = is_payer | is_staff_of_unit
can_pay_online = can_view_invoice
can_take_desk_payment = has_role_in_unit_of(*DESK_ROLES)
can_refund = has_role_in_unit_of(*REFUND_ROLES)
can_cancel_invoice = has_role_in_unit_of(*DESK_ROLES)
# Statement work is on a BankAccount (its ``unit`` is the agency's unit).
can_manage_statements = has_role_in_unit_of(*STATEMENT_ROLES)

rules.add_perm("payments.view_invoice", can_view_invoice)
rules.add_perm("payments.pay_invoice", can_pay_online)
rules.add_perm("payments.take_desk_payment", can_take_desk_payment)
rules.add_perm("payments.refund_invoice", can_refund)
rules.add_perm("payments.cancel_invoice", can_cancel_invoice)
rules.add_perm("payments.manage_statements", can_manage_statements)
