"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2), so existing Open311 apps work unchanged.

* ``GET services.{fmt}``, ``GET services/{service_code}.{fmt}`` — categories and their attributes;
* ``POST requests.{fmt}`` — API key required, ``application/x-www-form-urlencoded``;
* ``GET requests.{fmt}`` — filters ``service_request_id`` (overrides the rest), ``service_code``,
  ``start_date``/``end_date`` (default the last 90 days; a span over 90 days is an error),
  ``status`` (open, closed); at most ``OPEN311_MAX_RESULTS`` rows, newest first; clients page
  backwards by moving ``end_date`` (the spec's own way);
* ``GET requests/{id}.{fmt}``, ``GET tokens/{token}.{fmt}``, ``GET discovery.{fmt}``.

XML is the spec's required format and JSON its Spark-convention mapping; errors are
``<errors><error><code/><description/></error></errors>`` (JSON: a list). Only moderated, public
text leaves through the API: never the raw report, the reporter or the exact address typed.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from chinhquyenso.core.errors import DomainError
from chinhquyenso.core.text import fold
from chinhquyenso.feedback import services as feedback_services
from chinhquyenso.feedback.constants import Channel, LocationSource, Open311Type, PublicStatus, Status
from chinhquyenso.feedback.models import Feedback, FeedbackCategory, FeedbackPhoto, FeedbackUpdate
from chinhquyenso.units.models import AdministrativeUnit

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
MAX_SPAN = dt.timedelta(days=90)
MAX_IDS = 100
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
# Wrapper element → element of each list item (Spark convention, as in the spec's examples).
LIST_ITEMS = {"services": "service", "service_requests": "request", "attributes": "attribute", "values": "value",
              "errors": "error", "endpoints": "endpoint", "formats": "format"}


class Open311Error(Exception):
    def __init__(self, status: int, description: str, code: int | str | None = None):
        super().__init__(description)
        self.status = status
        self.code = code if code is not None else status
        self.description = description


# --- rendering ----------------------------------------------------------------------------------

def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _append(parent: ET.Element, name: str, value) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list):
        child_name = LIST_ITEMS.get(name, "item")
        for item in value:
            _append(element, child_name, item)
    else:
        text = _text(value)
        if text:
            element.text = text


def to_xml(root: str, data) -> bytes:
    element = ET.Element(root)
    if isinstance(data, list):
        for item in data:
            _append(element, LIST_ITEMS.get(root, "item"), item)
    else:
        for key, value in data.items():
            _append(element, key, value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8", xml_declaration=False)


def respond(fmt: str, root: str, data, *, status: int = 200) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False).encode() if fmt == "json" else to_xml(root, data)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(fmt: str, exc: Open311Error) -> HttpResponse:
    return respond(fmt, "errors", [{"code": exc.code, "description": exc.description}], status=exc.status)


def w3c(value: dt.datetime | None, tz=None) -> str | None:
    """ISO 8601 (W3C profile) with the offset, in Vietnamese time: 2026-11-26T08:15:30+07:00."""
    if not value:
        return None
    return value.astimezone(tz or timezone.get_current_timezone()).isoformat(timespec="seconds")


def _due_moment(day: dt.date | None, tz=None) -> dt.datetime | None:
    if day is None:
        return None
    end = dt.time.fromisoformat(settings.OFFICE_HOURS_END)
    return dt.datetime.combine(day, end, tzinfo=tz or timezone.get_current_timezone())


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# --- guards -------------------------------------------------------------------------------------

def _param(request, name: str) -> str:
    source = request.POST if request.method == "POST" else request.GET
    return (source.get(name) or "").strip()


def _check_jurisdiction(request) -> None:
    given = _param(request, "jurisdiction_id")
    ours = settings.OPEN311_JURISDICTION_ID
    if given and ours and given != ours:
        raise Open311Error(404, f"jurisdiction_id '{given}' not found")


def _rate_limit(identity: str, per_minute: int) -> None:
    """Fixed one-minute window in the shared cache (Redis in production): cheap and atomic."""
    window = int(timezone.now().timestamp() // 60)
    key = f"open311:rl:{identity}:{window}"
    if cache.add(key, 1, timeout=70):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=70)
            count = 1
    if count > per_minute:
        raise Open311Error(429, "rate limit exceeded: too many requests for this key, retry in a minute")


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _guard_read(request) -> None:
    _check_jurisdiction(request)
    raw_key = _param(request, "api_key")
    key = feedback_services.open311_key_check(raw_key) if raw_key else None
    if key is not None:
        _rate_limit(f"key{key.pk}", key.rate_limit_per_minute or settings.OPEN311_RATE_LIMIT_PER_MINUTE)
    else:  # anonymous reads are allowed by the spec; they share a more generous per-IP budget
        _rate_limit(f"ip{_client_ip(request)}", settings.OPEN311_RATE_LIMIT_PER_MINUTE * 5)


def _endpoint(view):
    """Turn Open311Error/DomainError into the spec's error documents; never a 500 for bad input."""

    def wrapper(request, fmt, **kwargs):
        try:
            return view(request, fmt, **kwargs)
        except Open311Error as exc:
            return error_response(fmt, exc)
        except DomainError as exc:
            status = 404 if exc.status == 404 else (403 if exc.status == 403 else 400)
            where = f" ({exc.field})" if exc.field else ""
            return error_response(fmt, Open311Error(status, f"{exc.code}{where}: {exc.message}"))

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


# --- services --------------------------------------------------------------------------------------

def _service(category: FeedbackCategory) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": category.has_metadata,
        "type": category.open311_type,
        "keywords": category.keywords,
        "group": category.group,
    }


@require_GET
@_endpoint
def services_list(request, fmt):
    _guard_read(request)
    categories = FeedbackCategory.objects.filter(is_active=True).order_by("order", "name")
    return respond(fmt, "services", [_service(c) for c in categories])


def _category_or_error(code: str) -> FeedbackCategory:
    if not code:
        raise Open311Error(400, "service_code was not provided")
    category = FeedbackCategory.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise Open311Error(404, f"service_code '{code}' not found")
    return category


def _attribute(item: dict, position: int) -> dict:
    return {
        "variable": bool(item.get("variable", True)),
        "code": item["code"],
        "datatype": item.get("datatype", "string"),
        "required": bool(item.get("required", False)),
        "datatype_description": item.get("datatype_description") or None,
        "order": int(item.get("order") or position),
        "description": item.get("description", ""),
        "values": [{"key": str(v["key"]), "name": v.get("name", str(v["key"]))} for v in item.get("values") or []],
    }


@require_GET
@_endpoint
def service_definition(request, fmt, service_code):
    _guard_read(request)
    category = _category_or_error(service_code)
    attributes = [_attribute(a, i) for i, a in enumerate(category.attributes or [], start=1)]
    attributes.sort(key=lambda a: a["order"])
    return respond(fmt, "service_definition", {"service_code": category.code, "attributes": attributes})


# --- requests: create ------------------------------------------------------------------------------

def _attributes_from(post) -> dict:
    """``attribute[code]=v`` and ``attribute[code][]=v`` (lists) from the form body."""
    result: dict[str, object] = {}
    for key in post:
        if not key.startswith("attribute[") or "]" not in key:
            continue
        code = key[len("attribute["):key.index("]")]
        if key.endswith("[]"):
            result[code] = post.getlist(key)
        else:
            result[code] = post.get(key)
    return result


def _unit_from_address(address_string: str, address_id: str) -> AdministrativeUnit | None:
    """``address_id`` may be our unit (GSO) code; otherwise find a commune named in the address."""
    if address_id:
        unit = AdministrativeUnit.objects.filter(code=address_id, is_active=True).first()
        if unit is not None:
            return unit
    folded = fold(address_string)
    if not folded:
        return None
    communes = AdministrativeUnit.objects.filter(level="commune", is_active=True).values_list("id", "name")
    matches = [(len(name), uid) for uid, name in communes if fold(name) and fold(name) in folded]
    if matches:
        return AdministrativeUnit.objects.get(pk=max(matches)[1])
    return None


def _create(request, fmt):
    _check_jurisdiction(request)
    raw_key = _param(request, "api_key")
    if not raw_key:
        raise Open311Error(403, "api_key was not provided")
    key = feedback_services.open311_key_check(raw_key)
    if key is None:
        raise Open311Error(403, "invalid api_key received -- can't proceed with create_request")
    _rate_limit(f"key{key.pk}", key.rate_limit_per_minute or settings.OPEN311_RATE_LIMIT_PER_MINUTE)
    category = _category_or_error(_param(request, "service_code"))
    lat, lon = _param(request, "lat"), _param(request, "long")
    address_string, address_id = _param(request, "address_string"), _param(request, "address_id")
    if not ((lat and lon) or address_string or address_id):
        raise Open311Error(400, "location was not provided: lat and long, address_string or address_id is required")
    description = _param(request, "description")
    if len(description) > 4000:
        raise Open311Error(400, "description is longer than 4000 characters")
    unit = None if (lat and lon) else (_unit_from_address(address_string, address_id) or None)
    if unit is None and not (lat and lon):
        from chinhquyenso.feedback.routing import fallback_unit

        unit = fallback_unit()
    name = " ".join(p for p in (_param(request, "first_name"), _param(request, "last_name")) if p)
    title = (description.splitlines()[0][:80] if description else category.name) or category.name
    feedback = feedback_services.feedback_submit(
        reporter=None, category=category, title=title, description=description or category.name,
        latitude=lat or None, longitude=lon or None, unit=unit, address_text=address_string,
        location_source=LocationSource.API, anonymous_public=True, attributes=_attributes_from(request.POST),
        channel=Channel.OPEN311, contact_name=name, contact_phone=_param(request, "phone"),
        contact_email=_param(request, "email"), api_key=key, device_id=_param(request, "device_id"),
        account_id=_param(request, "account_id"),
    )
    media_url = _param(request, "media_url")
    if media_url:
        # Never fetched by the server (no outbound calls, no SSRF); staff open it themselves.
        FeedbackUpdate.objects.create(feedback=feedback, kind="note", text=f"media_url: {media_url[:1000]}",
                                      visible_to_reporter=False)
    row = {"service_notice": category.service_notice or None, "account_id": feedback.account_id or None}
    if category.open311_type == Open311Type.BATCH:
        row = {"token": str(feedback.token), **row}
    else:
        row = {"service_request_id": feedback.code, **row}
    return respond(fmt, "service_requests", [row])


# --- requests: read ------------------------------------------------------------------------------------

_REQUEST_COLUMNS = ("id", "code", "status", "public_status", "is_published", "public_title", "public_description",
                    "answer_public", "latitude", "longitude", "village", "submitted_at", "updated_at",
                    "answered_at", "closed_at", "due_date", "category__code", "category__name",
                    "category__service_notice", "agency__name", "unit__full_name")


def _request_out(row: dict, media: dict[int, int], ctx: dict) -> dict:
    published = row["is_published"]
    closed = row["public_status"] == PublicStatus.CLOSED
    updated = (row["closed_at"] or row["answered_at"] or row["updated_at"]) if closed else row["updated_at"]
    photo_id = media.get(row["id"])
    address = ", ".join(p for p in (row["village"], row["unit__full_name"]) if p) if published else None
    return {
        "service_request_id": row["code"],
        "status": row["public_status"],
        "status_notes": ((row["answer_public"][:2000] or ctx["labels"][row["status"]]) if published
                         else "Đang chờ kiểm duyệt, chưa công khai"),
        "service_name": row["category__name"],
        "service_code": row["category__code"],
        "description": row["public_description"] if published else None,
        "agency_responsible": row["agency__name"],
        "service_notice": row["category__service_notice"] or None,
        "requested_datetime": w3c(row["submitted_at"], ctx["tz"]),
        "updated_datetime": w3c(updated, ctx["tz"]),
        "expected_datetime": w3c(_due_moment(row["due_date"], ctx["tz"]), ctx["tz"]) if not closed else None,
        "address": address,
        "address_id": None,
        "zipcode": None,
        "lat": row["latitude"] if published else None,
        "long": row["longitude"] if published else None,
        "media_url": ctx["photo_url"].replace(str(_PHOTO_SLOT), str(photo_id)) if photo_id else None,
    }


_PHOTO_SLOT = 987654321987  # placeholder id in the reversed photo URL, replaced per row


def _media_for(ids: Iterable[int]) -> dict[int, int]:
    media: dict[int, int] = {}
    rows = (FeedbackPhoto.objects.filter(feedback_id__in=list(ids), public__isnull=False, hidden=False)
            .order_by("id").values_list("feedback_id", "id"))
    for feedback_id, photo_id in rows:
        media.setdefault(feedback_id, photo_id)
    return media


def _rows_out(rows: list[dict]) -> list[dict]:
    media = _media_for(r["id"] for r in rows if r["is_published"])
    # Resolved once per response, not per row (time zone, translated labels, URL pattern).
    ctx = {"tz": timezone.get_current_timezone(), "labels": {value: str(label) for value, label in Status.choices},
           "photo_url": _absolute(reverse("feedback:photo", args=[_PHOTO_SLOT, "public"]))}
    return [_request_out(r, media, ctx) for r in rows]


def _parse_when(name: str, value: str) -> dt.datetime | None:
    if not value:
        return None
    parsed = parse_datetime(value.replace(" ", "+")) if "T" in value else None  # '+' arrives as ' ' unencoded
    if parsed is None:
        raise Open311Error(400, f"{name} must be a W3C datetime with a time zone, e.g. 2026-01-01T00:00:00Z")
    if timezone.is_naive(parsed):
        raise Open311Error(400, f"{name} must include a time zone (Z or +07:00)")
    return parsed


def open311_request_rows(*, ids: list[str] | None = None, service_codes: list[str] | None = None,
                         start: dt.datetime | None = None, end: dt.datetime | None = None,
                         statuses: list[str] | None = None, limit: int | None = None) -> list[dict]:
    """The rows of GET requests (lean ``values()``, index fb_pub_status_time_idx / fb_pub_time_idx)."""
    limit = min(limit or settings.OPEN311_MAX_RESULTS, settings.OPEN311_MAX_RESULTS)
    qs = Feedback.objects.filter(is_published=True)
    if ids:
        qs = qs.filter(code__in=ids[:MAX_IDS])
    else:
        if service_codes:
            qs = qs.filter(category__code__in=service_codes)
        if statuses and len(set(statuses)) == 1:
            qs = qs.filter(public_status=statuses[0])
        qs = qs.filter(submitted_at__gte=start, submitted_at__lte=end)
    return list(qs.order_by("-submitted_at", "-id").values(*_REQUEST_COLUMNS)[:limit])


def _list(request, fmt):
    _guard_read(request)
    ids = [i.strip() for i in _param(request, "service_request_id").split(",") if i.strip()]
    if ids:
        return respond(fmt, "service_requests", _rows_out(open311_request_rows(ids=ids)))
    codes = [c.strip() for c in _param(request, "service_code").split(",") if c.strip()]
    if codes:
        known = set(FeedbackCategory.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise Open311Error(404, f"service_code '{unknown[0]}' not found")
    statuses = [s.strip() for s in _param(request, "status").split(",") if s.strip()]
    if any(s not in PublicStatus.values for s in statuses):
        raise Open311Error(400, "status must be open or closed")
    start = _parse_when("start_date", _param(request, "start_date"))
    end = _parse_when("end_date", _param(request, "end_date"))
    if start is None and end is None:
        end = timezone.now()
        start = end - MAX_SPAN
    elif start is None:
        start = end - MAX_SPAN
    elif end is None:
        end = min(start + MAX_SPAN, max(timezone.now(), start))
    if end < start:
        raise Open311Error(400, "end_date is before start_date")
    if end - start > MAX_SPAN:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days")
    rows = open311_request_rows(service_codes=codes, start=start, end=end, statuses=statuses)
    return respond(fmt, "service_requests", _rows_out(rows))


@csrf_exempt
@require_http_methods(["GET", "POST"])
@_endpoint
def requests(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    return _list(request, fmt)


@require_GET
@_endpoint
def request_detail(request, fmt, request_id):
    _guard_read(request)
    rows = list(Feedback.objects.filter(code=request_id).exclude(status=Status.REJECTED)
                .values(*_REQUEST_COLUMNS)[:1])
    if not rows:
        raise Open311Error(404, f"service_request_id '{request_id}' not found")
    return respond(fmt, "service_requests", _rows_out(rows))


@require_GET
@_endpoint
def token(request, fmt, token):
    _guard_read(request)
    row = Feedback.objects.filter(token=token).values("code", "token").first() if _is_uuid(token) else None
    if row is None:
        raise Open311Error(404, f"token '{token}' not found")
    return respond(fmt, "service_requests", [{"service_request_id": row["code"], "token": str(row["token"])}])


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@require_GET
@_endpoint
def discovery(request, fmt):
    _guard_read(request)
    base = _absolute(reverse("open311:services", args=["xml"])).rsplit("/services.xml", 1)[0]
    data = {
        "changeset": "2026-01-01T00:00:00+07:00",
        "contact": settings.DEFAULT_FROM_EMAIL,
        "key_service": _absolute("/quan-tri/feedback/open311apikey/"),
        "endpoints": [{"specification": SPEC_URL, "url": base, "changeset": "2026-01-01T00:00:00+07:00",
                       "type": "production", "formats": ["text/xml", "application/json"]}],
    }
    return respond(fmt, "discovery", data)


