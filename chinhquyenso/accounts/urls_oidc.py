"""OpenID Connect login URLs (always routed; the views answer 404 while OIDC_ISSUER is unset).

The names are mozilla-django-oidc's own, unnamespaced, because the library reverses them. Its
GET logout view is left out on purpose: logging out is POST-only (``accounts:logout``).
"""

from django.urls import path

from chinhquyenso.accounts.oidc import OIDCAuthenticateView, OIDCCallbackView

urlpatterns = [
    path("authenticate/", OIDCAuthenticateView.as_view(), name="oidc_authentication_init"),
    path("callback/", OIDCCallbackView.as_view(), name="oidc_authentication_callback"),
]
