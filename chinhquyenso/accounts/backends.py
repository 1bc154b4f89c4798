from __future__ import annotations

import contextlib

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db.models import Q

from chinhquyenso.accounts.models import User
from chinhquyenso.accounts.validators import normalize_phone


class UsernameEmailPhoneBackend(ModelBackend):
    """Log in with a user name, an e-mail address or a phone number, whichever people remember."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        ident = username.strip()
        query = Q(username__iexact=ident) | Q(email__iexact=ident)
        with contextlib.suppress(ValidationError):  # not a phone number, that is fine
            query |= Q(phone=normalize_phone(ident))
        user = User.objects.filter(query).order_by("id").first()
        if user is None:
            User().set_password(password)  # same time cost as a real check (timing attack)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
