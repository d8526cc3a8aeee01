"""Django settings for cchc.

Everything that differs between machines comes from the environment (see README.md,
"Configuration"); the defaults are safe for development on one machine.
"""

import datetime as dt
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from cchc.lib.env import env_bool, env_int, env_int_list, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(env_str("CCHC_VAR_DIR", str(PROJECT_DIR / "var")))

DJANGO_ENV = env_str("DJANGO_ENV", "development")
# --- Production (issue 8): refuse to start half-configured (docs/deploy.md) ---------------
if DJANGO_ENV not in ("development", "production"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"DJANGO_ENV must be development or production, got {DJANGO_ENV!r}.")
if DJANGO_ENV == "production":
    # Every missing variable is named at once, so one failed start tells the operator all.
    _missing = [
        name
        for name in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL")
        if not env_str(name, "").strip()
    ]
    if _missing:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs the environment variable(s) "
            + ", ".join(_missing)
            + " (see docs/deploy.md)."
        )
# --- end of the production start-up check ---------------------------------------------------
DEBUG = env_bool("DJANGO_DEBUG", DJANGO_ENV == "development")

if DJANGO_ENV == "development":
    # A per-checkout development key, never used in production (which requires the env var).
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-" + str(PROJECT_DIR))
else:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY")

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
if DJANGO_ENV != "development" and not ALLOWED_HOSTS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is required outside development.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
    # Security (issue 8): login throttling, two-factor (TOTP), optional OpenID Connect.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "cchc.core",
    "cchc.plans",
    "cchc.indicators",
    "cchc.procedures",
    "cchc.feedback",
    "cchc.surveys",
    "cchc.scoring",
    "cchc.reports",
    "cchc.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Inside the CSP middleware: a download's own sandbox policy is set first and kept.
    "cchc.core.security.middleware.DownloadHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cchc.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cchc.core.security.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "cchc.urls"
WSGI_APPLICATION = "cchc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cchc.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'cchc.sqlite3'}"),
        # Production keeps connections for a minute (a new PostgreSQL connection costs a few
        # milliseconds per request) and checks them before reuse, so a restarted server or a
        # fail-over to a replica costs one retry, not a 500.
        conn_max_age=env_int("CCHC_DB_CONN_MAX_AGE", 60 if DJANGO_ENV == "production" else 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the job worker use the file at the same time.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "timeout": 20}
    )
    DATABASES["default"]["TEST"] = (
        {"NAME": str(VAR_DIR / "test.sqlite3")} if env_bool("CCHC_TEST_DB_ON_DISK", False) else {}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SESSION_COOKIE_AGE = env_int("CCHC_SESSION_SECONDS", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# --- Security (issue 8): login throttling, two-factor, CSP, API tokens, optional OIDC -------
# (HSTS, secure cookies and SSL redirects live in the production block.)
AUTHENTICATION_BACKENDS = [
    # Counts failed logins and refuses locked-out ones; the model backend checks the password.
    "cchc.core.security.backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# django-axes: lock a username from one address after N failures; failures older than the
# cool-off are forgotten, so the count is "N within the cool-off window".
AXES_FAILURE_LIMIT = env_int("CCHC_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("CCHC_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/security/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# The same client address as the other rate limits: REMOTE_ADDR, set by a trusted proxy.
AXES_CLIENT_IP_CALLABLE = "cchc.lib.ratelimit.client_ip"

# Two-factor (TOTP) is required of the roles that approve, appraise or administer.
# Required wherever DJANGO_ENV is not "development"; on a developer's machine (make run, the
# demo) it is off unless CCHC_REQUIRE_2FA=1, so the demo logins work without a phone.
CCHC_REQUIRE_2FA = env_bool("CCHC_REQUIRE_2FA", DJANGO_ENV != "development")
OTP_TOTP_ISSUER = env_str("CCHC_OTP_ISSUER", "CCHC")

# Content-Security-Policy (django-csp 4): no inline script or style anywhere (STYLE.md §4).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# API tokens: every token expires, at most this many days after it is issued.
CCHC_TOKEN_MAX_DAYS = env_int("CCHC_TOKEN_MAX_DAYS", 365)

# Optional single sign-on through the province's OpenID Connect provider: on only when the
# client id is set; people are matched to existing accounts, never created.
CCHC_OIDC_ENABLED = bool(env_str("CCHC_OIDC_CLIENT_ID", ""))
if CCHC_OIDC_ENABLED:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.append("cchc.core.security.oidc.ExistingUserOIDCBackend")
    OIDC_RP_CLIENT_ID = env_str("CCHC_OIDC_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = env_str("CCHC_OIDC_CLIENT_SECRET")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("CCHC_OIDC_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = env_str("CCHC_OIDC_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = env_str("CCHC_OIDC_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = env_str("CCHC_OIDC_JWKS_ENDPOINT", "")
    OIDC_RP_SIGN_ALGO = env_str("CCHC_OIDC_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = "openid email profile"
    OIDC_CREATE_USER = False
# --- end of the security block -----------------------------------------------------------

# Internationalisation: Vietnamese first, English second.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [Path(env_str("CCHC_LOCALE_DIR", str(PACKAGE_DIR / "locale")))]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["cchc.formats"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
NODE_MODULES = PROJECT_DIR / "node_modules"
# Front-end packages come from npm (package-lock.json) and are served by the app itself.
STATICFILES_DIRS = [
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
    PACKAGE_DIR / "static",  # the app's own assets: cchc/app.css, cchc/app.js
]
STORAGES = {
    # Local files are written under a temporary name and renamed when complete (no half files).
    "default": {"BACKEND": "cchc.lib.storage.AtomicFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("CCHC_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"  # never served directly: downloads go through permission-checked views

# A job still "running" after this long lost its worker (killed, rebooted): cchc.core.stale_jobs.
CCHC_JOB_STALE_MINUTES = env_int("CCHC_JOB_STALE_MINUTES", 120)

# Uploads (evidence files): limits are checked by content in cchc.lib.uploads.
CCHC_UPLOAD_MAX_BYTES = env_int("CCHC_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
# Plan documents and appendices: a real plan is well under 1 MB; larger files are refused unread.
CCHC_IMPORT_MAX_BYTES = env_int("CCHC_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
# Dossier files from the one-stop system: a year of a large agency is a few hundred MB of CSV.
CCHC_DOSSIER_MAX_BYTES = env_int("CCHC_DOSSIER_MAX_BYTES", 500 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The import review page posts about eight fields a task; 5,000 covers a 600-task plan.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Reminders (đôn đốc): days before the due date; an agency may override in its settings.
CCHC_REMINDER_DAYS = env_int_list("CCHC_REMINDER_DAYS", [7, 1])
CCHC_DUE_SOON_DAYS = env_int("CCHC_DUE_SOON_DAYS", 7)
CCHC_BASE_URL = env_str("CCHC_BASE_URL", "http://127.0.0.1:8000")

# Computed figures (the service metrics of a period) are cached, keyed by the version of their
# inputs (``cchc.procedures.freshness``), so a cached figure is never stale; the timeout only
# bounds the room taken by figures nobody asks for again. CCHC_CACHE chooses where: "file" (the
# production default) shares one cache between the processes of the machine, so a figure is
# computed once for all the web workers and survives their recycling; "locmem" (development and
# tests) keeps one per process. With CCHC_REDIS_URL (below) every machine shares one.
CCHC_CACHE = env_str("CCHC_CACHE", "file" if DJANGO_ENV == "production" else "locmem")
if CCHC_CACHE not in ("file", "locmem"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"CCHC_CACHE must be file or locmem, got {CCHC_CACHE!r}.")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache"
        if CCHC_CACHE == "file"
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": str(VAR_DIR / "cache") if CCHC_CACHE == "file" else "cchc",
        "OPTIONS": {"MAX_ENTRIES": env_int("CCHC_CACHE_MAX_ENTRIES", 5000)},
    }
}
CCHC_METRICS_CACHE_SECONDS = env_int("CCHC_METRICS_CACHE_SECONDS", 3600)

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "cchc@localhost")

TASKS = {
    "default": {
        "BACKEND": env_str("CCHC_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cchc.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "cchc.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "cchc API",
    "DESCRIPTION": "Administrative reform plans, tasks and evidence (cải cách hành chính).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("CCHC_LOG_LEVEL", "INFO").upper()},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Production (issue 8): HTTPS behind a reverse proxy, media storage, cache ---------------
# docs/deploy.md explains each variable; deploy/ holds the gunicorn, nginx and systemd files.
if DJANGO_ENV == "production":
    # The proxy terminates TLS and says so in X-Forwarded-Proto (deploy/nginx.conf sets it,
    # overwriting whatever a client sent), so request.is_secure() holds for HTTPS requests.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Django redirects plain HTTP itself unless the proxy is trusted to do it (CCHC_SSL_REDIRECT=0).
    SECURE_SSL_REDIRECT = env_bool("CCHC_SSL_REDIRECT", True)
    if not SECURE_SSL_REDIRECT:
        # The redirect happens in the proxy, where check --deploy cannot see it.
        SILENCED_SYSTEM_CHECKS = ["security.W008"]
    SECURE_HSTS_SECONDS = env_int("CCHC_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CCHC_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("CCHC_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Only needed when a form is posted from another origin (e.g. a portal embedding a survey).
    CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
    # Collected by `cchc collectstatic` under CCHC_VAR_DIR/static; WhiteNoise serves the hashed
    # names with a year-long cache header, compressed (STORAGES above picks the manifest storage
    # whenever DEBUG is off).
    STATIC_ROOT = Path(env_str("CCHC_STATIC_ROOT", str(STATIC_ROOT)))

# Media (evidence, imports, generated reports) on an S3-compatible store when a bucket is named:
# several web and worker machines then share the files. Local disk otherwise.
CCHC_S3_BUCKET = env_str("CCHC_S3_BUCKET", "")
if CCHC_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": CCHC_S3_BUCKET,
            "endpoint_url": env_str("CCHC_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("CCHC_S3_REGION", "") or None,
            "access_key": env_str("CCHC_S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("CCHC_S3_SECRET_ACCESS_KEY", "") or None,
            "location": env_str("CCHC_S3_PREFIX", ""),
            # Files are private: downloads go through permission-checked views, never a public URL.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            # Path-style addressing works with MinIO and Ceph as well as with AWS.
            "addressing_style": env_str("CCHC_S3_ADDRESSING_STYLE", "path"),
        },
    }

# Optional Redis cache shared by every process; sessions are then read from it and still
# written to the database, so a Redis restart logs nobody out.
CCHC_REDIS_URL = env_str("CCHC_REDIS_URL", "")
if CCHC_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CCHC_REDIS_URL,
            "KEY_PREFIX": "cchc",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# --- end of the production block -------------------------------------------------------------
