"""Settings for jxq_cases: one file, driven by the environment, with defaults that need no service.

Without any environment variable the product runs on a SQLite file and Celery's filesystem broker,
both under ``var/``; production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY and ALLOWED_HOSTS.
"""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from jxq_cases.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("JXQ_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# Without DATABASE_URL the product runs on its embedded defaults (one machine, SQLite): a developer's
# or a trial installation, where debug pages help. Any installation that names its database is taken
# for a real one and defaults to DEBUG off, which then requires SECRET_KEY.
EMBEDDED_DEFAULTS = not env_str("DATABASE_URL")
DEBUG = env_bool("DEBUG", EMBEDDED_DEFAULTS)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    # the product, bottom layer first: data flows org -> intake -> dispatch -> reporting
    "org",
    "intake",
    "dispatch",
    "proactive",
    "reporting",
    # the composition root: demo data and commands that span every app
    "jxq_cases",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "jxq_cases.urls"
WSGI_APPLICATION = "jxq_cases.wsgi.application"

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
                # who is signed in, their units, unread notifications and the nav of their role (issue 5)
                "dispatch.views.page_header",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'jxq_cases.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves one street on one machine; WAL lets the web server, the worker
    # and beat share the file without "database is locked" on every concurrent write.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

# Uploads through the web are refused by size before they are parsed (docs/domain.md §8 imports).
IMPORT_UPLOAD_MAX_BYTES = env_int("IMPORT_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "jxq_cases.lib.api_errors.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "jxq_cases API",
    "DESCRIPTION": "Case management for a Beijing street office's 12345 hotline work (接诉即办).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # one name per choice set shared by several serializers (tickets, filters, workflow actions)
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "intake.models.Status",
        "TicketKindEnum": "intake.models.Kind",
        "SupervisionEnum": "intake.models.Supervision",
    },
}

# Celery: Redis in production; kombu's filesystem transport by default so that `make run` needs no
# broker. Queues live under var/celery/.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _celery_dir = VAR_DIR / "celery"
    for _sub in ("out", "processed"):
        (_celery_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "out"),
        "data_folder_out": str(_celery_dir / "out"),
        "data_folder_processed": str(_celery_dir / "processed"),
    }
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Redis hands an unacknowledged message to another worker once it has been out for the
    # visibility timeout: a job is redelivered that long after its worker died. It must exceed the
    # longest job and the longest retry countdown, or a job still running is handed out twice
    # (docs/architecture.md, "Jobs and faults"). Abandoned messages are looked for every tenth of it.
    _visibility = env_int("CELERY_VISIBILITY_TIMEOUT", 600)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": _visibility,
        "unacked_restore_interval": max(1, min(30, _visibility // 10)),
        "unacked_restore_throttle": 1,
        # a broker that is down or unreachable must not hold a web request for long
        "socket_connect_timeout": env_int("CELERY_BROKER_CONNECT_TIMEOUT", 2),
        "socket_timeout": env_int("CELERY_BROKER_SOCKET_TIMEOUT", 5),
    }
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECT_TIMEOUT", 2)
# Publishing from a request: a second attempt after 0.2 s, then the broker is reported unavailable
# (503) by jxq_cases.lib.jobs instead of the request hanging: a refused connection answers at once,
# an unreachable host within two connect timeouts, a broker that accepts and says nothing within
# the socket timeout.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", None)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
# A job's message is acknowledged when the job has finished, not when it starts; a worker process
# killed mid-job (out of memory, a deploy) puts the message back so that the job runs again. Every
# job is idempotent for this (each replaces its period's result or claims its rows under lock).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The beat schedule, in Asia/Shanghai time. Each app adds its periodic jobs here; the database
# scheduler copies them into django-celery-beat's tables, where the admin can change them.
CELERY_BEAT_SCHEDULE: dict = {}

# Proactive handling (未诉先办, docs/proactive.md): the similarity measure, its thresholds and the hot
# spot job. score = text x (BASE + CATEGORY x same category + PLACE x place + TIME x time closeness).
PROACTIVE_WEIGHT_WORDS = float(env_str("PROACTIVE_WEIGHT_WORDS", "0.5"))  # words vs character bigrams in text
PROACTIVE_WEIGHT_BASE = float(env_str("PROACTIVE_WEIGHT_BASE", "0.4"))
PROACTIVE_WEIGHT_CATEGORY = float(env_str("PROACTIVE_WEIGHT_CATEGORY", "0.15"))
PROACTIVE_WEIGHT_PLACE = float(env_str("PROACTIVE_WEIGHT_PLACE", "0.3"))
PROACTIVE_WEIGHT_TIME = float(env_str("PROACTIVE_WEIGHT_TIME", "0.15"))
PROACTIVE_TIME_SCALE_DAYS = float(env_str("PROACTIVE_TIME_SCALE_DAYS", "14.0"))
# "probably the same matter" from this score on (precision/recall on the labelled set in the doc)
PROACTIVE_SAME_MATTER_THRESHOLD = float(env_str("PROACTIVE_SAME_MATTER_THRESHOLD", "0.14"))
PROACTIVE_SIMILAR_WINDOW_DAYS = env_int("PROACTIVE_SIMILAR_WINDOW_DAYS", 90)  # how far back the lookup looks
PROACTIVE_SIMILAR_LIMIT = env_int("PROACTIVE_SIMILAR_LIMIT", 10)
PROACTIVE_CANDIDATES = env_int("PROACTIVE_CANDIDATES", 200)  # re-ranked exactly per lookup
PROACTIVE_MINHASH_PERMUTATIONS = env_int("PROACTIVE_MINHASH_PERMUTATIONS", 32)  # the hot spot job reads all
PROACTIVE_LSH_BANDS = env_int("PROACTIVE_LSH_BANDS", 16)  # band keys stored per ticket for the lookup
PROACTIVE_LSH_ROWS = env_int("PROACTIVE_LSH_ROWS", 1)
PROACTIVE_INDEX_BATCH = env_int("PROACTIVE_INDEX_BATCH", 2000)
PROACTIVE_HOTSPOT_DAYS = env_int("PROACTIVE_HOTSPOT_DAYS", 90)
PROACTIVE_HOTSPOT_MIN_TICKETS = env_int("PROACTIVE_HOTSPOT_MIN_TICKETS", 3)
PROACTIVE_HOTSPOT_THRESHOLD = float(env_str("PROACTIVE_HOTSPOT_THRESHOLD", "0.18"))
# runs whose window ended longer ago are deleted by the job (cases keep their own copy of the matter)
PROACTIVE_HOTSPOT_KEEP_DAYS = env_int("PROACTIVE_HOTSPOT_KEEP_DAYS", 62)
# Workflow early warning (docs/workflow.md): mark tickets due soon / overdue and notify, every 5 minutes.
CELERY_BEAT_SCHEDULE["dispatch-deadline-warnings"] = {
    "task": "dispatch.mark_deadline_warnings",
    "schedule": crontab(minute="*/5"),
}
CELERY_BEAT_SCHEDULE["dispatch-prune-form-tokens"] = {
    "task": "dispatch.prune_form_tokens",
    "schedule": crontab(hour=3, minute=10),
}
CELERY_BEAT_SCHEDULE["proactive-index-signatures"] = {
    "task": "proactive.tasks.index_signatures",
    "schedule": 300.0,
}
CELERY_BEAT_SCHEDULE["proactive-find-hotspots"] = {
    "task": "proactive.tasks.find_hotspots",
    "schedule": crontab(hour=2, minute=30),
}

# Reporting (issue 4, docs/reporting.md): the name the work report speaks for, and its batch jobs.
REPORTING_STREET_NAME = env_str("REPORTING_STREET_NAME", "酒仙桥街道")
CELERY_BEAT_SCHEDULE["reporting-nightly-snapshot"] = {
    "task": "reporting.nightly_snapshot",  # the leadership snapshot of the day
    "schedule": crontab(hour=23, minute=0),
}
CELERY_BEAT_SCHEDULE["reporting-daily-ranking"] = {
    "task": "reporting.daily_ranking",  # the units' month-to-date ranking, after the snapshot
    "schedule": crontab(hour=23, minute=15),
}
CELERY_BEAT_SCHEDULE["reporting-weekly-analysis"] = {
    "task": "reporting.weekly_analysis",  # last week, Monday morning
    "schedule": crontab(hour=7, minute=30, day_of_week="mon"),
}
CELERY_BEAT_SCHEDULE["reporting-monthly-bulletin"] = {
    "task": "reporting.monthly_bulletin",  # last month, on the 1st
    "schedule": crontab(hour=8, minute=0, day_of_month="1"),
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "jxq-cases@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

if not DEBUG:
    SESSION_COOKIE_HTTPONLY = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
