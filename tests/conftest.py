"""Shared fixtures: the demo locality, users with roles, fast hashing, isolated file storage."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings

from tests import factories


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    # Argon2 is the production hasher (tested in test_security); tests use a fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **django_settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media")}},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()
    # A request in English leaves English active in this thread (the language middleware, like
    # Django's, activates per request); every test starts in the default language.
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture
def locality(db):
    """The demo locality: Thừa Thiên Huế → Quảng Điền → 11 communes, with agencies."""
    return factories.load_demo_locality()


@pytest.fixture
def units(locality):
    return factories.Units()


@pytest.fixture
def make_staff(locality):
    return factories.make_staff


@pytest.fixture
def citizen(locality):
    return factories.make_citizen()
