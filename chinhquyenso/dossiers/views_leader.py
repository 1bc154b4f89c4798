"""Leaders' and auditors' pages: the dossier tracking register (sổ theo dõi hồ sơ) of a unit and
period, and simple statistics (on-time rate, online share, by status) drawn as server-side SVG."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from chinhquyenso.dossiers import policies, selectors
from chinhquyenso.dossiers.models import Channel, Status

MAX_PERIOD_DAYS = 370
REGISTER_PAGE_SIZE = 50


def _period(request) -> tuple[dt.date, dt.date, str | None]:
    """The period asked for (dd/mm/yyyy or yyyy-mm-dd); the current quarter by default."""
    today = timezone.localdate()
    quarter_start = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)

    def parse(raw: str | None, default: dt.date) -> dt.date | None:
        raw = (raw or "").strip()
        if not raw:
            return default
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(raw, fmt).date()
            except ValueError:
                continue
        return None

    start, end = parse(request.GET.get("tu"), quarter_start), parse(request.GET.get("den"), today)
    if start is None or end is None:
        return quarter_start, today, _("Ngày không hợp lệ; đang hiển thị quý hiện tại.")
    if end < start:
        return quarter_start, today, _("Ngày kết thúc trước ngày bắt đầu; đang hiển thị quý hiện tại.")
    if (end - start).days > MAX_PERIOD_DAYS:
        return start, start + dt.timedelta(days=MAX_PERIOD_DAYS), _("Mỗi lần xem tối đa một năm.")
    return start, end, None


def _unit_and_period(request):
    units = list(selectors.register_units(request.user))
    if not units:
        raise PermissionDenied
    wanted = request.GET.get("don_vi", "")
    unit = next((u for u in units if u.code == wanted), units[0])
    if not policies.can_read_registers(request.user, unit):
        raise PermissionDenied
    start, end, warning = _period(request)
    return units, unit, start, end, warning


def _query(unit, start, end, **extra) -> str:
    return urlencode({"don_vi": unit.code, "tu": start.isoformat(), "den": end.isoformat(), **extra})


@login_required
def register(request):
    units, unit, start, end, warning = _unit_and_period(request)
    paginator = Paginator(selectors.register_rows(unit=unit, start=start, end=end), REGISTER_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("trang"))
    try:
        xlsx_url = reverse("dossiers:register_xlsx", kwargs={"unit_code": unit.code}) + "?" + urlencode(
            {"from": start.isoformat(), "to": end.isoformat()})
    except NoReverseMatch:  # the export view is not installed in this deployment
        xlsx_url = None
    return render(request, "dossiers/register.html", {
        "units": units, "unit": unit, "start": start, "end": end, "warning": warning, "page": page,
        "query": _query(unit, start, end), "xlsx_url": xlsx_url,
    })


@login_required
def stats(request):
    units, unit, start, end, warning = _unit_and_period(request)
    data = selectors.dossier_stats(unit=unit, start=start, end=end)
    labels = dict(Status.choices)
    by_status = sorted(((labels.get(k, k), n) for k, n in data["by_status"].items()), key=lambda r: -r[1])
    channels = [(Channel.ONLINE.label, data["online"]), (Channel.DESK.label, data["desk"]),
                (Channel.POST.label, data["post"])]
    return render(request, "dossiers/stats.html", {
        "units": units, "unit": unit, "start": start, "end": end, "warning": warning, "stats": data,
        "status_chart": bar_chart(by_status), "channel_chart": bar_chart(channels),
        "by_status": by_status, "channels": channels, "query": _query(unit, start, end),
    })


def bar_chart(rows: list[tuple[str, int]], *, width: int = 560, bar: int = 22, gap: int = 10,
              label_width: int = 250) -> dict:
    """Horizontal bars as plain numbers for an inline SVG (no JavaScript, prints and zooms well).
    The table next to it carries the same figures for screen readers."""
    top = max((n for _label, n in rows), default=0) or 1
    span = width - label_width - 60
    bars = [{"label": label, "value": n, "y": i * (bar + gap), "w": round(span * n / top), "x": label_width,
             "text_x": label_width + round(span * n / top) + 6, "text_y": i * (bar + gap) + round(bar * 0.7)}
            for i, (label, n) in enumerate(rows)]
    return {"bars": bars, "width": width, "height": max(1, len(rows)) * (bar + gap), "bar": bar,
            "label_x": label_width - 8}
