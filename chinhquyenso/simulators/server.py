"""One HTTP server for all simulators; each is mounted under its own prefix."""

from __future__ import annotations

import html
import importlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

# prefix → "module:factory"; factory(base_url: str) returns a WSGI app. One line per simulator.
MOUNTS: dict[str, tuple[str, str]] = {
    "/sms": ("chinhquyenso.simulators.sms:create_app", "Tổng đài SMS (brandname)"),
    "/zalo": ("chinhquyenso.simulators.zalo:create_app", "Zalo ZNS"),
    "/oidc": ("chinhquyenso.simulators.oidc:create_app", "Nhà cung cấp định danh OpenID Connect (giả lập VNeID)"),
    "/vnpay": ("chinhquyenso.simulators.vnpay:create_app", "Cổng thanh toán VNPAY"),
    "/postal": ("chinhquyenso.simulators.postal:create_app", "Bưu chính công ích (thu gom, phát kết quả)"),
}


class _RequestHandler(WSGIRequestHandler):
    """Werkzeug drops request headers whose name has "_" (a spoofing guard); Zalo's OpenAPI
    authenticates with an ``access_token`` header, so the simulators keep them as Zalo does."""

    def make_environ(self):
        environ = super().make_environ()
        for key, value in self.headers.items():
            if "_" in key:
                environ.setdefault("HTTP_" + key.upper().replace("-", "_"), value.replace("\r\n", ""))
        return environ


def _load(spec: str):
    module_name, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def _index_app(mounts: dict[str, tuple[str, str]]):
    @Request.application
    def index(request: Request) -> Response:
        items = "".join(f'<li><a href="{html.escape(p)}/">{html.escape(label)}</a> <code>{html.escape(p)}</code></li>'
                        for p, (_spec, label) in mounts.items())
        body = (f"<!doctype html><html lang='vi'><meta charset='utf-8'><title>Trình giả lập</title>"
                f"<h1>Trình giả lập hệ thống bên ngoài</h1><ul>{items}</ul></html>")
        return Response(body, mimetype="text/html")

    return index


def build_app(base_url: str, mounts: dict[str, tuple[str, str]] | None = None):
    mounts = MOUNTS if mounts is None else mounts
    base_url = base_url.rstrip("/")
    apps = {}
    for prefix, (spec, _label) in mounts.items():
        try:
            factory = _load(spec)
        except (ImportError, AttributeError):
            continue  # a simulator not yet installed in this build
        apps[prefix] = factory(f"{base_url}{prefix}")
    return DispatcherMiddleware(_index_app({p: m for p, m in mounts.items() if p in apps}), apps)


def serve(host: str = "127.0.0.1", port: int = 8765) -> None:
    server = make_server(host, port, build_app(f"http://{host}:{port}"), threaded=True,
                         request_handler=_RequestHandler)
    server.serve_forever()


@contextmanager
def running(host: str = "127.0.0.1", port: int = 0, mounts=None) -> Iterator[str]:
    """Run the simulators on a background thread; yields the base URL (for tests)."""
    server = make_server(host, port, lambda e, s: app(e, s), threaded=True, request_handler=_RequestHandler)
    base = f"http://{host}:{server.server_port}"
    app = build_app(base, mounts)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()
