"""Pages of citizen feedback: public map and list, the report form, the citizen's own reports, the
coordinator's and the agency's queues, the staff detail with its actions, and leader statistics.

Thin: reads from ``selectors``, writes through ``services``; a ``DomainError`` becomes a message by
the field, never a 500.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from chinhquyenso.accounts.selectors import user_has_role
from chinhquyenso.core.errors import DomainError, NotFound
from chinhquyenso.core.parsing import parse_id, parse_int
from chinhquyenso.feedback import photos as photo_tools
from chinhquyenso.feedback import selectors, services
from chinhquyenso.feedback.constants import PhotoKind, PublicStatus, Rating, Status
from chinhquyenso.feedback.forms import RateForm, SubmitForm, photo_uploads
from chinhquyenso.feedback.models import Feedback, FeedbackCategory, FeedbackPhoto
from chinhquyenso.feedback.policies import (
    COORDINATOR_ROLES,
    STATISTICS_ROLES,
    handler_agency_ids,
    is_coordinator,
    is_handler,
    is_reporter,
)
from chinhquyenso.feedback.routing import agency_for, district_of
from chinhquyenso.feedback.workflow import feedback_workflow
from chinhquyenso.units.models import AdministrativeUnit, Agency

LICENSE_FILE = Path(settings.BASE_DIR) / "units" / "data" / "BOUNDARIES-LICENSE.md"


def boundaries_attribution() -> str:
    """The first lines of the boundary licence notice (it must travel with every map)."""
    try:
        lines = LICENSE_FILE.read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    body = [ln.strip() for ln in lines[1:] if ln.strip() and not ln.startswith("```")]
    return " ".join(body[:2])


def _map_context() -> dict:
    return {
        "map_tiles_url": settings.FEEDBACK_MAP_TILES_URL,
        "map_tiles_attribution": settings.FEEDBACK_MAP_TILES_ATTRIBUTION,
        "boundaries_attribution": boundaries_attribution(),
        "boundaries_url": reverse("feedback:boundaries"),
    }


def _communes():
    return AdministrativeUnit.objects.filter(level="commune", is_active=True).order_by("name")


def _version(request) -> int | None:
    return parse_int(request.POST.get("version"), min_value=0)


# --- public ---------------------------------------------------------------------------------------

@require_GET
def public_list(request):
    filters = {k: request.GET.get(k, "").strip() for k in ("category", "unit", "status")}
    page = selectors.public_list(**filters, cursor=request.GET.get("sau"))
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    return render(request, "feedback/list.html", {
        "page": page, "filters": filters, "query": query, "categories": selectors.categories_active(),
        "communes": _communes(), "statuses": PublicStatus.choices,
        "map_points_url": reverse("feedback:map_geojson") + (f"?{query}" if query else ""),
        **_map_context(),
    })


@require_GET
@cache_control(public=True, max_age=60)
def map_geojson(request):
    filters = {k: request.GET.get(k, "").strip() for k in ("category", "unit", "status")}
    return JsonResponse(selectors.public_map_features(**filters))


@require_GET
@cache_control(public=True, max_age=3600)
def boundaries(request):
    data = selectors.boundaries_geojson()
    data["attribution"] = boundaries_attribution()
    return JsonResponse(data)


@require_GET
def lookup(request):
    code = request.GET.get("ma", "").strip().upper()
    if code:
        if Feedback.objects.filter(code=code).exists():
            return redirect("feedback:detail", code=code)
        messages.error(request, _("Không tìm thấy phản ánh có mã %(c)s.") % {"c": code})
    return render(request, "feedback/lookup.html", {"code": code})


def detail(request, code):
    feedback = Feedback.objects.select_related("category", "unit", "agency", "merged_into").filter(code=code).first()
    if feedback is None:
        raise Http404
    own = is_reporter(request.user, feedback)
    if not own:
        if is_coordinator(request.user, feedback) or is_handler(request.user, feedback):
            return redirect("feedback:staff_detail", code=code)
        if not (feedback.is_published or feedback.status == Status.MERGED):
            raise Http404
    actions = {t.action for t in feedback_workflow.available(feedback, request.user)} if own else set()
    return render(request, "feedback/detail.html", {
        "feedback": feedback, "own": own, "actions": actions,
        "photos": selectors.feedback_photos(feedback=feedback, public_only=not own),
        "timeline": selectors.feedback_timeline(feedback=feedback, for_reporter=True) if own else [],
        "rate_form": RateForm(), "ratings": Rating.choices, **_map_context(),
    })


# --- citizen ------------------------------------------------------------------------------------

@login_required
def submit(request):
    duplicates = []
    if request.method == "POST":
        form = SubmitForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            point = (data["latitude"], data["longitude"]) if data.get("latitude") is not None else None
            if not data.get("confirm_not_duplicate"):
                duplicates = _duplicates_for(data["category"], f"{data['title']} {data['description']}",
                                             point, data.get("unit"))
            if not duplicates:
                try:
                    feedback = services.feedback_submit(
                        reporter=request.user, category=data["category"], title=data["title"],
                        description=data["description"], latitude=point[0] if point else None,
                        longitude=point[1] if point else None, unit=data.get("unit"), village=data["village"],
                        address_text=data["address_text"], location_source=data.get("location_source") or "typed",
                        anonymous_public=data["anonymous_public"], photos=photo_uploads(request.FILES),
                    )
                except DomainError as exc:
                    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                else:
                    messages.success(request, _("Đã gửi phản ánh. Mã theo dõi của bạn: %(c)s.") % {"c": feedback.code})
                    return redirect("feedback:detail", code=feedback.code)
    else:
        form = SubmitForm()
    return render(request, "feedback/submit.html", {"form": form, "duplicates": duplicates, **_map_context()})


def _duplicates_for(category, text, point, unit):
    if point is not None and unit is None:
        from chinhquyenso.feedback import geo

        unit = geo.unit_at(*point)
    return selectors.feedback_duplicates(category=category, text=text, latitude=point[0] if point else None,
                                         longitude=point[1] if point else None, unit=unit)


@require_GET
def duplicates(request):
    """HTMX fragment: published reports like the one being written (same category, near, similar)."""
    category = FeedbackCategory.objects.filter(pk=parse_id(request.GET.get("category")), is_active=True).first()
    found = []
    if category is not None:
        try:
            lat = float(request.GET["latitude"]) if request.GET.get("latitude") else None
            lon = float(request.GET["longitude"]) if request.GET.get("longitude") else None
        except ValueError:
            lat = lon = None
        unit = AdministrativeUnit.objects.filter(pk=parse_id(request.GET.get("unit"))).first()
        text = f"{request.GET.get('title', '')} {request.GET.get('description', '')}"
        found = _duplicates_for(category, text, (lat, lon) if lat is not None and lon is not None else None, unit)
    return render(request, "feedback/_duplicates.html", {"duplicates": found, "confirm": False})


@login_required
def mine(request):
    page = selectors.reporter_list(user=request.user, cursor=request.GET.get("sau"))
    return render(request, "feedback/mine.html", {"page": page})


@login_required
@require_POST
def citizen_action(request, code, action):
    try:
        feedback = selectors.feedback_get_for_reporter(code=code, user=request.user)
        version = _version(request)
        if action == "provide_info":
            services.feedback_provide_info(feedback=feedback, actor=request.user, text=request.POST.get("text", ""),
                                           photos=photo_uploads(request.FILES), expected_version=version)
            messages.success(request, _("Đã gửi thông tin bổ sung."))
        elif action == "rate":
            services.feedback_rate(feedback=feedback, actor=request.user, rating=request.POST.get("rating"),
                                   comment=request.POST.get("comment", ""), expected_version=version)
            messages.success(request, _("Cảm ơn bạn đã đánh giá."))
        elif action == "reopen":
            services.feedback_reopen(feedback=feedback, actor=request.user, reason=request.POST.get("reason", ""),
                                     expected_version=version)
            messages.success(request, _("Đã đề nghị xử lý lại."))
        elif action == "close":
            services.feedback_close(feedback=feedback, actor=request.user, expected_version=version)
        else:
            raise Http404
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("feedback:detail", code=code)


# --- staff ---------------------------------------------------------------------------------------

def _require_staff_role(user, roles) -> None:
    if not user_has_role(user, roles):
        raise PermissionDenied


@login_required
def coordinator_queue(request):
    _require_staff_role(request.user, COORDINATOR_ROLES)
    status = request.GET.get("trang_thai", Status.NEW)
    if status not in Status.values:
        status = Status.NEW
    page = selectors.coordinator_queue(user=request.user, cursor=request.GET.get("sau"), status=status)
    return render(request, "feedback/coordinator_queue.html", {
        "page": page, "status": status, "statuses": Status.choices, "today": timezone.localdate()})


@login_required
def agency_queue(request):
    if not handler_agency_ids(request.user):
        raise PermissionDenied
    overdue = request.GET.get("qua_han") == "1"
    page = selectors.agency_queue(user=request.user, cursor=request.GET.get("sau"), overdue_only=overdue)
    return render(request, "feedback/agency_queue.html", {"page": page, "overdue": overdue,
                                                          "today": timezone.localdate()})


def _agency_choices(feedback: Feedback):
    """Agencies a report may go to: of its commune and of the district above it."""
    district = district_of(feedback.unit)
    paths = {feedback.unit.path, district.path}
    return (Agency.objects.filter(unit__path__in=paths, is_active=True).select_related("unit")
            .order_by("unit__depth", "kind", "name"))


@login_required
def staff_detail(request, code):
    try:
        feedback = selectors.feedback_get_for_staff(code=code, user=request.user)
    except NotFound as exc:
        raise Http404 from exc
    actions = {t.action for t in feedback_workflow.available(feedback, request.user)}
    coordinator = is_coordinator(request.user, feedback)
    context = {
        "feedback": feedback, "actions": actions, "coordinator": coordinator,
        "handler": is_handler(request.user, feedback),
        "photos": selectors.feedback_photos(feedback=feedback, public_only=False),
        "timeline": selectors.feedback_timeline(feedback=feedback, for_reporter=False),
        "today": timezone.localdate(), **_map_context(),
    }
    if coordinator and feedback.status in (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS):
        from chinhquyenso.core.masking import mask_text

        context.update({
            "agencies": _agency_choices(feedback), "communes": _communes(),
            "proposed_agency": feedback.agency or agency_for(feedback.category, feedback.unit),
            "suggested_title": mask_text(feedback.public_title or feedback.title),
            "suggested_description": mask_text(feedback.public_description or feedback.description),
            "duplicates": selectors.feedback_duplicates(
                category=feedback.category, text=f"{feedback.title} {feedback.description}",
                latitude=feedback.latitude, longitude=feedback.longitude, unit=feedback.unit,
                exclude_id=feedback.pk, published_only=False, now=feedback.submitted_at),
        })
    context["photo_choices"] = [("keep", _("Công khai")), ("areas", _("Làm mờ vùng chọn")),
                                ("blur", _("Làm mờ cả ảnh")), ("remove", _("Không công khai"))]
    context["reason_forms"] = _REASON_FORMS()
    return render(request, "feedback/staff_detail.html", context)


def _REASON_FORMS() -> list[dict]:
    return [
        {"action": "accept", "label": _("Nhận xử lý"), "button": _("Nhận xử lý"), "style": "primary"},
        {"action": "answer", "label": _("Trả lời người phản ánh"), "field": "text", "files": True,
         "prompt": _("Nội dung trả lời (được công khai cùng phản ánh; thông tin cá nhân được che)"),
         "button": _("Gửi trả lời"), "style": "primary"},
        {"action": "request_info", "label": _("Đề nghị người phản ánh bổ sung (tạm dừng tính hạn)"),
         "field": "reason", "prompt": _("Cần bổ sung thông tin gì?"), "button": _("Gửi đề nghị"),
         "style": "outline-primary"},
        {"action": "extend", "label": _("Gia hạn"), "days": True, "field": "reason", "prompt": _("Lý do gia hạn"),
         "button": _("Gia hạn"), "style": "outline-secondary"},
        {"action": "transfer", "label": _("Chuyển trả bộ phận điều phối (không thuộc thẩm quyền)"),
         "field": "reason", "prompt": _("Lý do"), "button": _("Chuyển trả"), "style": "outline-secondary"},
        {"action": "reroute", "label": _("Chuyển cơ quan xử lý khác"), "agency": True, "field": "reason",
         "prompt": _("Lý do"), "button": _("Chuyển"), "style": "outline-secondary"},
        {"action": "reject", "label": _("Không tiếp nhận (tin rác, lạm dụng, không thuộc phạm vi)"),
         "field": "reason", "prompt": _("Lý do (người phản ánh được thông báo)"), "button": _("Không tiếp nhận"),
         "style": "outline-danger"},
        {"action": "close", "label": _("Kết thúc phản ánh"), "button": _("Kết thúc"), "style": "outline-secondary"},
    ]


def _photo_decisions(post) -> dict:
    return {key.split("_", 1)[1]: value for key, value in post.items() if key.startswith("photo_")}


def _photo_areas(post) -> dict:
    """``areas_<photo id>``: the boxes drawn on the photo (or typed, without the script)."""
    return {key.split("_", 1)[1]: photo_tools.parse_areas(value)
            for key, value in post.items() if key.startswith("areas_") and value.strip()}


@login_required
@require_POST
def staff_action(request, code, action):
    try:
        feedback = selectors.feedback_get_for_staff(code=code, user=request.user)
    except NotFound as exc:
        raise Http404 from exc
    post, user, version = request.POST, request.user, _version(request)
    try:
        if action == "route":
            unit = AdministrativeUnit.objects.filter(pk=parse_id(post.get("unit"))).first()
            agency = Agency.objects.filter(pk=parse_id(post.get("agency"))).first()
            services.feedback_route(
                feedback=feedback, actor=user, expected_version=version, unit=unit, agency=agency,
                handle_days=post.get("handle_days") or None, publish=post.get("publish") == "1",
                public_title=post.get("public_title"), public_description=post.get("public_description"),
                photo_decisions=_photo_decisions(post), photo_areas=_photo_areas(post))
            messages.success(request, _("Đã chuyển phản ánh đến cơ quan xử lý."))
        elif action == "publish":
            services.feedback_publish(
                feedback=feedback, actor=user, expected_version=version, publish=post.get("publish") == "1",
                public_title=post.get("public_title"), public_description=post.get("public_description"),
                photo_decisions=_photo_decisions(post), photo_areas=_photo_areas(post))
            messages.success(request, _("Đã cập nhật nội dung công khai."))
        elif action == "reject":
            services.feedback_reject(feedback=feedback, actor=user, reason=post.get("reason", ""),
                                     expected_version=version)
            messages.success(request, _("Đã từ chối tiếp nhận phản ánh."))
        elif action == "merge":
            into = Feedback.objects.filter(code=post.get("into", "").strip().upper()).first()
            if into is None:
                raise DomainError("feedback_not_found", _("Không tìm thấy phản ánh đích."), "into")
            services.feedback_merge(feedback=feedback, into=into, actor=user, expected_version=version)
            messages.success(request, _("Đã gộp vào phản ánh %(c)s.") % {"c": into.code})
        elif action == "reroute":
            agency = Agency.objects.filter(pk=parse_id(post.get("agency"))).first()
            if agency is None:
                raise DomainError("agency_required", _("Hãy chọn cơ quan xử lý."), "agency")
            services.feedback_reroute(feedback=feedback, actor=user, agency=agency, reason=post.get("reason", ""),
                                      expected_version=version)
            messages.success(request, _("Đã chuyển lại cơ quan xử lý."))
        elif action == "accept":
            services.feedback_accept(feedback=feedback, actor=user, expected_version=version)
            messages.success(request, _("Đã nhận xử lý."))
        elif action == "request_info":
            services.feedback_request_info(feedback=feedback, actor=user, question=post.get("reason", ""),
                                           expected_version=version)
            messages.success(request, _("Đã gửi đề nghị bổ sung; thời hạn tạm dừng đến khi người dân trả lời."))
        elif action == "transfer":
            services.feedback_transfer(feedback=feedback, actor=user, reason=post.get("reason", ""),
                                       expected_version=version)
            messages.success(request, _("Đã chuyển trả bộ phận điều phối."))
            return redirect("feedback:agency_queue")
        elif action == "extend":
            services.feedback_extend(feedback=feedback, actor=user, days=post.get("days"),
                                     reason=post.get("reason", ""), expected_version=version)
            messages.success(request, _("Đã gia hạn."))
        elif action == "answer":
            services.feedback_answer(feedback=feedback, actor=user, text=post.get("text", ""),
                                     photos=photo_uploads(request.FILES), expected_version=version)
            messages.success(request, _("Đã trả lời người phản ánh."))
        elif action == "close":
            services.feedback_close(feedback=feedback, actor=user, expected_version=version)
            messages.success(request, _("Đã kết thúc phản ánh."))
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("feedback:staff_detail", code=code)


def _period(request) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    default_from = today.replace(month=1, day=1)

    def parse(name, default):
        raw = request.GET.get(name, "")
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(raw, fmt).date()
            except ValueError:
                continue
        return default

    start, end = parse("tu", default_from), parse("den", today)
    return (start, end) if start <= end else (end, start)


@login_required
def statistics(request):
    _require_staff_role(request.user, STATISTICS_ROLES)
    date_from, date_to = _period(request)
    unit = AdministrativeUnit.objects.filter(code=request.GET.get("don_vi", "")).first()
    category = FeedbackCategory.objects.filter(code=request.GET.get("linh_vuc", "")).first()
    stats = selectors.feedback_statistics(user=request.user, date_from=date_from, date_to=date_to, unit=unit,
                                          category=category)
    query = request.GET.urlencode()
    return render(request, "feedback/statistics.html", {
        "stats": stats, "date_from": date_from, "date_to": date_to, "unit": unit, "category": category,
        "communes": _communes(), "categories": selectors.categories_active(),
        "heat_url": reverse("feedback:heat_json") + (f"?{query}" if query else ""), **_map_context(),
    })


@login_required
def heat_json(request):
    _require_staff_role(request.user, STATISTICS_ROLES)
    date_from, date_to = _period(request)
    unit = AdministrativeUnit.objects.filter(code=request.GET.get("don_vi", "")).first()
    category = FeedbackCategory.objects.filter(code=request.GET.get("linh_vuc", "")).first()
    cells = selectors.heat_grid(user=request.user, date_from=date_from, date_to=date_to, unit=unit,
                                category=category)
    return JsonResponse({"cells": cells})


# --- photos -------------------------------------------------------------------------------------

_VARIANTS = {"public": "public", "public_thumb": "public_thumbnail", "original": "original", "thumb": "thumbnail"}


def photo(request, photo_id, variant):
    if variant not in _VARIANTS:
        raise Http404
    item = FeedbackPhoto.objects.select_related("feedback", "feedback__unit").filter(pk=photo_id).first()
    if item is None:
        raise Http404
    feedback = item.feedback
    if variant.startswith("public"):
        visible = item.is_public and (feedback.is_published or (item.kind == PhotoKind.ANSWER and
                                      is_reporter(request.user, feedback)))
        if not visible:
            raise Http404
    elif not (is_reporter(request.user, feedback) or is_coordinator(request.user, feedback)
              or is_handler(request.user, feedback)):
        raise Http404
    stored = getattr(item, _VARIANTS[variant])
    if stored is None:
        raise Http404
    if not variant.startswith("public"):
        response = FileResponse(stored.open(), content_type=stored.mime_type)
        response["Cache-Control"] = "private, no-store"
    else:
        # The address stays the same when a coordinator blurs a photo after publishing it: caches
        # must ask again every time (a 304 when unchanged), never serve the unblurred copy.
        etag = f'"{stored.sha256}"'
        if request.headers.get("If-None-Match") == etag:
            response = HttpResponseNotModified()
        else:
            response = FileResponse(stored.open(), content_type=stored.mime_type)
        response["ETag"] = etag
        response["Cache-Control"] = "public, no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def boundaries_license(request):
    try:
        text = LICENSE_FILE.read_text(encoding="utf-8")
    except OSError as exc:
        raise Http404 from exc
    return HttpResponse(text, content_type="text/plain; charset=utf-8")
