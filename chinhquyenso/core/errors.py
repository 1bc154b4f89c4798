"""Domain errors: a machine-readable code plus a Vietnamese message for people.

Services raise ``DomainError``; the API turns it into ``{"code", "message", "field"}`` with a 4xx
status and the web shows the message beside the field. A 500 is always a bug.
"""

from __future__ import annotations


class DomainError(Exception):
    status = 400

    def __init__(self, code: str, message_vi: str, field: str | None = None, *, status: int | None = None):
        super().__init__(message_vi)
        self.code = code
        self.message = message_vi
        self.field = field
        if status is not None:
            self.status = status

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "field": self.field}


class NotFound(DomainError):
    """Missing *or* forbidden: gatekeeper reads answer the same way so ids reveal nothing."""

    status = 404

    def __init__(self, code: str = "not_found", message_vi: str = "Không tìm thấy dữ liệu.", field=None):
        super().__init__(code, message_vi, field)


class PermissionDenied(DomainError):
    status = 403

    def __init__(self, code: str = "forbidden", message_vi: str = "Bạn không có quyền thực hiện thao tác này.",
                 field=None):
        super().__init__(code, message_vi, field)


class Conflict(DomainError):
    """The object changed under us (another officer acted first, a callback arrived twice)."""

    status = 409
