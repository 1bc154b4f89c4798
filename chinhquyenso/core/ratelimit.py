"""A small fixed-window rate limiter on the Django cache, for public forms that django-axes does
not cover (self-registration, password-reset requests, anonymous submissions).

With Redis (``REDIS_URL``) the counters are shared by all web processes; with the default
in-process cache each process counts on its own, so the real limit is ``limit × processes``.
"""

from __future__ import annotations

import hashlib
import time

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


def client_ip(request) -> str:
    """The client address as django-axes sees it (``REMOTE_ADDR``: the proxy in front must set it)."""
    return request.META.get("REMOTE_ADDR") or "unknown"
