"""The single transition table of the dossier: which action, from which status, to which, by whom.

Services in ``services.py`` apply these through ``core.workflow.transition_apply`` (row lock,
optimistic version, policy, audit and domain event in one transaction).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from chinhquyenso.core.workflow import Workflow
from chinhquyenso.dossiers import policies
from chinhquyenso.dossiers.models import Status

S = Status
dossier_flow = Workflow(name="dossier")


def _resume_target(dossier) -> str:
    return dossier.paused_from or S.SUBMITTED


def _after_forward(dossier) -> str:
    """Forwarding moves to the next step; reaching an approval step means "waiting for the leader"."""
    from chinhquyenso.dossiers.process import next_step

    step = next_step(dossier)
    return S.PENDING_APPROVAL if step is not None and step.kind == "approval" else S.IN_PROGRESS


dossier_flow.add("receive", sources=[S.SUBMITTED], target=S.IN_PROGRESS, label=_("Tiếp nhận"),
                 allowed=policies.is_reception_officer)
dossier_flow.add("refuse", sources=[S.SUBMITTED], target=S.REFUSED, label=_("Từ chối tiếp nhận"),
                 allowed=policies.is_reception_officer, requires_reason=True, style="danger")
dossier_flow.add("request_supplement", sources=[S.SUBMITTED, S.IN_PROGRESS], target=S.SUPPLEMENT_REQUESTED,
                 label=_("Yêu cầu bổ sung"), requires_reason=True, style="warning",
                 allowed=lambda user, d: (policies.is_reception_officer(user, d) if d.status == S.SUBMITTED
                                          else policies.holds_current_step(user, d)))
dossier_flow.add("supplement", sources=[S.SUPPLEMENT_REQUESTED], target=_resume_target,
                 label=_("Nộp bổ sung"),
                 allowed=lambda user, d: policies.is_applicant(user, d) or policies.is_reception_officer(user, d))
dossier_flow.add("forward", sources=[S.IN_PROGRESS], target=_after_forward, label=_("Chuyển bước tiếp theo"),
                 allowed=policies.holds_current_step)
dossier_flow.add("return_for_rework", sources=[S.IN_PROGRESS, S.PENDING_APPROVAL], target=S.IN_PROGRESS,
                 label=_("Trả lại để xử lý lại"), requires_reason=True, style="warning",
                 allowed=lambda user, d: policies.holds_current_step(user, d) and (d.current_step or 0) > 1)
dossier_flow.add("approve", sources=[S.PENDING_APPROVAL], target=S.APPROVED, label=_("Phê duyệt, ban hành kết quả"),
                 allowed=lambda user, d: policies.holds_current_step(user, d), style="success")
dossier_flow.add("reject", sources=[S.IN_PROGRESS, S.PENDING_APPROVAL], target=S.REJECTED,
                 label=_("Từ chối giải quyết"), requires_reason=True, style="danger", allowed=policies.can_decide)
dossier_flow.add("return_result", sources=[S.APPROVED], target=S.RETURNED, label=_("Trả kết quả"),
                 allowed=policies.is_reception_officer, style="success")
dossier_flow.add("withdraw", sources=[S.SUBMITTED, S.SUPPLEMENT_REQUESTED, S.IN_PROGRESS, S.PENDING_APPROVAL],
                 target=S.WITHDRAWN, label=_("Rút hồ sơ"), requires_reason=True, style="secondary",
                 allowed=lambda user, d: policies.is_applicant(user, d) or policies.is_reception_officer(user, d))

# The postal service's delivery receipt closes the dossier: a system action, no user may take it.
dossier_flow.add("deliver_by_post", sources=[S.APPROVED], target=S.RETURNED, label=_("Bưu điện đã phát kết quả"),
                 allowed=lambda user, d: user is None and d.result_delivery == "post")

# Actions a citizen (not an officer) takes; the staff page hides them.
CITIZEN_ACTIONS = frozenset({"supplement", "withdraw"})
