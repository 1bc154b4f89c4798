"""Demo data: each app may provide ``<app>/demo.py`` with ``load(*, log)``; they run in
INSTALLED_APPS order and must be idempotent (the demo is started again and again)."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from django.apps import apps


def demo_load_all(log: Callable[[str], None]) -> None:
    for config in apps.get_app_configs():
        if not config.name.startswith("chinhquyenso."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        module.load(log=log)
