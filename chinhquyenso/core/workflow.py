"""A small transition-table engine shared by the dossier and feedback workflows.

A workflow is a table of ``Transition``s: from which states an action may start, the state it leads
to, and who may take it (a ``rules`` predicate called with ``(user, obj)``, so it is unit-scoped like
every other policy). ``transition_apply`` does the write the way every service does it: it locks
the row, re-checks the state and the optimistic ``version`` the user saw (two officers acting on one
dossier: the second gets a clear ``Conflict``, not a silent overwrite), checks the policy, saves,
and writes the audit event and the domain event in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils.translation import gettext as _

from chinhquyenso.core.audit import audit_record
from chinhquyenso.core.errors import Conflict, DomainError, PermissionDenied
from chinhquyenso.core.events import event_record


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | Callable[[models.Model], str]  # a state, or a function of the locked row
    label: str
    allowed: Callable[..., bool]  # predicate(user, obj) -> bool
    requires_reason: bool = False
    style: str = "primary"  # for the UI button


@dataclass
class Workflow:
    name: str  # e.g. "dossier"; event types become "<name>.<action>"
    state_field: str = "status"
    version_field: str = "version"
    transitions: dict[str, Transition] = field(default_factory=dict)

    def add(self, action: str, *, sources: Iterable[str], target, label: str, allowed,
            requires_reason: bool = False, style: str = "primary") -> Transition:
        transition = Transition(action, frozenset(sources), target, label, allowed, requires_reason, style)
        self.transitions[action] = transition
        return transition

    def get(self, action: str) -> Transition:
        try:
            return self.transitions[action]
        except KeyError:
            raise DomainError("unknown_action", _("Thao tác không hợp lệ."), "action") from None

    def available(self, obj, user) -> list[Transition]:
        """Actions this user may take on ``obj`` now (for buttons); permission checked per action."""
        state = getattr(obj, self.state_field)
        return [t for t in self.transitions.values() if state in t.sources and t.allowed(user, obj)]


def transition_apply(
    *,
    workflow: Workflow,
    obj: models.Model,
    action: str,
    actor,
    expected_version: int | None = None,
    reason: str = "",
    changes: dict | None = None,
    unit=None,
    payload: dict | None = None,
    before_save: Callable[[models.Model], None] | None = None,
) -> models.Model:
    """Apply ``action`` to ``obj``; returns the fresh, saved row. Raises DomainError subclasses."""
    transition = workflow.get(action)
    if transition.requires_reason and not (reason or "").strip():
        raise DomainError("reason_required", _("Vui lòng nhập lý do."), "reason")
    with transaction.atomic():
        locked = type(obj).objects.select_for_update().get(pk=obj.pk)
        state = getattr(locked, workflow.state_field)
        version = getattr(locked, workflow.version_field)
        if expected_version is not None and expected_version != version:
            raise Conflict("stale_version", _("Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại trang và thử lại."))
        if state not in transition.sources:
            raise Conflict("invalid_state",
                           _("Không thể “%(action)s” ở trạng thái hiện tại.") % {"action": transition.label})
        if not transition.allowed(actor, locked):
            raise PermissionDenied()
        before = {workflow.state_field: state, workflow.version_field: version}
        target = transition.target(locked) if callable(transition.target) else transition.target
        setattr(locked, workflow.state_field, target)
        setattr(locked, workflow.version_field, version + 1)
        for name, value in (changes or {}).items():
            setattr(locked, name, value)
        if before_save is not None:
            locked._workflow_from = state  # the hook may need where the row came from
            before_save(locked)
        locked.save()
        after = {workflow.state_field: target, workflow.version_field: version + 1}
        if reason:
            after["reason"] = reason
        unit = unit if unit is not None else getattr(locked, "unit", None)
        audit_record(action=f"{workflow.name}.{action}", actor=actor, obj=locked, unit=unit, before=before,
                     after=after)
        event_record(event_type=f"{workflow.name}.{action}", aggregate=locked, unit=unit, actor=actor,
                     payload={"from": state, "to": target, "reason": reason, **(payload or {})})
    return locked
