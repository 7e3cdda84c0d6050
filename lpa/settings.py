"""Settings for LPA, read from environment variables.

Development defaults are safe: DEBUG is off unless asked for, the database is a SQLite
file beside the project. Production sets at least SECRET_KEY, ALLOWED_HOSTS and
DATABASE_URL. Bad values fail loudly at start-up rather than half-working.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

# The fallback key is for development and tests only; `check --deploy` flags it (security.W009),
# so a production start-up check catches a missing SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY") or "django-insecure-lpa-development-only-key"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "core",
    "accounts",
    "organizations",
    "assessments",
    "reviews",
    "notifications",
    "results",
    "exports",
    "feedback",
    "training",
    "guide",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_tasks",
    "django_tasks_db",
]
# Demo accounts, the national dataset and the benchmark's data (seed_demo,
# generate_national_round): development, tests, `make run` and `make bench`. Production leaves
# them out with LPA_DEMO=0.
if env_bool("LPA_DEMO", True):
    INSTALLED_APPS.append("demo")

# The cache: shared by every app server and worker through Redis when REDIS_URL is set
# (redis://host:6379/0), this process's memory otherwise (make run, make test).
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        # LPA_CACHE_KEY_PREFIX: a deployment's own keys when several share one Redis (staging
        # beside production; the benchmark's databases).
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("LPA_CACHE_KEY_PREFIX") or "lpa",
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# A signed-in request reads its session, its user and the user's roles. With a shared cache
# none of them costs a database query: sessions are kept in the cache as well as in the
# database (cached_db: a lost cache loses no session), and the user with their roles is
# cached for LPA_USER_CACHE_SECONDS (accounts/user_cache.py), invalidated in every process
# when the user or a role changes. Without a shared cache each process would keep its own
# copy, and a deactivation or a sign-out seen by one would be missed by the others: both stay
# in the database there.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"
)
LPA_USER_CACHE_SECONDS = env_int("LPA_USER_CACHE_SECONDS", 300 if REDIS_URL else 0)
if LPA_USER_CACHE_SECONDS < 0:
    raise ImproperlyConfigured(f"LPA_USER_CACHE_SECONDS must be 0 (off) or more, not {LPA_USER_CACHE_SECONDS}")
if LPA_USER_CACHE_SECONDS and not REDIS_URL:
    raise ImproperlyConfigured("LPA_USER_CACHE_SECONDS needs REDIS_URL: a per-process cache would miss deactivations")

# Background jobs (long exports): django-tasks, the backport of Django 6's django.tasks, with
# its database backend: the queue lives in our database (no other service to run), a job is
# enqueued in the same transaction as its Export row, and `manage.py db_worker` runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

MIDDLEWARE = [
    # Every response, probes included, carries its request id (core/log_context.py).
    "core.log_context.RequestIdMiddleware",
    # Load-balancer probes are answered before host checks and the HTTPS redirect.
    "lpa.probes.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The Content-Security-Policy below on every response that has none of its own.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lpa.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A NUL in a URL is a 404 (path) or a 400 (query), not a 500 from the database.
    "core.middleware.RefuseControlCharactersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A one-time password handed out for a training day is changed before anything else.
    "training.first_sign_in.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lpa.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
                "notifications.context_processors.unread",
                "guide.context_processors.help_link",
            ],
            "builtins": ["core.templatetags.thai_dates", "core.templatetags.labels"],
        },
    },
]

WSGI_APPLICATION = "lpa.wsgi.application"

# DATABASE_URL selects the database (postgres://user@host:5432/name); unset means SQLite.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database must take a handful of people saving at once: WAL lets readers go on
    # while one writes; IMMEDIATE takes the write lock when a transaction starts, so a save waits
    # (up to the timeout, in seconds) instead of failing with "database is locked" when it upgrades
    # a read lock that another writer holds.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        timeout=20,
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.UsernameOrEmailBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Failed-login throttling (django-axes): lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Behind a load balancer every request comes from its address: LPA_TRUSTED_PROXIES says how
# many proxies stand in front of the app (0: none), and the client is the address the
# outermost of them put in X-Forwarded-For (accounts/client_address.py).
LPA_TRUSTED_PROXIES = env_int("LPA_TRUSTED_PROXIES", 0)
AXES_CLIENT_IP_CALLABLE = "accounts.client_address.client_address"

LANGUAGE_CODE = "th"
LANGUAGES = [("th", "ไทย"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the site's root on their own (/favicon.ico), served by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds before a hanging mail server gives up (the worker sending a batch waits this long).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
# Notification emails are sent by the background worker (notifications/sending.py). A message
# refused for now is tried again after LPA_MAIL_RETRY_SECONDS, then twice as long each time
# up to LPA_MAIL_RETRY_MAX_SECONDS, LPA_MAIL_MAX_ATTEMPTS times in all; then it is marked
# failed (admin, `manage.py retry_failed_mail`). 8 attempts: about two hours.
LPA_MAIL_MAX_ATTEMPTS = env_int("LPA_MAIL_MAX_ATTEMPTS", 8)
LPA_MAIL_RETRY_SECONDS = env_int("LPA_MAIL_RETRY_SECONDS", 60)
LPA_MAIL_RETRY_MAX_SECONDS = env_int("LPA_MAIL_RETRY_MAX_SECONDS", 3600)
if LPA_MAIL_MAX_ATTEMPTS < 1 or LPA_MAIL_RETRY_SECONDS < 1 or LPA_MAIL_RETRY_MAX_SECONDS < LPA_MAIL_RETRY_SECONDS:
    raise ImproperlyConfigured(
        "LPA_MAIL_MAX_ATTEMPTS and LPA_MAIL_RETRY_SECONDS must be at least 1, "
        "and LPA_MAIL_RETRY_MAX_SECONDS at least LPA_MAIL_RETRY_SECONDS"
    )
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "LPA <no-reply@localhost>")
# Where the links in notification emails point (no trailing slash).
LPA_SITE_URL = os.environ.get("LPA_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Evidence files live outside MEDIA_ROOT and are served only through a permission-checked view.
LPA_EVIDENCE_ROOT = Path(os.environ.get("LPA_EVIDENCE_ROOT", BASE_DIR / "evidence"))
LPA_EVIDENCE_MAX_BYTES = env_int("LPA_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)  # per file
LPA_EVIDENCE_MAX_ITEMS = env_int("LPA_EVIDENCE_MAX_ITEMS", 20)  # per indicator

# Exports built in the background (exports app); the web and the worker must share this folder.
LPA_EXPORTS_ROOT = Path(os.environ.get("LPA_EXPORTS_ROOT", BASE_DIR / "exports-files"))

# Where evidence and export files are kept (core/storage.py): the two folders above (`local`,
# the default) or one private S3-compatible bucket (`s3`), each kind under its own key prefix.
# Downloads are always checked by a view; with LPA_STORAGE_REDIRECT the view then sends the
# browser to a presigned address valid for LPA_STORAGE_URL_SECONDS instead of streaming.
LPA_STORAGE = os.environ.get("LPA_STORAGE", "local").strip().lower()
LPA_STORAGE_REDIRECT = env_bool("LPA_STORAGE_REDIRECT", False)
LPA_STORAGE_URL_SECONDS = env_int("LPA_STORAGE_URL_SECONDS", 300)
if not 1 <= LPA_STORAGE_URL_SECONDS <= 7 * 24 * 3600:  # S3 signs for at most seven days
    raise ImproperlyConfigured(f"LPA_STORAGE_URL_SECONDS must be 1 to 604800, not {LPA_STORAGE_URL_SECONDS}")
if LPA_STORAGE == "local":
    if LPA_STORAGE_REDIRECT:
        raise ImproperlyConfigured("LPA_STORAGE_REDIRECT needs LPA_STORAGE=s3: local files have no address to redirect to")
    STORAGES["evidence"] = {"BACKEND": "assessments.storage.EvidenceStorage"}
    STORAGES["exports"] = {"BACKEND": "exports.storage.ExportStorage"}
elif LPA_STORAGE == "s3":
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("LPA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME")
    _S3 = {
        "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,  # None: Amazon S3 itself
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        # None: boto3 finds credentials itself (its environment variables, a profile, an instance role).
        "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
        "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
        "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,  # "path" for many S3-compatible stores
        "signature_version": os.environ.get("AWS_S3_SIGNATURE_VERSION", "s3v4"),
        # Private objects (the bucket's own policy), signed addresses, and never a file replaced.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": LPA_STORAGE_URL_SECONDS,
        "file_overwrite": False,
        # A file being read spills to a temporary file past this size instead of staying in memory.
        "max_memory_size": 2 * 1024 * 1024,
    }
    STORAGES["evidence"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_S3, "location": os.environ.get("LPA_S3_EVIDENCE_PREFIX", "evidence").strip("/")},
    }
    STORAGES["exports"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_S3, "location": os.environ.get("LPA_S3_EXPORTS_PREFIX", "exports").strip("/")},
    }
else:
    raise ImproperlyConfigured(f"LPA_STORAGE must be local or s3, not {LPA_STORAGE!r}")

# /readyz answers 503 when the oldest background task has waited longer than this (seconds):
# no worker is draining the queue.
LPA_READY_MAX_QUEUE_AGE = env_int("LPA_READY_MAX_QUEUE_AGE", 300)

# Largest upload the registry and user imports accept (bytes).
LPA_IMPORT_MAX_BYTES = env_int("LPA_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Security: strict whenever DEBUG is off; `check --deploy` passes with no warnings.
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Pages load only this site's own scripts, styles, fonts and frames: no inline <script>, no
# style="…" (templates use the classes of static/css/lpa.css). Responses that set their own
# policy keep it (django-csp leaves an existing header alone): evidence downloads and previews
# are sandboxed more strictly (assessments/views/evidence.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: for the images Bootstrap's stylesheet draws (select arrows, check marks).
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        # The evidence preview frames this site's own evidence_view.
        "frame-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Logs: one JSON object a line (what a log collector reads) unless LOG_FORMAT=text or DEBUG;
# every line of a request carries its request id, every line of a background task its task
# id (core/log_context.py).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "core.log_context.ContextFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(task_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s%(task_id)s] %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["context"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every layout step at INFO.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}

# Errors: to Sentry when SENTRY_DSN is set; otherwise Django mails them to ADMINS
# ("Name <address>, Name <address>") when DEBUG is off.
ADMINS = [tuple(part.strip() for part in item.rstrip(">").split("<")) for item in env_list("ADMINS", [])]
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", os.environ.get("DEFAULT_FROM_EMAIL", "LPA <no-reply@localhost>"))
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        release=os.environ.get("SENTRY_RELEASE") or None,
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        send_default_pii=False,  # names and addresses of officials stay out of the error reports
    )

CSRF_FAILURE_VIEW = "lpa.views.csrf_failure"
