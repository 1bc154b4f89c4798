"""Apply the account's language at login (see ``portal.middleware``).

``User.language`` defaults to Vietnamese, so only a language other than the default counts as the
user's own choice: it wins over the browser's cookie at login. Otherwise whatever the visitor picked
before logging in stays (someone who switched to English on the login page is not sent back).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation

from chinhquyenso.portal.middleware import language_is_supported


@receiver(user_logged_in, dispatch_uid="portal.language_at_login")
def language_at_login(sender, request, user, **kwargs):
    code = getattr(user, "language", "")
    if request is not None and code != settings.LANGUAGE_CODE and language_is_supported(code):
        request.language_chosen = code
        translation.activate(code)
