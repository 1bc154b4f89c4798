"""Which language a page is shown in.

Vietnamese unless the visitor chose another language with the switch in the header. Unlike Django's
``LocaleMiddleware`` the browser's ``Accept-Language`` is ignored on purpose: many phones in Vietnam are
set to English, and a Vietnamese public-service portal must still open in Vietnamese. The choice lives
in the language cookie (a year); a logged-in user's choice is also saved on the account
(``User.language``) and applied again at each login (``portal.signals``).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def language_is_supported(code: str | None) -> bool:
    return bool(code) and code in LANGUAGE_CODES


def language_cookie_set(response, code: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if not language_is_supported(code):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = code
        response = self.get_response(request)
        # Set during this request by the login signal or the language switch.
        chosen = getattr(request, "language_chosen", None)
        if language_is_supported(chosen):
            language_cookie_set(response, chosen)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
