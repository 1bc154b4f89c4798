"""The public API (django-ninja) under /api/v1/. Errors are ``{"code", "message", "field"}``."""

from __future__ import annotations

from django.http.request import RawPostDataException
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import SessionAuth

from chinhquyenso.core.errors import DomainError

api = NinjaAPI(
    title="Chính quyền số API",
    version="1.0.0",
    description="API công khai của nền tảng Chính quyền số. Lỗi trả về dạng {code, message, field}.",
    urls_namespace="api",
    auth=SessionAuth(),
)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in first.get("loc", []) if p not in ("body", "query", "path", "payload")]
    return api.create_response(
        request,
        {"code": "invalid_input", "message": "Dữ liệu gửi lên không hợp lệ.", "field": ".".join(loc) or None,
         "errors": exc.errors},
        status=422,
    )


@api.exception_handler(AuthenticationError)
def auth_error(request, exc):
    return api.create_response(
        request, {"code": "not_authenticated", "message": "Bạn cần đăng nhập.", "field": None}, status=401
    )


# django-ninja raises HttpError with English texts of its own; callers get a specific code and a
# Vietnamese message instead (the status is kept). Matched by prefix: with DEBUG ninja appends details.
NINJA_HTTP_ERRORS = (
    ("Cannot parse request body", "invalid_body", "Nội dung gửi lên không đọc được (không phải JSON hợp lệ)."),
    ("CSRF check Failed", "csrf_failed",
     "Thiếu hoặc sai mã chống giả mạo yêu cầu (CSRF); hãy tải lại trang rồi thử lại."),
)
HTTP_STATUS_ERRORS = {
    400: ("bad_request", "Yêu cầu không hợp lệ."),
    401: ("not_authenticated", "Bạn cần đăng nhập."),
    403: ("forbidden", "Bạn không có quyền thực hiện thao tác này."),
    404: ("not_found", "Không tìm thấy dữ liệu."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ."),
    429: ("too_many_requests", "Bạn gửi quá nhiều yêu cầu; hãy thử lại sau ít phút."),
}


def http_error_body(exc: HttpError) -> dict:
    text = str(exc)
    for prefix, code, message in NINJA_HTTP_ERRORS:
        if text.startswith(prefix):
            return {"code": code, "message": message, "field": None}
    code, message = HTTP_STATUS_ERRORS.get(exc.status_code, ("http_error", "Yêu cầu không xử lý được."))
    return {"code": code, "message": message, "field": None}


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return api.create_response(request, http_error_body(exc), status=exc.status_code)


@api.exception_handler(RawPostDataException)
def raw_body_unreadable(request, exc: RawPostDataException):
    # A multipart body sent to an operation that reads JSON: the form parser has consumed it already.
    return api.create_response(request, {"code": "invalid_body", "message": NINJA_HTTP_ERRORS[0][2], "field": None},
                               status=400)


def register_routers() -> None:
    from chinhquyenso.accounts.api import router as accounts_router
    from chinhquyenso.calendar.api import router as calendar_router
    from chinhquyenso.catalog.api import router as catalog_router
    from chinhquyenso.delivery.api import router as delivery_router
    from chinhquyenso.dossiers.api import router as dossiers_router
    from chinhquyenso.eforms.api import router as eforms_router
    from chinhquyenso.feedback.api import router as feedback_router
    from chinhquyenso.payments.api import router as payments_router
    from chinhquyenso.units.api import router as units_router

    api.add_router("/units/", units_router)
    api.add_router("/accounts/", accounts_router)
    api.add_router("/calendar/", calendar_router)
    api.add_router("/payments/", payments_router)
    api.add_router("/delivery/", delivery_router)
    api.add_router("/catalog/", catalog_router)
    api.add_router("/eforms/", eforms_router)
    api.add_router("/feedback/", feedback_router)
    api.add_router("/dossiers/", dossiers_router)


register_routers()
