"""The feedback transition table (one table, the shared ``core.workflow`` engine)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from chinhquyenso.core.workflow import Workflow
from chinhquyenso.feedback.constants import Status
from chinhquyenso.feedback.policies import can_reopen, is_coordinator, is_handler, is_reporter, is_system


def _stay(row) -> str:
    """Actions that change the clock or the rating, not the state."""
    return row.status


S = Status
feedback_workflow = Workflow(name="feedback")
add = feedback_workflow.add

add("route", sources={S.NEW}, target=S.ASSIGNED, label=_("Chuyển cơ quan xử lý"), allowed=is_coordinator)
add("reject", sources={S.NEW}, target=S.REJECTED, label=_("Không tiếp nhận"), allowed=is_coordinator,
    requires_reason=True, style="danger")
add("merge", sources={S.NEW, S.ASSIGNED}, target=S.MERGED, label=_("Gộp vào phản ánh trùng"),
    allowed=is_coordinator, style="secondary")
add("reroute", sources={S.ASSIGNED, S.IN_PROGRESS}, target=S.ASSIGNED, label=_("Chuyển lại cơ quan khác"),
    allowed=is_coordinator, requires_reason=True, style="secondary")
add("accept", sources={S.ASSIGNED}, target=S.IN_PROGRESS, label=_("Nhận xử lý"), allowed=is_handler)
add("request_info", sources={S.ASSIGNED, S.IN_PROGRESS}, target=S.WAITING_CITIZEN,
    label=_("Đề nghị người phản ánh bổ sung"), allowed=is_handler, requires_reason=True, style="secondary")
add("provide_info", sources={S.WAITING_CITIZEN}, target=S.IN_PROGRESS, label=_("Gửi thông tin bổ sung"),
    allowed=is_reporter)
add("transfer", sources={S.ASSIGNED, S.IN_PROGRESS}, target=S.NEW, label=_("Chuyển trả điều phối"),
    allowed=is_handler, requires_reason=True, style="secondary")
add("extend", sources={S.ASSIGNED, S.IN_PROGRESS}, target=_stay, label=_("Gia hạn"),
    allowed=is_handler | is_coordinator, requires_reason=True, style="secondary")
add("answer", sources={S.IN_PROGRESS}, target=S.ANSWERED, label=_("Trả lời"), allowed=is_handler)
add("close", sources={S.ANSWERED}, target=S.CLOSED, label=_("Kết thúc"),
    allowed=is_handler | is_coordinator | is_reporter, style="secondary")
add("rate", sources={S.ANSWERED, S.CLOSED}, target=_stay, label=_("Đánh giá"), allowed=is_reporter)
add("reopen", sources={S.ANSWERED, S.CLOSED}, target=S.IN_PROGRESS, label=_("Đề nghị xử lý lại"),
    allowed=is_reporter & can_reopen, requires_reason=True, style="warning")
add("escalate", sources={S.NEW, S.ASSIGNED, S.IN_PROGRESS}, target=_stay, label=_("Nhắc việc quá hạn"),
    allowed=is_system)
add("publish", sources={S.ASSIGNED, S.IN_PROGRESS, S.WAITING_CITIZEN, S.ANSWERED, S.CLOSED}, target=_stay,
    label=_("Công khai"), allowed=is_coordinator, style="secondary")
