"""Public pages, the role-appropriate home pages, the language switch and the error pages.

Thin: reads come from selectors and ``portal.workspace``; the language choice is saved by an
accounts service.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpResponseRedirect, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from chinhquyenso.accounts.roles import WORKSPACE_ROLES, Role
from chinhquyenso.accounts.selectors import role_scopes, roles_of, user_has_role
from chinhquyenso.accounts.services import user_language_set
from chinhquyenso.portal.middleware import language_is_supported
from chinhquyenso.portal.policies import home_route_for
from chinhquyenso.portal.workspace import Page, kpi_overview, sections_for


def home(request):
    return render(request, "portal/home.html")


@login_required
def home_for_role(request):
    return redirect(home_route_for(request.user))


@login_required
def citizen_home(request):
    roles = roles_of(request.user)
    if not ({Role.CITIZEN, Role.ORGANISATION_REP} & roles):
        raise PermissionDenied
    organisation = None
    if Role.ORGANISATION_REP in roles:
        organisation = request.user.organisations.order_by("pk").first()
    return render(request, "portal/citizen_home.html", {
        "profile": getattr(request.user, "citizen_profile", None),
        "organisation": organisation,
        "sections": sections_for(user=request.user, page=Page.CITIZEN),
    })


@login_required
def workspace(request):
    if not user_has_role(request.user, WORKSPACE_ROLES | {Role.UNIT_LEADER, Role.ADMINISTRATOR}):
        raise PermissionDenied
    return render(request, "portal/workspace.html", {
        "scopes": _scope_rows(role_scopes(request.user)),
        "sections": sections_for(user=request.user, page=Page.WORKSPACE),
    })


@login_required
def leader_overview(request):
    if not user_has_role(request.user, [Role.UNIT_LEADER, Role.ADMINISTRATOR]):
        raise PermissionDenied
    return render(request, "portal/leader_overview.html", {
        "scopes": _scope_rows(role_scopes(request.user)),
        "kpi_groups": kpi_overview(user=request.user),
        "sections": sections_for(user=request.user, page=Page.LEADER),
    })


def _scope_rows(scopes):
    from chinhquyenso.units.models import AdministrativeUnit

    units = AdministrativeUnit.objects.in_bulk([s.unit_id for s in scopes])
    return [{"role": Role(s.role).label, "unit": units.get(s.unit_id)} for s in scopes]


@require_POST
def language_set(request):
    """The header's language switch: a plain form post, so it works without JavaScript.

    Remembers the choice in the language cookie (``portal.middleware``) and, for a logged-in user,
    on the account so the next login opens in the same language."""
    next_url = request.POST.get("next") or request.headers.get("referer") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    code = request.POST.get("language")
    if language_is_supported(code):
        request.language_chosen = code
        translation.activate(code)
        if request.user.is_authenticated:
            user_language_set(user=request.user, language=code)
    return response


@never_cache
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def error_400(request, exception=None):
    return render(request, "errors/400.html", status=400)


def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


def error_500(request):
    # No request context: context processors read the database, which may be the thing that is down.
    return HttpResponseServerError(loader.render_to_string("errors/500.html"))


def csrf_failure(request, reason=""):
    """A form sent without a valid security token: usually a page left open too long."""
    return render(request, "errors/403_csrf.html", {"debug_reason": reason if settings.DEBUG else ""},
                  status=403)
