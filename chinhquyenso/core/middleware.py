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
