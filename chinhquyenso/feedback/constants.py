"""States, channels and names of the feedback app (one place, no magic strings)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Stored-file purposes (core.files policies registered in apps.py).
PHOTO_PURPOSE = "feedback_photo"
PHOTO_DERIVED_PURPOSE = "feedback_photo_derived"
MAX_PHOTOS = 5


class Status(models.TextChoices):
    NEW = "new", _("Chờ tiếp nhận, kiểm duyệt")
    ASSIGNED = "assigned", _("Đã chuyển cơ quan xử lý")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    WAITING_CITIZEN = "waiting_citizen", _("Chờ người phản ánh bổ sung")
    ANSWERED = "answered", _("Đã trả lời")
    CLOSED = "closed", _("Đã kết thúc")
    REJECTED = "rejected", _("Không tiếp nhận")
    MERGED = "merged", _("Đã gộp vào phản ánh khác")


# Open311 has two states only: a report is "closed" once it has been answered (or ended).
CLOSED_STATUSES = frozenset({Status.ANSWERED, Status.CLOSED, Status.REJECTED, Status.MERGED})
# The legal clock runs in these states (WAITING_CITIZEN stops it: the citizen holds the ball).
CLOCK_STATUSES = frozenset({Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS})
# Work an agency still has to do.
AGENCY_OPEN_STATUSES = (Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING_CITIZEN)


class PublicStatus(models.TextChoices):
    OPEN = "open", _("Đang xử lý")
    CLOSED = "closed", _("Đã xử lý xong")


class Channel(models.TextChoices):
    WEB = "web", _("Cổng thông tin")
    OPEN311 = "open311", _("Ứng dụng kết nối (Open311)")
    DESK = "desk", _("Tại bộ phận tiếp nhận")


class LocationSource(models.TextChoices):
    MAP = "map", _("Chọn trên bản đồ")
    GPS = "gps", _("Vị trí của điện thoại")
    TYPED = "typed", _("Nhập địa chỉ")
    API = "api", _("Do ứng dụng gửi")


class Rating(models.IntegerChoices):
    # The three levels the national portal's satisfaction survey uses.
    VERY_SATISFIED = 3, _("Rất hài lòng")
    SATISFIED = 2, _("Hài lòng")
    UNSATISFIED = 1, _("Không hài lòng")


SATISFIED_RATINGS = (Rating.VERY_SATISFIED, Rating.SATISFIED)


class PhotoKind(models.TextChoices):
    REPORT = "report", _("Ảnh phản ánh")
    INFO = "info", _("Ảnh bổ sung")
    ANSWER = "answer", _("Ảnh kết quả xử lý")


class UpdateKind(models.TextChoices):
    NOTE = "note", _("Ghi chú nội bộ")
    INFO_REQUEST = "info_request", _("Đề nghị bổ sung thông tin")
    CITIZEN_INFO = "citizen_info", _("Thông tin bổ sung của người phản ánh")
    TRANSFER = "transfer", _("Chuyển trả điều phối")
    ANSWER = "answer", _("Trả lời")
    REJECT = "reject", _("Lý do không tiếp nhận")
    REOPEN = "reopen", _("Đề nghị xử lý lại")
    EXTEND = "extend", _("Gia hạn")
    ESCALATE = "escalate", _("Nhắc việc quá hạn")


class Open311Type(models.TextChoices):
    REALTIME = "realtime", "realtime"
    BATCH = "batch", "batch"
    BLACKBOX = "blackbox", "blackbox"


ATTRIBUTE_DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
