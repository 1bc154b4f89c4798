from __future__ import annotations

from chinhquyenso.core import context
from chinhquyenso.core.ratelimit import client_ip


class RequestContextMiddleware:
    """Remember the client IP and user agent for audit events written during this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = context.set_current(
            context.RequestContext(
                ip=client_ip(request),  # the citizen's address even behind nginx (TRUSTED_PROXY_COUNT)
                user_agent=(request.META.get("HTTP_USER_AGENT") or "")[:300],
            )
        )
        try:
            return self.get_response(request)
        finally:
            context.reset(token)


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in v for v in items) for key, items in values.lists())


class RejectNulCharactersMiddleware:
    """Answer 400 to a path or query string carrying a NUL character (``%00``).

    PostgreSQL text cannot hold NUL, so a view that filters on a raw query parameter would fail
    with a DataError (a 500) on PostgreSQL while SQLite accepts it. No legitimate link contains NUL,
    so it is refused once, here, for every view. Forms are left to their fields (Django's form
    fields refuse NUL with a message beside the field)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or _has_nul(request.GET):
            return _nul_refused(request)
        return self.get_response(request)


def _nul_refused(request):
    from django.http import JsonResponse
    from django.urls import get_resolver

    message = "Dữ liệu gửi lên chứa ký tự không hợp lệ (NUL)."
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "nul_character", "message": message, "field": None}, status=400)
    return get_resolver().resolve_error_handler(400)(request, exception=None)
