"""Public pages and the role-appropriate home pages (thin: reads come from selectors)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from chinhquyenso.accounts.roles import WORKSPACE_ROLES, Role
from chinhquyenso.accounts.selectors import role_scopes, roles_of, user_has_role
from chinhquyenso.portal.policies import home_route_for


def home(request):
    return render(request, "portal/home.html")


@login_required
def home_for_role(request):
    return redirect(home_route_for(request.user))


@login_required
def citizen_home(request):
    if not ({Role.CITIZEN, Role.ORGANISATION_REP} & roles_of(request.user)):
        raise PermissionDenied
    return render(request, "portal/citizen_home.html", {"profile": getattr(request.user, "citizen_profile", None)})


@login_required
def workspace(request):
    if not user_has_role(request.user, WORKSPACE_ROLES | {Role.UNIT_LEADER, Role.ADMINISTRATOR}):
        raise PermissionDenied
    scopes = role_scopes(request.user)
    return render(request, "portal/workspace.html", {"scopes": _scope_rows(scopes)})


@login_required
def leader_overview(request):
    if not user_has_role(request.user, [Role.UNIT_LEADER, Role.ADMINISTRATOR]):
        raise PermissionDenied
    return render(request, "portal/leader_overview.html", {"scopes": _scope_rows(role_scopes(request.user))})


def _scope_rows(scopes):
    from chinhquyenso.units.models import AdministrativeUnit

    units = AdministrativeUnit.objects.in_bulk([s.unit_id for s in scopes])
    return [{"role": Role(s.role).label, "unit": units.get(s.unit_id)} for s in scopes]


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
    return render(request, "errors/500.html", status=500)
