from __future__ import annotations

import re

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


FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# The JSON escape of NUL: an odd run of backslashes before u0000 (an even run is escaped backslashes,
# then the text "u0000").
_JSON_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or (content_type.startswith("application/")
                                                  and content_type.endswith("+json"))


def body_has_nul(request) -> bool:
    """Whether the form fields (names and values, not uploaded files' contents) or the JSON body
    of ``request`` carry a NUL character, raw or as the ``\\u0000`` escape."""
    content_type = request.content_type or ""
    if content_type in FORM_CONTENT_TYPES:
        # Django parses form bodies of POST only (a PUT or PATCH form reaches no view of ours).
        return request.method == "POST" and _has_nul(request.POST)
    if _is_json(content_type):
        body = request.body
        return b"\x00" in body or _JSON_NUL_ESCAPE.search(body) is not None
    return False


def nul_checked_by_view(view):
    """Leave the body of this view to the view itself: a signed webhook checks its signature on
    the exact bytes and records a forged body as rejected (core.text.without_nul keeps that record
    storable), which a 400 here would hide."""
    view.nul_checked_by_view = True
    return view


class RejectNulCharactersMiddleware:
    """Answer 400 to a request carrying a NUL character in its path, query string, form fields
    (urlencoded or multipart; file contents are the files' business) or JSON body.

    PostgreSQL text and jsonb cannot hold NUL, so a view that stores or filters on such a value
    fails with a DataError (a 500) on PostgreSQL while SQLite accepts it. No legitimate link, form
    or API call contains NUL, so it is refused once, here, for every page and every API operation.
    The body is checked once the view is known (``process_view``): views marked
    ``nul_checked_by_view`` read their raw body themselves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or _has_nul(request.GET):
            return _nul_refused(request)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "nul_checked_by_view", False):
            return None
        if body_has_nul(request):
            return _nul_refused(request)
        return None


def _nul_refused(request):
    from django.http import JsonResponse
    from django.urls import get_resolver

    message = "Dữ liệu gửi lên chứa ký tự không hợp lệ (NUL)."
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "nul_character", "message": message, "field": None}, status=400)
    return get_resolver().resolve_error_handler(400)(request, exception=None)
