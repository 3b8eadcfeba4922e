"""The one settings module: every deployment value comes from the environment.

See docs/settings.md for each variable. A bad value raises ``SettingsError`` at import;
the ``regiotafel`` command turns that into one Dutch line and exit code 2.
"""

from datetime import timedelta
from pathlib import Path

from regiotafel import config
from regiotafel.core import content_policy
from regiotafel.ops import config as ops_config
from regiotafel.sharedstate import config as shared_state

ENV = config.environment()
BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = config.data_dir(ENV)

DEBUG = config.env_bool(ENV, "DEBUG", default=False)
# PostgreSQL through psycopg's pool: at most DB_POOL_MAX connections per process
# (docs/serving.md, "Database connections"); SQLite in WAL mode with a busy timeout.
DB_POOL = config.Pool(
    min_size=config.env_int(ENV, "DB_POOL_MIN", default=1, minimum=0),
    max_size=config.env_int(ENV, "DB_POOL_MAX", default=4, minimum=1),
    timeout=config.env_int(ENV, "DB_POOL_TIMEOUT", default=10, minimum=1),
)
DATABASES = {"default": config.database_config(ENV, data_dir=DATA_DIR, pool=DB_POOL)}
EMBEDDED_DATABASE = not ENV.get("DATABASE_URL", "").strip()
SECRET_KEY = config.secret_key(ENV, data_dir=DATA_DIR, embedded=EMBEDDED_DATABASE)
BSN_HASH_KEY = config.bsn_hash_key(ENV, data_dir=DATA_DIR, embedded=EMBEDDED_DATABASE)
ALLOWED_HOSTS = config.env_list(ENV, "ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = config.env_list(ENV, "CSRF_TRUSTED_ORIGINS", default=[])
# Reverse proxies whose X-Forwarded-For is believed (core/middleware.py client_ip).
TRUSTED_PROXIES = config.trusted_proxies(ENV)

# regiotafel serve: gunicorn (docs/serving.md). Threads per worker should not exceed
# DB_POOL_MAX, or requests wait for a connection.
WEB_BIND = config.web_bind(ENV)
WEB_WORKERS = config.env_int(ENV, "WEB_WORKERS", default=2, minimum=1)
WEB_THREADS = config.env_int(ENV, "WEB_THREADS", default=4, minimum=1)
WEB_TIMEOUT = config.env_int(ENV, "WEB_TIMEOUT", default=60, minimum=1)
WEB_GRACEFUL_TIMEOUT = config.env_int(ENV, "WEB_GRACEFUL_TIMEOUT", default=30, minimum=1)
WEB_KEEPALIVE = config.env_int(ENV, "WEB_KEEPALIVE", default=5, minimum=0)

# /gezond (regiotafel/ops/health.py): when a load balancer should stop sending traffic.
HEALTH_DB_TIMEOUT_MS = config.env_int(ENV, "HEALTH_DB_TIMEOUT_MS", default=2000, minimum=1)
HEALTH_MAX_QUEUE_LAG_SECONDS = config.env_int(
    ENV, "HEALTH_MAX_QUEUE_LAG_SECONDS", default=300, minimum=1
)
HEALTH_MIN_WORKERS = config.env_int(ENV, "HEALTH_MIN_WORKERS", default=1, minimum=0)
HEALTH_MAX_SCHEDULER_AGE_SECONDS = config.env_int(
    ENV, "HEALTH_MAX_SCHEDULER_AGE_SECONDS", default=300, minimum=1
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "regiotafel.core",
    "regiotafel.capacity",
    "regiotafel.waitlist",
    "regiotafel.projection",
    "regiotafel.portfolio",
    "regiotafel.plans",
    "regiotafel.accounts",
    "regiotafel.ops",
    "regiotafel.notifications",
    "django_tasks",
    "django_tasks_db",
    "regiotafel.sharedstate",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    "regiotafel.core.middleware.RequestLogMiddleware",  # first: the request id, one log line
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "regiotafel.problems.ApiResponseMiddleware",
    "regiotafel.core.limits.RequestLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "regiotafel.core.security.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "regiotafel.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "regiotafel.core.middleware.AuditContextMiddleware",
    "regiotafel.core.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "regiotafel.urls"
WSGI_APPLICATION = "regiotafel.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Accounts (docs/settings.md, "Security of accounts"): axes counts failed logins per user name
# and address in the database, so every process sees them; regiotafel.accounts.lockout adds
# the growing lock. Every deployment enforces the second factor; the switch is per region.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "regiotafel.accounts.lockout.BackoffDatabaseHandler"
AXES_FAILURE_LIMIT = config.env_int(ENV, "AXES_FAILURE_LIMIT", default=5, minimum=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = "regiotafel.accounts.lockout.cool_off"
AXES_LOCKOUT_CALLABLE = "regiotafel.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "regiotafel.core.middleware.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_DISABLE_ACCESS_LOG = True  # the audit log already records every login
AXES_VERBOSE = False
ACCOUNTS_COOLOFF = timedelta(
    minutes=config.env_int(ENV, "AXES_COOLOFF_MINUTES", default=5, minimum=1)
)
ACCOUNTS_COOLOFF_MAX = timedelta(
    minutes=config.env_int(ENV, "AXES_COOLOFF_MAX_MINUTES", default=60, minimum=1)
)
ACCOUNTS_FAILURE_MEMORY = timedelta(hours=24)
TWO_FACTOR_ENFORCED = True
OTP_TOTP_ISSUER = "Regiotafel"

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
                "regiotafel.core.context_processors.navigation_context",
                "regiotafel.notifications.context.badge",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "regiotafel.accounts.validators.DutchMinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "nl"
# Dutch only until an English catalogue exists: mixing languages on one page helps nobody.
LANGUAGES = [("nl", "Nederlands")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise serves from the finders; it wants the folder
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
# Hashed names once collectstatic wrote its manifest (regiotafel serve does); plain names
# from the finders before that (the demo, tests). core/static_storage.py, docs/serving.md.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "regiotafel.core.static_storage.HashedStaticFiles"},
}
WHITENOISE_AUTOREFRESH = DEBUG
# Cached for ever (immutable): collected names with their content hash, and the vendored
# libraries, whose file names carry their version also where nothing is collected (the demo).
WHITENOISE_IMMUTABLE_FILE_TEST = (
    r"(\.[0-9a-f]{12}\.\w+|/regiotafel/vendor/[^/]+-\d+\.\d+\.\d+\.[^/]*)$"
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# State shared by every process and machine (docs/operations.md, "Shared state"): Django's
# cache framework, the database cache by default (its tables come with `regiotafel migrate`),
# Redis when REDIS_URL is set.
CACHES = shared_state.caches(ENV.get("REDIS_URL", ""))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60  # one working shift
# Transport security (docs/settings.md): on by default for a real deployment (DATABASE_URL set,
# DEBUG off); the embedded demo on plain http://127.0.0.1 keeps working without TLS.
SECURE_DEPLOYMENT = not DEBUG and not EMBEDDED_DATABASE
SESSION_COOKIE_SECURE = config.env_bool(ENV, "SECURE_COOKIES", default=SECURE_DEPLOYMENT)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True  # pages send the token in a header from the template, never JS
SECURE_HSTS_SECONDS = config.env_int(
    ENV, "HSTS_SECONDS", default=365 * 24 * 3600 if SESSION_COOKIE_SECURE else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = config.env_bool(ENV, "HSTS_INCLUDE_SUBDOMAINS", default=False)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# A strict Content-Security-Policy (django-csp): scripts and styles only from our own files,
# never inline (core/content_policy.py; docs/decisions.md, "Personal data in one place").
CONTENT_SECURITY_POLICY = content_policy.policy()
# The technical error page (DEBUG on) shows no secret, environment variable or form value.
DEFAULT_EXCEPTION_REPORTER_FILTER = "regiotafel.core.security.SafeReporterFilter"

NINJA_PAGINATION_PER_PAGE = 50

# Hostile input is refused before it is read (regiotafel/core/limits.py, core/tabular.py).
MAX_UPLOAD_MB = config.env_int(ENV, "MAX_UPLOAD_MB", default=20, minimum=1)
MAX_IMPORT_ROWS = config.env_int(ENV, "MAX_IMPORT_ROWS", default=50_000, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # a JSON body or a form without its files
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # a larger upload waits in a temporary file

# Rejected rows of a waiting-list import are kept this long for the uploader (waitlist.rejected).
REJECTED_ROWS_MINUTES = config.env_int(ENV, "REJECTED_ROWS_MINUTES", default=30, minimum=1)

# Background work (docs/operations.md): Django's tasks API (the django-tasks backport) on the
# database queue; `regiotafel worker` runs the jobs with leases and the periodic jobs below.
TASKS = ops_config.tasks(
    ENV.get("TASKS_BACKEND", "database"),
    ENV.get("REDIS_URL", ""),
    ENV.get("TASKS_REDIS_PREFIX", ""),
)
TASK_LEASE_SECONDS = config.env_int(ENV, "TASK_LEASE_SECONDS", default=60, minimum=5)
TASK_MAX_ATTEMPTS = config.env_int(ENV, "TASK_MAX_ATTEMPTS", default=3, minimum=1)
TASK_RETENTION_DAYS = config.env_int(ENV, "TASK_RETENTION_DAYS", default=14, minimum=1)
# Intervals of the periodic jobs in seconds; 0 switches one off.
SCHEDULE_EXPIRE_CLAIMS_SECONDS = config.env_int(ENV, "SCHEDULE_EXPIRE_CLAIMS_SECONDS", default=60)
SCHEDULE_STALE_WARNINGS_SECONDS = config.env_int(
    ENV, "SCHEDULE_STALE_WARNINGS_SECONDS", default=15 * 60
)
SCHEDULE_CLEAR_SESSIONS_SECONDS = config.env_int(
    ENV, "SCHEDULE_CLEAR_SESSIONS_SECONDS", default=3600
)
SCHEDULE_PRUNE_TASKS_SECONDS = config.env_int(ENV, "SCHEDULE_PRUNE_TASKS_SECONDS", default=3600)
SCHEDULE_REQUEUE_PLANS_SECONDS = config.env_int(ENV, "SCHEDULE_REQUEUE_PLANS_SECONDS", default=120)
SCHEDULE_PURGE_REJECTED_SECONDS = config.env_int(
    ENV, "SCHEDULE_PURGE_REJECTED_SECONDS", default=300
)
SCHEDULE_AXES_CLEANUP_SECONDS = config.env_int(ENV, "SCHEDULE_AXES_CLEANUP_SECONDS", default=3600)
# Onward placement from Wlz crisis beds: warn before and when the deadline passes (waitlist.onward)
SCHEDULE_ONWARD_DEADLINES_SECONDS = config.env_int(
    ENV, "SCHEDULE_ONWARD_DEADLINES_SECONDS", default=3600
)
# Warnings for claims about to expire unanswered (notifications/periodic.py).
SCHEDULE_EXPIRY_WARNINGS_SECONDS = config.env_int(
    ENV, "SCHEDULE_EXPIRY_WARNINGS_SECONDS", default=60
)

# E-mail of notifications (docs/notifications.md, docs/settings.md): SMTP when EMAIL_HOST is
# set, else printed on the console (the demo). SITE_URL makes the links in e-mails absolute.
EMAIL_HOST = ENV.get("EMAIL_HOST", "").strip()
EMAIL_BACKEND = ENV.get("EMAIL_BACKEND", "").strip() or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = config.env_int(ENV, "EMAIL_PORT", default=587, minimum=1)
EMAIL_HOST_USER = ENV.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = ENV.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = config.env_bool(ENV, "EMAIL_USE_TLS", default=bool(EMAIL_HOST))
EMAIL_TIMEOUT = config.env_int(ENV, "EMAIL_TIMEOUT", default=20, minimum=1)
DEFAULT_FROM_EMAIL = ENV.get("DEFAULT_FROM_EMAIL", "").strip() or "Regiotafel <noreply@localhost>"
SITE_URL = ENV.get("SITE_URL", "").strip() or "http://127.0.0.1:8000"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_query": {"()": "regiotafel.core.security.StripQueryString"}},
    "formatters": {
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
        "line": {"format": "{message}", "style": "{"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        # the development server's access log, without query strings (a search for a surname)
        "server": {
            "class": "logging.StreamHandler",
            "formatter": "server",
            "filters": ["no_query"],
        },
        # one JSON line per request (core/middleware.py RequestLogMiddleware), on stdout
        "request": {"class": "regiotafel.core.logs.LineHandler", "formatter": "line"},
    },
    "loggers": {
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
        "regiotafel.request": {"handlers": ["request"], "level": "INFO", "propagate": False},
        # the pool's retries while the database is down: a command says so in one Dutch
        # line; `regiotafel serve` logs them (ops/serve.py)
        "psycopg.pool": {"level": "ERROR"},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
}
