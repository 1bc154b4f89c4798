"""Typed readers for environment variables, and the one place secrets come from."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def var_dir() -> Path:
    """Writable state (SQLite file, media, generated secret key): ``CHINHQUYENSO_VAR_DIR`` or ./var."""
    path = Path(os.environ.get("CHINHQUYENSO_VAR_DIR", Path.cwd() / "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def get_secret(name: str, *, production: bool, default: str | None = None) -> str:
    """Read a secret from ``NAME`` or from the file named by ``NAME_FILE`` (Docker/K8s secrets).

    In production a missing secret stops the start-up instead of running with a guessable value.
    """
    value = os.environ.get(name)
    file_name = os.environ.get(f"{name}_FILE")
    if not value and file_name:
        value = Path(file_name).read_text().strip()
    if value:
        return value
    if production or default is None:
        raise ImproperlyConfigured(f"{name} must be set (or {name}_FILE) when CHINHQUYENSO_ENV=production")
    return default


def get_secret_key(*, production: bool, var: Path) -> str:
    """Production needs SECRET_KEY; elsewhere one is generated once and kept in var/secret_key."""
    if production:
        return get_secret("SECRET_KEY", production=True)
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = var / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def storages_from_url(url: str) -> dict:
    """``file:///path`` → local files; ``s3://bucket?endpoint_url=...&region=...`` → django-storages S3.

    S3 credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY as boto3 reads them.
    """
    parsed = urlparse(url)
    if parsed.scheme in ("", "file"):
        location = Path(parsed.path or "var/media")
        location.mkdir(parents=True, exist_ok=True)
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location), "base_url": "/media/"},
        }
    if parsed.scheme == "s3":
        query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
        options = {
            "bucket_name": parsed.netloc,
            "location": parsed.path.lstrip("/"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        }
        if "endpoint_url" in query:
            options["endpoint_url"] = query["endpoint_url"]
        if "region" in query:
            options["region_name"] = query["region"]
        return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
    raise ImproperlyConfigured(f"STORAGE_URL scheme {parsed.scheme!r} is not supported (use file:// or s3://)")
