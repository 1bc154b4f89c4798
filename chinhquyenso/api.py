"""The public API (django-ninja) under /api/v1/. Errors are ``{"code", "message", "field"}``."""

from __future__ import annotations

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


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return api.create_response(request, {"code": "http_error", "message": str(exc), "field": None},
                               status=exc.status_code)


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
