"""Password validators whose messages Django does not (yet) translate into Vietnamese.

Django 5.2 rewrote the minimum-length message (``%d`` instead of ``%(min_length)d``) and its
Vietnamese catalogue has no entry for the new text, so citizens would read English.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return _("Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.") % {"min_length": self.min_length}

    def get_help_text(self):
        return _("Mật khẩu cần ít nhất %(min_length)d ký tự.") % {"min_length": self.min_length}
