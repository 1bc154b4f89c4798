"""Settings, read from the environment (12-factor).

Every knob has a documented default that gives the embedded demo set-up: SQLite under
``./var/``, local files under ``./var/media``, the database task queue, simulators on
localhost. ``docs/configuration.md`` lists each variable. Production (``CHINHQUYENSO_ENV=
production``) refuses to start without the secrets it needs.
"""

from __future__ import annotations

from pathlib import Path

import bootstrap_wrapper
import dj_database_url
import xstatic.pkg.leaflet as xstatic_leaflet

from chinhquyenso.conf import (
    env_bool,
    env_int,
    env_list,
    env_str,
    get_secret,
    get_secret_key,
    storages_from_url,
    var_dir,
)

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = var_dir()

ENVIRONMENT = env_str("CHINHQUYENSO_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("DEBUG", False)

SECRET_KEY = get_secret_key(production=PRODUCTION, var=VAR_DIR)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Public base URL, used in e-mails, payment return URLs and webhook registrations.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_htmx",
    # Listed so /api/v1/docs serves Swagger UI from the installed package, not from a CDN.
    "ninja",
    "treebeard",
    "mozilla_django_oidc",
    "django_tasks",
    "django_tasks_db",
    "chinhquyenso.core",
    "chinhquyenso.units",
    "chinhquyenso.accounts",
    "chinhquyenso.calendar",
    "chinhquyenso.notifications",
    "chinhquyenso.portal",
    "chinhquyenso.catalog",
    "chinhquyenso.eforms",
    "chinhquyenso.payments",
    "chinhquyenso.delivery",
    "chinhquyenso.feedback",
    "chinhquyenso.digitization",
    "chinhquyenso.dossiers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # %00 in a path or query string → 400 (PostgreSQL text cannot hold NUL; it would be a 500).
    "chinhquyenso.core.middleware.RejectNulCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Vietnamese unless the visitor chose otherwise (ignores Accept-Language on purpose).
    "chinhquyenso.portal.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "chinhquyenso.core.middleware.RequestContextMiddleware",
    # Axes must be last: it turns a locked-out login into its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "chinhquyenso.urls"
WSGI_APPLICATION = "chinhquyenso.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "chinhquyenso.portal.context_processors.site",
                "chinhquyenso.notifications.context_processors.unread",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'chinhquyenso.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so two writers queue instead of
    # failing with "database is locked" half-way (matters for gap-free sequences and audit).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# Optional read replica: dashboards and exports read from it (core.db.reporting_db()).
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, tasks -----------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    INSTALLED_APPS += ["django_rq"]
    RQ_QUEUES = {name: {"URL": REDIS_URL} for name in ("default", "outbox", "notifications")}
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_rq.RQBackend",
            "QUEUES": list(RQ_QUEUES),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "outbox", "notifications"],
        }
    }
if env_bool("TASKS_IMMEDIATE", False):
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                         "QUEUES": ["default", "outbox", "notifications"]}}

# --- Files ------------------------------------------------------------------------------------
STORAGE_URL = env_str("STORAGE_URL", f"file://{VAR_DIR / 'media'}")
STORAGES = {
    "default": storages_from_url(STORAGE_URL),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = str(VAR_DIR / "media")
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STATIC_ROOT = str(VAR_DIR / "static")
(VAR_DIR / "static").mkdir(exist_ok=True)  # whitenoise warns on every start when it is missing
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap 5 from the bootstrap-wrapper wheel: no CDN, no copied files.
    ("bootstrap", str(bootstrap_wrapper.get_bootstrap_dir())),
    # Leaflet from the xstatic-leaflet wheel (maps of citizen feedback).
    ("leaflet", xstatic_leaflet.BASE_DIR),
]
# Outside production the app serves static files straight from the finders (no collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Dossier uploads nothing refers to after this many days (an abandoned online submission) are deleted.
UNUSED_UPLOAD_DAYS = env_int("UNUSED_UPLOAD_DAYS", 7)
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024

# --- Auth ------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "chinhquyenso.accounts.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "chinhquyenso.accounts.backends.UsernameEmailPhoneBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home_for_role"
LOGOUT_REDIRECT_URL = "portal:home"

# Login throttling (django-axes): lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# Reverse proxies in front of the app (nginx: 1). The client address for throttling and rate
# limits is then taken from X-Forwarded-For instead of the proxy's own REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "chinhquyenso.core.ratelimit.client_ip"
# Self-registration and password-reset requests per client IP per hour (accounts views).
REGISTRATION_LIMIT_PER_HOUR = env_int("REGISTRATION_LIMIT_PER_HOUR", 20)
PASSWORD_RESET_LIMIT_PER_HOUR = env_int("PASSWORD_RESET_LIMIT_PER_HOUR", 10)

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"

# OpenID Connect login (VNeID or a provincial SSO); on only when OIDC_ISSUER is set.
OIDC_ISSUER = env_str("OIDC_ISSUER", "").rstrip("/")
OIDC_ENABLED = bool(OIDC_ISSUER)
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID", "chinhquyenso")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = env_str("OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_SCOPES", "openid email profile")
# Endpoints left empty come from {OIDC_ISSUER}/.well-known/openid-configuration, fetched on first
# use and cached (chinhquyenso.accounts.oidc), never at import time.
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_JWKS_ENDPOINT", "")
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 10)  # mozilla-django-oidc waits forever without it
OIDC_USE_PKCE = env_bool("OIDC_USE_PKCE", True)
# Does the provider vouch for the CCCD claim (VNeID does)? Only then is an existing citizen
# profile linked by CCCD and a new account marked identity-verified.
OIDC_CCCD_TRUSTED = env_bool("OIDC_CCCD_TRUSTED", True)
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "VNeID")
# Claim that carries the 12-digit personal identification number, when the provider sends one.
OIDC_CLAIM_CCCD = env_str("OIDC_CLAIM_CCCD", "cccd")
OIDC_VERIFY_SSL = env_bool("OIDC_VERIFY_SSL", True)
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
LOGIN_REDIRECT_URL_FAILURE = "accounts:login"
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("chinhquyenso.accounts.oidc.CitizenOIDCBackend")

# --- Security (production) -----------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "chinhquyenso.portal.views.csrf_failure"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is the domain owner's decision (hard to undo); off by choice, so not a warning.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- E-mail ------------------------------------------------------------------------------------
EMAIL_URL = env_str("EMAIL_URL", "")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Chính quyền số <no-reply@chinhquyenso.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Language and time ---------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
FORMAT_MODULE_PATH = ["chinhquyenso.formats"]
# The visitor's language choice (header switch) lasts a year; logged-in users also keep it on the account.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = PRODUCTION

# --- Providers and simulators -----------------------------------------------------------------
# Base URL of the local simulators process (`chinhquyenso simulators`); providers default to it.
SIMULATORS_URL = env_str("SIMULATORS_URL", "http://127.0.0.1:8765").rstrip("/")
SMS_PROVIDER = env_str("SMS_PROVIDER", "http")
SMS_API_URL = env_str("SMS_API_URL", f"{SIMULATORS_URL}/sms/api/send")
SMS_API_KEY = env_str("SMS_API_KEY", "sim-sms-key")
SMS_BRANDNAME = env_str("SMS_BRANDNAME", "CHINHQUYENSO")
ZALO_ZNS_URL = env_str("ZALO_ZNS_URL", f"{SIMULATORS_URL}/zalo/message/template")
ZALO_ACCESS_TOKEN = env_str("ZALO_ACCESS_TOKEN", "sim-zalo-token")
# Notifications (docs/notifications.md). Brandname SMS goes unaccented unless SMS_UNICODE is on.
SMS_UNICODE = env_bool("SMS_UNICODE", False)
# Where the SMS gateway posts delivery reports; empty = SITE_URL + /thong-bao/webhook/sms/.
SMS_CALLBACK_URL = env_str("SMS_CALLBACK_URL", "")
# Shared secrets that sign delivery reports. Production has no default: webhooks then refuse everything.
SMS_WEBHOOK_SECRET = get_secret("SMS_WEBHOOK_SECRET", production=False,
                                default="" if PRODUCTION else "sim-sms-webhook-secret")
ZALO_APP_ID = env_str("ZALO_APP_ID", "" if PRODUCTION else "sim-zalo-app")
ZALO_OA_SECRET_KEY = get_secret("ZALO_OA_SECRET_KEY", production=False,
                                default="" if PRODUCTION else "sim-zalo-oa-secret")
NOTIFICATIONS_MAX_ATTEMPTS = env_int("NOTIFICATIONS_MAX_ATTEMPTS", 6)

# --- Platform -----------------------------------------------------------------------------
# Locality data file loaded by `chinhquyenso demo` (another locality is another file).
LOCALITY_FILE = env_str("LOCALITY_FILE", str(BASE_DIR / "units" / "data" / "quangdien.json"))
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 12)
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 120)
# A submission after this local time (or on a day off) is counted from the next working day.
OFFICE_HOURS_END = env_str("OFFICE_HOURS_END", "17:00")
OFFICE_HOURS_START = env_str("OFFICE_HOURS_START", "07:00")
# Lunch break of the default office day (a unit may set its own hours in the admin).
OFFICE_HOURS_MORNING_END = env_str("OFFICE_HOURS_MORNING_END", "11:30")
OFFICE_HOURS_AFTERNOON_START = env_str("OFFICE_HOURS_AFTERNOON_START", "13:30")
# How long a process may serve a calendar it cached before re-reading the shared version key
# (bounds staleness of admin edits when several processes run without a shared Redis cache).
CALENDAR_CACHE_SECONDS = env_int("CALENDAR_CACHE_SECONDS", 300)
OFFICIAL_DOCUMENT_FONT = env_str("OFFICIAL_DOCUMENT_FONT", "Liberation Serif")

# --- Citizen feedback and Open311 (docs/feedback.md) ------------------------------------------
# Map background tiles ({z}/{x}/{y} URL of a tile server on your network). Empty: no background,
# the map shows our commune boundaries only and the list and typed address work as before.
FEEDBACK_MAP_TILES_URL = env_str("FEEDBACK_MAP_TILES_URL", "")
FEEDBACK_MAP_TILES_ATTRIBUTION = env_str("FEEDBACK_MAP_TILES_ATTRIBUTION", "")
# Reports whose point lies outside every commune go to this unit's coordinators (GSO code);
# empty = the first district of the unit tree.
FEEDBACK_FALLBACK_UNIT_CODE = env_str("FEEDBACK_FALLBACK_UNIT_CODE", "")
FEEDBACK_BOUNDARY_RECHECK_SECONDS = env_int("FEEDBACK_BOUNDARY_RECHECK_SECONDS", 60)
# Open311 GeoReport v2: jurisdiction_id (empty = accepted and ignored, one jurisdiction per endpoint),
# requests per minute per API key, and the largest page of GET requests.
OPEN311_JURISDICTION_ID = env_str("OPEN311_JURISDICTION_ID", "")
OPEN311_RATE_LIMIT_PER_MINUTE = env_int("OPEN311_RATE_LIMIT_PER_MINUTE", 60)
OPEN311_MAX_RESULTS = env_int("OPEN311_MAX_RESULTS", 1000)

# --- Payments and postal delivery (docs/payments.md, docs/delivery.md) -----------------------
# VNPAY PAY API 2.1.0. The defaults point at the local simulator (`chinhquyenso simulators`), which reads
# the same variables, so the demo works without a merchant account. Production has no default secret:
# without VNPAY_HASH_SECRET the gateway is switched off (no payment URL, every IPN refused).
VNPAY_TMN_CODE = env_str("VNPAY_TMN_CODE", "" if PRODUCTION else "CQSDEMO1")
VNPAY_HASH_SECRET = get_secret("VNPAY_HASH_SECRET", production=False,
                               default="" if PRODUCTION else "sim-vnpay-hash-secret-0123456789")
VNPAY_PAY_URL = env_str("VNPAY_PAY_URL", f"{SIMULATORS_URL}/vnpay/paymentv2/vpcpay.html")
VNPAY_API_URL = env_str("VNPAY_API_URL", f"{SIMULATORS_URL}/vnpay/merchant_webapi/api/transaction")
VNPAY_TIMEOUT = env_int("VNPAY_TIMEOUT_SECONDS", 15)
# The payment window a citizen gets (vnp_ExpireDate); after it, unconfirmed attempts are queried (querydr)
# and, when the gateway has no success either, expired.
VNPAY_EXPIRE_MINUTES = env_int("VNPAY_EXPIRE_MINUTES", 15)
# Postal public service (bưu chính công ích), VNPost-like JSON API; defaults to the simulator.
POSTAL_API_URL = env_str("POSTAL_API_URL", f"{SIMULATORS_URL}/postal/api")
POSTAL_API_KEY = get_secret("POSTAL_API_KEY", production=False, default="" if PRODUCTION else "sim-postal-key")
POSTAL_WEBHOOK_SECRET = get_secret("POSTAL_WEBHOOK_SECRET", production=False,
                                   default="" if PRODUCTION else "sim-postal-webhook-secret")
POSTAL_TIMEOUT = env_int("POSTAL_TIMEOUT_SECONDS", 15)

NINJA_PAGINATION_PER_PAGE = 50

# --- One-stop dossiers (docs/dossiers.md) ------------------------------------------------------
# A dossier is marked "sắp đến hạn" (due soon) when at most this many working days are left.
DOSSIER_DUE_SOON_DAYS = env_int("DOSSIER_DUE_SOON_DAYS", 1)
# Public lookup by code + secret: attempts allowed per client address in 10 minutes.
DOSSIER_LOOKUP_RATE_LIMIT = env_int("DOSSIER_LOOKUP_RATE_LIMIT", 30)

# --- Digitisation (docs/digitization.md) -------------------------------------------------------
# Largest scan upload (MB per file), most pages per scan job, and Tesseract's time limit per page.
DIGITIZATION_MAX_UPLOAD_MB = env_int("DIGITIZATION_MAX_UPLOAD_MB", 50)
DIGITIZATION_MAX_PAGES = env_int("DIGITIZATION_MAX_PAGES", 300)
DIGITIZATION_OCR_TIMEOUT_SECONDS = env_int("DIGITIZATION_OCR_TIMEOUT_SECONDS", 180)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "chinhquyenso.core.logging.MaskPersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_personal_data"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
