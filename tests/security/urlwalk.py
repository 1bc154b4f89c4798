"""Every URL pattern of the project (included namespaces too), with its path converters filled from
the security world, and which ``/api/v1/`` operations are public (``auth=None``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from django.urls import URLPattern, URLResolver, get_resolver

_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?:[^()]|\([^()]*\))*\)")


@dataclass(frozen=True)
class Endpoint:
    name: str  # "namespace:name", or the pattern itself when the pattern has no name
    pattern: str  # the full pattern, as Django shows it
    parts: tuple[str, ...]  # the pattern of each level, to be filled one by one
    params: tuple[str, ...]
    view: str  # module.function of the view, for messages

    @property
    def namespace(self) -> str:
        return self.name.split(":", 1)[0] if ":" in self.name else ""

    def url(self, values: dict[str, object]) -> str:
        out = []
        for part in self.parts:
            if part.startswith("^") or part.endswith("$") or "(?P<" in part:
                part = _REGEX_GROUP.sub(lambda m: str(values[m.group("name")]), part)
                part = part.lstrip("^").rstrip("$").replace("\\.", ".").replace("\\-", "-")
            else:
                part = _ROUTE_PARAM.sub(lambda m: str(values[m.group("name")]), part)
            out.append(part)
        return "/" + "".join(out)


def _params(parts) -> tuple[str, ...]:
    names: list[str] = []
    for part in parts:
        if "(?P<" in part:
            names += re.findall(r"\(\?P<(\w+)>", part)
        else:
            names += [m.group("name") for m in _ROUTE_PARAM.finditer(part)]
    return tuple(dict.fromkeys(names))


def _walk(resolver, parts: tuple[str, ...], namespace: str | None):
    for entry in resolver.url_patterns:
        here = (*parts, str(entry.pattern))
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, here, ns)
        elif isinstance(entry, URLPattern):
            callback = entry.callback
            view = f"{getattr(callback, '__module__', '?')}.{getattr(callback, '__name__', '?')}"
            full = "".join(here)
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or full)
            yield Endpoint(name=name, pattern=full, parts=here, params=_params(here), view=view)


@cache
def endpoints() -> tuple[Endpoint, ...]:
    found = list(_walk(get_resolver(), (), None))
    seen: set[str] = set()
    unique = []
    for e in found:  # a name used twice (e.g. a language-prefixed copy) is checked once
        key = f"{e.name} {e.pattern}"
        if key not in seen:
            seen.add(key)
            unique.append(e)
    return tuple(unique)


@cache
def public_api_paths() -> frozenset[str]:
    """Patterns (as in ``Endpoint.pattern``) of the API operations declared with ``auth=None``."""
    from chinhquyenso.api import api

    public = set()
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            if all(op.auth_param is None for op in path_view.operations):
                django_path = re.sub(r"{(?:\w+:)?(\w+)}", r"<\1>", path)
                public.add("api/v1" + (prefix.rstrip("/") + "/" + django_path.lstrip("/")).replace("//", "/"))
    return frozenset(public)
