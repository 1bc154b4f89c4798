"""The inbox and the preferences page (thin: reads from selectors, writes through services)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chinhquyenso.core.errors import NotFound
from chinhquyenso.core.masking import mask_email, mask_phone
from chinhquyenso.core.parsing import parse_id
from chinhquyenso.notifications.constants import Channel
from chinhquyenso.notifications.forms import PreferencesForm
from chinhquyenso.notifications.selectors import (
    notification_get_for_user,
    notification_inbox,
    notification_preferences_for,
)
from chinhquyenso.notifications.services import (
    notification_mark_all_read,
    notification_mark_read,
    notification_preferences_set,
)

UNREAD_FILTER = "chua-doc"


def _cursor(request) -> int | None:
    return parse_id(request.GET.get("truoc"))


@login_required
def inbox(request):
    unread_only = request.GET.get("loc") == UNREAD_FILTER
    page = notification_inbox(user=request.user, before=_cursor(request), unread_only=unread_only)
    context = {"page": page, "unread_only": unread_only, "filter_value": UNREAD_FILTER if unread_only else ""}
    if request.htmx and _cursor(request):
        return render(request, "notifications/_page.html", context)
    return render(request, "notifications/inbox.html", context)


@login_required
@require_POST
def mark_read(request, public_id):
    try:
        notification = notification_get_for_user(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc
    notification = notification_mark_read(user=request.user, notification=notification)
    if request.htmx:
        return render(request, "notifications/_read_response.html", {"n": notification})
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    count = notification_mark_all_read(user=request.user)
    messages.success(request, _("Đã đánh dấu %(n)s thông báo là đã đọc.") % {"n": count})
    return redirect("notifications:inbox")


def _address_hints(user) -> dict[str, str]:
    profile = getattr(user, "citizen_profile", None)
    phone = user.phone or (profile.phone if profile else "")
    email = user.email or (profile.email if profile else "")
    missing_phone = _("Chưa có số điện thoại trong tài khoản: kênh này chưa gửi được.")
    return {
        Channel.EMAIL: (_("Gửi tới %(a)s") % {"a": mask_email(email)}) if email
        else _("Chưa có địa chỉ thư điện tử trong tài khoản: kênh này chưa gửi được."),
        Channel.SMS: (_("Gửi tới số %(a)s") % {"a": mask_phone(phone)}) if phone else missing_phone,
        Channel.ZALO: (_("Gửi tới tài khoản Zalo của số %(a)s") % {"a": mask_phone(phone)}) if phone else missing_phone,
    }


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    hints = _address_hints(request.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST, help_texts=hints)
        if form.is_valid():
            notification_preferences_set(user=request.user, values=form.cleaned_data, actor=request.user)
            messages.success(request, _("Đã lưu tuỳ chọn nhận thông báo."))
            return redirect("notifications:preferences")
    else:
        form = PreferencesForm(initial=notification_preferences_for(user=request.user), help_texts=hints)
    return render(request, "notifications/preferences.html", {"form": form})
