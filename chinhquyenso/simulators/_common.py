"""Small helpers shared by the simulators: settings lookup, JSON responses, callbacks with retries."""

from __future__ import annotations

import html
import json
import logging
import os
import threading
import time
from collections.abc import Callable

import requests
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.wrappers import Request, Response

log = logging.getLogger("chinhquyenso.simulators")


def setting(name: str, default: str = "") -> str:
    """Django setting when Django is configured (the ``simulators`` command), else environment."""
    try:
        from django.conf import settings

        if settings.configured:
            return str(getattr(settings, name, os.environ.get(name, default)))
    except ImportError:  # pragma: no cover - Django is always installed here
        pass
    return os.environ.get(name, default)


def dlr_delay(explicit: float | None) -> float:
    if explicit is not None:
        return explicit
    return float(os.environ.get("SIMULATOR_DLR_DELAY", "1.0"))


def json_response(data, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status=status, mimetype="application/json")


def html_page(title: str, body: str) -> Response:
    page = (
        "<!doctype html><html lang='vi'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:1.5rem;color:#212529}"
        "table{border-collapse:collapse;width:100%}th,td{border:1px solid #ced4da;padding:.4rem;text-align:left;"
        "vertical-align:top}th{background:#f1f3f5}code{font-size:.9em}.ok{color:#146c43}.err{color:#b02a37}</style>"
        f"</head><body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>"
    )
    return Response(page, mimetype="text/html")


def post_with_retries(url: str, body: bytes, headers_for: Callable[[bytes], dict], *, record: dict,
                      delay: float, attempts: int = 4) -> None:
    """POST ``body`` to ``url`` on a background thread, retrying with backoff like a carrier does.

    ``headers_for`` is called before every attempt (a fresh timestamp and signature each time).
    The outcome is written into ``record["callback"]`` for the simulator's page.
    """

    def run():
        if delay:
            time.sleep(delay)
        wait = 0.5
        for attempt in range(1, attempts + 1):
            try:
                response = requests.post(url, data=body, headers={"Content-Type": "application/json",
                                                                   **headers_for(body)}, timeout=10)
                record["callback"] = {"attempts": attempt, "status": response.status_code}
                if response.status_code < 500:
                    return  # 2xx done; 4xx means the receiver refused it: retrying will not help
            except requests.RequestException as exc:
                record["callback"] = {"attempts": attempt, "status": f"lỗi kết nối: {type(exc).__name__}"}
            time.sleep(wait)
            wait *= 2
        log.warning("callback to %s gave up after %s attempts", url, attempts)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    record["_thread"] = thread


class RoutedApp:
    """Base of the simulators: a WSGI app whose ``url_map`` endpoints are ``on_<endpoint>`` methods.

    A simulator overrides ``not_found`` to answer an unknown path in its own protocol's format."""

    url_map = None

    def not_found(self, request: Request) -> Response | None:
        return None

    def __call__(self, environ, start_response):
        request = Request(environ)
        try:
            endpoint, values = self.url_map.bind_to_environ(environ).match()
            response = getattr(self, f"on_{endpoint}")(request, **values)
        except NotFound as exc:
            response = self.not_found(request) or exc
        except HTTPException as exc:
            response = exc
        return response(environ, start_response)
