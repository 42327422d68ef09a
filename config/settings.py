"""Closeout settings: everything comes from the environment (see README "Configuration").

The defaults are the embedded default: SQLite, kombu's filesystem broker and mail written
as one .eml per message, all under var/, so a first run needs no server. DEBUG=0 alone turns
on production hardening.
"""

from pathlib import Path
from typing import Any

import environ
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)

# Everything the embedded default writes (database, broker, mail, evidence, beat schedule).
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var"))).resolve()

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str(
    "SECRET_KEY",
    default="django-insecure-closeout-development-key-change-me-in-production-0123456789",
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Number of reverse proxies in front of the app whose X-Forwarded-For entries are trusted.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "allauth",
    "accounts.apps.SignInAddressesConfig",  # allauth.account, renamed in the admin
    "allauth.mfa",
    "accounts",
    "providers",
    "cases",
]

MIDDLEWARE = [
    "config.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML is compressed here; static files never get this far (WhiteNoise serves its own
    # pre-compressed copies above). Safe against BREACH: every response's CSRF token is
    # masked afresh, and Django pads each gzip stream with random bytes (Heal The Breach).
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffSecondFactorMiddleware",
    "accounts.middleware.UserTimeZoneMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": [
                "django.templatetags.i18n",
                "django_htmx.templatetags.django_htmx",
                "accounts.templatetags.dates",
            ],
        },
    },
]
# Django's widget templates, the plain inputs among them written in Python (faster, same HTML).
FORM_RENDERER = "config.form_renderer.FastWidgetRenderer"

# --- Data ------------------------------------------------------------------------------------

DATABASES = {
    "default": env.db(
        "DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'closeout.sqlite3'}",
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite creates the file but not its folder: any command on a fresh checkout (`check
    # --deploy` included) would otherwise stop at "unable to open database file".
    if (_sqlite_name := str(DATABASES["default"]["NAME"])) != ":memory:":
        Path(_sqlite_name).parent.mkdir(parents=True, exist_ok=True)
    # Web, worker and beat share one file: WAL lets readers run beside the writer, IMMEDIATE
    # takes the write lock up front so transactions wait instead of failing mid-way.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests get a file of their own rather than Django's shared in-memory database: the live
    # server hands that one connection to every request thread, and two overlapping browser
    # requests then fail with "bad parameter or other API misuse".
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://closeout")}

REDIS_URL = env.str("REDIS_URL", default="")
# The host is ignored by the filesystem transport, but without one kombu warns on every use.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://localhost/")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        # kombu's default is "control" in the current directory.
        "control_folder": str(_broker_dir / "control"),
    }
# On Redis, visibility_timeout is set with the reminder settings below (it follows their retries).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="closeout")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# Sends and sweeps on queues of their own, both consumed by every worker (no -Q needed): a backlog
# of sends never holds the next sweep back (kombu takes turns between a worker's queues).
CELERY_SWEEP_QUEUE = f"{CELERY_TASK_DEFAULT_QUEUE}-sweep"
CELERY_TASK_QUEUES = [
    Queue(name, routing_key=name) for name in (CELERY_TASK_DEFAULT_QUEUE, CELERY_SWEEP_QUEUE)
]
CELERY_TASK_ROUTES = {"cases.tasks.sweep_reminders": {"queue": CELERY_SWEEP_QUEUE}}
# No remote-control channel beside the task channel: with one, a Redis crash can make kombu 5.7
# close the task channel after detaching its transport and end the worker with an AttributeError
# (docs/worker-broker-crash.md). Workers also run --without-gossip --without-mingle.
CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
# Explicit, as Celery 6 flips the default to True. A send that has begun is left to finish and
# mark its row sent (its redelivered copy then finds no lease and does nothing); cancelling it
# would cut it off mid-SMTP, the one way a reminder can go out twice.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# Each worker records that it is alive this often (cases/reminders/heartbeat.py): in the database
# for the staff dashboard, and in WORKER_HEARTBEAT_FILE, if set, for a container health check.
WORKER_HEARTBEAT_SECONDS = env.int("WORKER_HEARTBEAT_SECONDS", default=30)
WORKER_HEARTBEAT_FILE = env.str("WORKER_HEARTBEAT_FILE", default="")

# --- Mail ------------------------------------------------------------------------------------

DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Closeout <no-reply@closeout.local>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
MAIL_DIR = env.path("MAIL_DIR", default=VAR_DIR / "mail")
_smtp_url = env.str("SMTP_URL", default="")
if _smtp_url:
    _smtp = environ.Env.email_url_config(_smtp_url)
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _smtp["EMAIL_HOST"],
                "port": _smtp["EMAIL_PORT"],
                "username": _smtp.get("EMAIL_HOST_USER") or None,
                "password": _smtp.get("EMAIL_HOST_PASSWORD") or None,
                "use_tls": bool(_smtp.get("EMAIL_USE_TLS")),
                "use_ssl": bool(_smtp.get("EMAIL_USE_SSL")),
                "timeout": env.int("SMTP_TIMEOUT", default=10),
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "config.mail.EmlFileBackend",
            "OPTIONS": {"file_path": str(MAIL_DIR)},
        }
    }

# --- Inbound email (cases/inbound/) -------------------------------------------------------------

# Each case has a private address case-<token>@INBOUND_DOMAIN; the domain's MX points at the
# ESP (webhook), at a mail server piping to `manage.py receive_email`, or at the SMTP listener.
INBOUND_DOMAIN = env.str("INBOUND_DOMAIN", default="in.closeout.local").lower()
# The small SMTP listener `bin/run` starts (manage.py inbound_smtp); 0 turns it off.
INBOUND_SMTP_HOST = env.str("INBOUND_SMTP_HOST", default="127.0.0.1")
INBOUND_SMTP_PORT = env.int("INBOUND_SMTP_PORT", default=2525)
INBOUND_MAX_BYTES = env.int("INBOUND_MAX_BYTES", default=25 * 1024 * 1024)
INBOUND_MAX_PARTS = env.int("INBOUND_MAX_PARTS", default=100)
INBOUND_MAX_DEPTH = env.int("INBOUND_MAX_DEPTH", default=8)
INBOUND_MAX_ATTACHMENTS = env.int("INBOUND_MAX_ATTACHMENTS", default=10)
# Emails one address takes in an hour; more are dropped (a loop, a flood).
INBOUND_RATE_LIMIT_PER_HOUR = env.int("INBOUND_RATE_LIMIT_PER_HOUR", default=20)
# django-anymail's inbound webhooks (/inbound/<esp>/): refused unless WEBHOOK_SECRET is set
# (HTTP basic auth, every ESP) and, for ESPs that sign, their signing key.
ANYMAIL = {
    "WEBHOOK_SECRET": env.str("ANYMAIL_WEBHOOK_SECRET", default=""),
    "MAILGUN_WEBHOOK_SIGNING_KEY": env.str("MAILGUN_WEBHOOK_SIGNING_KEY", default=""),
}

# --- Auth ------------------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 10 * 60
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 5
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    # allauth applies "login" to the view, where there is no key yet; login_failed is per key.
    "login": "20/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "request_login_code": "10/m/ip,3/5m/key",
    "signup": "20/m/ip,5/5m/key",
    # Not allauth's: anonymous drafts are rows anyone can create (cases.views.start).
    "start_case": "30/h/ip",
    # Not allauth's either: evidence uploads (cases.evidence.views), per signed-in user.
    "upload_evidence": "60/h/user,20/m/ip",
    # Nor this: "Report a wrong detail" on the public provider pages (cases.directory.views).
    "report_channel": "10/h/ip",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Closeout: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "request_login_code": "accounts.forms.RequestCodeForm",
    "confirm_login_code": "accounts.forms.ConfirmCodeForm",
    "login": "accounts.forms.StaffLoginForm",
}
# Unknown addresses get an account and a code; the only addresses left without a code are
# staff and inactive accounts, and they get no mail at all (same page, nothing to tell apart).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_LOGOUT_ON_GET = False
# Staff pass a TOTP second factor before the admin and the staff area (accounts/middleware.py).
# Off by default with DEBUG on, so the demo logins printed by bin/run work without an app.
STAFF_MFA_REQUIRED = env.bool("STAFF_MFA_REQUIRED", default=not DEBUG)

# --- Internationalisation ----------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
# One date and one date-and-time shape per language (config/formats/); times carry their zone
# where it is not the viewer's (the `when` filter, accounts/templatetags/dates.py).
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True

# --- Static files and evidence ------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
EVIDENCE_ROOT = env.path("EVIDENCE_ROOT", default=VAR_DIR / "evidence")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Evidence never lives under a public URL: it is served by a view that checks access.
    "evidence": {
        "BACKEND": env.str(
            "EVIDENCE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": env.json("EVIDENCE_STORAGE_OPTIONS", default={})
        or {"location": str(EVIDENCE_ROOT), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
EVIDENCE_MAX_UPLOAD_BYTES = env.int("EVIDENCE_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
EVIDENCE_MAX_FILES_PER_UPLOAD = env.int("EVIDENCE_MAX_FILES_PER_UPLOAD", default=5)
# Width × height an uploaded image may have; more is refused before it is decoded.
EVIDENCE_MAX_IMAGE_PIXELS = env.int("EVIDENCE_MAX_IMAGE_PIXELS", default=50_000_000)
# One decoded image's memory (width × height × bytes a pixel): larger ones are refused
# before decoding, except JPEGs, which are decoded at 1/2, 1/4 or 1/8 of their size to fit.
EVIDENCE_MAX_IMAGE_DECODED_BYTES = env.int(
    "EVIDENCE_MAX_IMAGE_DECODED_BYTES", default=128 * 1024 * 1024
)
EVIDENCE_MAX_FILES_PER_CASE = env.int("EVIDENCE_MAX_FILES_PER_CASE", default=50)
EVIDENCE_MAX_BYTES_PER_CASE = env.int("EVIDENCE_MAX_BYTES_PER_CASE", default=100 * 1024 * 1024)
EVIDENCE_MAX_BYTES_PER_CUSTOMER = env.int(
    "EVIDENCE_MAX_BYTES_PER_CUSTOMER", default=500 * 1024 * 1024
)
# Evidence and line identifiers of completed and withdrawn cases go after this; the customer is
# warned CASE_RETENTION_WARNING_DAYS before, with a link to the proof pack.
CASE_RETENTION_DAYS = env.int("CASE_RETENTION_DAYS", default=180)
CASE_RETENTION_WARNING_DAYS = env.int("CASE_RETENTION_WARNING_DAYS", default=14)
# Packs with more evidence than this are built by a Celery task; the file is kept a day.
PROOF_PACK_SYNC_MAX_BYTES = env.int("PROOF_PACK_SYNC_MAX_BYTES", default=20 * 1024 * 1024)
PROOF_PACK_KEEP_SECONDS = env.int("PROOF_PACK_KEEP_SECONDS", default=24 * 60 * 60)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Closeout rules (DESIGN.md "Reminders") -----------------------------------------------------

IDENTITY_DOCUMENT_RETENTION_DAYS = env.int("IDENTITY_DOCUMENT_RETENTION_DAYS", default=30)
UNCLAIMED_DRAFT_RETENTION_DAYS = env.int("UNCLAIMED_DRAFT_RETENTION_DAYS", default=7)
# A create form's used one-time token (cases/once.py) is kept this long, then purged.
FORM_SUBMISSION_KEEP_DAYS = env.int("FORM_SUBMISSION_KEEP_DAYS", default=7)
BILLING_CYCLE_DAYS = env.int("BILLING_CYCLE_DAYS", default=35)
TYPICAL_REVIEW_DAYS = env.int("TYPICAL_REVIEW_DAYS", default=3)
TYPICAL_OPERATOR_DAYS = env.int("TYPICAL_OPERATOR_DAYS", default=7)
REMINDER_INTERVAL_GROWTH = env.float("REMINDER_INTERVAL_GROWTH", default=2.0)
REMINDER_INTERVAL_CAP_DAYS = env.int("REMINDER_INTERVAL_CAP_DAYS", default=14)
REMINDER_SWEEP_SECONDS = env.int("REMINDER_SWEEP_SECONDS", default=5 * 60)
REMINDER_SWEEP_BATCH = env.int("REMINDER_SWEEP_BATCH", default=200)
REMINDER_LEASE_SECONDS = env.int("REMINDER_LEASE_SECONDS", default=15 * 60)
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=5)
# Mail errors retry after base, 2×base, 4×base… seconds, each wait capped (cases/tasks.py keeps
# the cap under the broker's visibility timeout, or a waiting retry would be delivered twice).
REMINDER_RETRY_BACKOFF_SECONDS = env.int("REMINDER_RETRY_BACKOFF_SECONDS", default=60)
REMINDER_RETRY_BACKOFF_MAX_SECONDS = env.int("REMINDER_RETRY_BACKOFF_MAX_SECONDS", default=30 * 60)
REMINDER_SNOOZE_MAX_DAYS = env.int("REMINDER_SNOOZE_MAX_DAYS", default=90)
# The cancellation notice: its follow-up is due this many days after it was sent.
NOTICE_ANSWER_DAYS = env.int("NOTICE_ANSWER_DAYS", default=14)
# An escalated case waits on an ombudsman or regulator: reminders at this slower, fixed rhythm.
ESCALATED_REMINDER_DAYS = env.int("ESCALATED_REMINDER_DAYS", default=21)
# The public provider pages publish a figure only when it rests on at least this many finished
# cases (cases/stats.py rounds it too), so that no single customer's case can be inferred.
PUBLIC_STATS_MIN_CASES = env.int("PUBLIC_STATS_MIN_CASES", default=20)
if not CELERY_BROKER_URL.startswith("filesystem://"):
    # Redis hands a task that was delivered but not acknowledged to another worker after this
    # long. A send waiting out its longest retry is such a task (held unacknowledged until its
    # time comes), so the timeout is that longest wait plus a lease for the send itself; shorter,
    # and every long retry would run twice. cases/reminders/checks.py refuses settings that
    # break this.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": REMINDER_RETRY_BACKOFF_MAX_SECONDS + REMINDER_LEASE_SECONDS
    }
# How often the staff stats page's numbers are recomputed (cases/stats.py).
STATS_SECONDS = env.int("STATS_SECONDS", default=60 * 60)
CELERY_BEAT_SCHEDULE = {
    "sweep-reminders": {
        "task": "cases.tasks.sweep_reminders",
        "schedule": REMINDER_SWEEP_SECONDS,
        # A sweep that waited out an outage is stale: the next one does the same work.
        "options": {"expires": REMINDER_SWEEP_SECONDS},
    },
    "purge-evidence": {
        "task": "cases.tasks.purge_expired_evidence",
        "schedule": 24 * 60 * 60,
        "options": {"expires": 60 * 60},
    },
    "purge-proof-packs": {
        "task": "cases.tasks.purge_expired_proof_packs",
        "schedule": 60 * 60,
        "options": {"expires": 60 * 60},
    },
    "purge-unclaimed-drafts": {
        "task": "cases.tasks.purge_unclaimed_drafts",
        "schedule": 60 * 60,
        "options": {"expires": 60 * 60},
    },
    "purge-form-submissions": {
        "task": "cases.tasks.purge_form_submissions",
        "schedule": 24 * 60 * 60,
        "options": {"expires": 60 * 60},
    },
    # Asks every few minutes; the digest goes out once a day from AGENT_DIGEST_HOUR.
    "agent-digest": {
        "task": "cases.tasks.send_agent_digest",
        "schedule": 5 * 60,
        "options": {"expires": 5 * 60},
    },
    # Emails whose processing was never queued (Redis down) or whose task died: queued again.
    "requeue-inbound-mail": {
        "task": "cases.tasks.requeue_inbound_mail",
        "schedule": 5 * 60,
        "options": {"expires": 5 * 60},
    },
    "compute-stats": {
        "task": "cases.tasks.compute_stats",
        "schedule": STATS_SECONDS,
        "options": {"expires": STATS_SECONDS},
    },
}
CUSTOMER_MAIL_HOURS = (
    env.int("CUSTOMER_MAIL_START_HOUR", default=8),
    env.int("CUSTOMER_MAIL_END_HOUR", default=20),
)
FOLLOW_UP_HOUR = env.int("FOLLOW_UP_HOUR", default=9)
AGENT_DIGEST_HOUR = env.int("AGENT_DIGEST_HOUR", default=8)
AGENT_DIGEST_TIME_ZONE = env.str("AGENT_DIGEST_TIME_ZONE", default="Europe/London")
# One digest to this team address instead of one to each agent.
AGENT_DIGEST_TO = env.str("AGENT_DIGEST_TO", default="")

# --- Security --------------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Health probes come from inside the cluster over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    # Preload is a one-way door for the whole domain; an operator opts in on purpose.
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=["security.W021"])

# --- Logging ---------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "config.logging.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stdout"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING", "propagate": True}},
}
