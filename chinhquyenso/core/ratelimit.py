"""A small fixed-window rate limiter on the Django cache, for public forms that django-axes does
not cover (self-registration, password-reset requests, anonymous submissions).

With Redis (``REDIS_URL``) the counters are shared by all web processes; with the default
in-process cache each process counts on its own, so the real limit is ``limit × processes``.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time

from django.conf import settings
from django.core.cache import cache


def rate_limit_hit(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one request for (scope, key) in the current window. True while within ``limit``."""
    if limit <= 0:
        return True  # limiting switched off
    window = int(time.time() // window_seconds)
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]  # keys may be IPs or e-mails: not in clear
    cache_key = f"ratelimit:{scope}:{digest}:{window}"
    cache.add(cache_key, 0, timeout=window_seconds + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=window_seconds + 5)
        count = 1
    return count <= limit


def client_ip(request) -> str | None:
    """The client's address, as the login throttling (``AXES_CLIENT_IP_CALLABLE``) also sees it.

    Behind ``TRUSTED_PROXY_COUNT`` reverse proxies (nginx, a load balancer) ``REMOTE_ADDR`` is the
    proxy's own address, shared by every citizen; the client is then the entry the outermost
    trusted proxy appended to ``X-Forwarded-For`` — counted from the right, because entries further
    left were written by the client and can be forged.
    """
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR") or None  # None, not a made-up value: axes stores an IP column
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote  # not through the expected proxies (a direct or misconfigured request)
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:  # a proxy that passes the header on without appending: not an address
        return remote
