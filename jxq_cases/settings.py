"""Settings for jxq_cases: one file, driven by the environment, with defaults that need no service.

Without any environment variable the product runs on a SQLite file and Celery's filesystem broker,
both under ``var/``; production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY and ALLOWED_HOSTS.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from jxq_cases.lib.env import env_bool, env_float, env_int, env_list, env_str, env_time

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
# The key of the caller hash (intake.search_columns.caller_key) that links a caller's tickets without
# showing the number. Derived from SECRET_KEY unless set; changing it needs `manage.py
# refresh_search_columns` (the stored hashes are recomputed).
CALLER_KEY = env_str("CALLER_KEY") or "caller-key:" + SECRET_KEY
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
    "knox",  # API tokens: stored hashed, with an expiry (org/auth.py)
    "axes",  # lockout after repeated failed sign-ins
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    # the product, bottom layer first: no app imports one below it in this list (tests/project/test_layers.py)
    "org",
    "intake",
    "dispatch",
    "proactive",
    "reporting",
    # the top floor: demo data played through every app's real code (docs/architecture.md "Layers")
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # a NUL character in the address: 400 before any view (PostgreSQL text cannot hold it)
    "jxq_cases.lib.middleware.refuse_nul_characters",
    # static files before sessions and the rest: a stylesheet needs no session, user or language
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # last: turns a sign-in that django-axes refused into the lockout page or JSON (org/auth.py)
    "axes.middleware.AxesMiddleware",
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
    # The report tallies' keys treat "no unit" as one value (NULLS NOT DISTINCT), which SQLite cannot
    # declare; on SQLite the tallies are not used (the reports count the tickets: reporting.tally.in_use)
    SILENCED_SYSTEM_CHECKS = ["models.W047"]
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles every query the planner costs above jit_above_cost before running it;
    # for the pages' joins at a million tickets that was 100-200 ms of compiling for queries that then
    # ran in 10 ms (docs/performance.md, "JIT"). The product asks many small questions: off.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"

# Every password set through add_user, the admin or the password page passes these (docs/architecture.md
# "Authentication"): at least 12 characters, not close to the username or display name, not a common
# password, not all digits.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "display_name", "first_name", "last_name", "email")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes checks every sign-in first (the page, the admin, the token endpoint) and refuses it
# while its username is locked out from that address; the model backend then checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout: after LOGIN_FAILURE_LIMIT wrong passwords for one username from one address, that pair is
# refused for LOGIN_COOLOFF_MINUTES. Locking by username and address together, not by address alone:
# a street office's staff share one NAT address, and one person's typos must not lock the office out.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # a correct password forgives the typos before it
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # "try again in 15 minutes" stays true
AXES_LOCKOUT_CALLABLE = "org.auth.lockout_response"
AXES_VERBOSE = False
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
# WhiteNoise serves /static/ from the app itself, in every setup (docs/architecture.md "Production").
# DEBUG off: gzipped files with content-hashed names, from the manifest that collectstatic writes (the
# image runs it at build), cached for a year; a template naming a file the manifest lacks fails loudly
# instead of serving a page without its stylesheet. DEBUG on (make run, make test): the files straight
# from static/ and the apps, re-read on change, no collectstatic needed. Both follow DEBUG as the
# environment sets it, not pytest-django's runtime override.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

# Uploads through the web are refused by size before they are parsed (docs/domain.md §8 imports).
IMPORT_UPLOAD_MAX_BYTES = env_int("IMPORT_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# API tokens (django-rest-knox): POST /api/v1/auth/token/ issues one that expires API_TOKEN_TTL_HOURS
# later; its holder revokes it with POST /api/v1/auth/token/revoke/, an administrator in the admin.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env_int("API_TOKEN_TTL_HOURS", 24)),
    "AUTO_REFRESH": False,  # the expiry given with the token holds: a client renews by asking again
    "AUTH_HEADER_PREFIX": "Token",
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "org.auth.ApiTokenAuthentication",
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

# The cache (Django's cache framework): what anonymous pages have computed, and the rate limiter's
# counters. CACHE_URL names a Redis database; without it the broker's Redis when the broker is Redis,
# else files under var/cache/ (`make run`: shared by the web and worker processes, no service needed;
# its counters are not atomic, which only a development server can live with).
_broker_redis = CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
CACHE_URL = env_str("CACHE_URL", _broker_redis) or ""
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "jxq-cache",
            "OPTIONS": {
                "socket_connect_timeout": env_int("CELERY_BROKER_CONNECT_TIMEOUT", 2),
                "socket_timeout": env_int("CELERY_BROKER_SOCKET_TIMEOUT", 5),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
# Anonymous pages (the public report): how long a computed answer is served again, and how many
# requests one address may make (django-ratelimit's "N/s|m|h" syntax) before a 429. Behind a proxy,
# RATELIMIT_IP_META_KEY names the header that carries the client's address (the proxy must set it).
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 300)
PUBLIC_RATE_LIMIT = env_str("PUBLIC_RATE_LIMIT", "30/m")
RATELIMIT_IP_META_KEY = env_str("RATELIMIT_IP_META_KEY", None)
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
# The beat schedule, in the street's time zone (Beijing time). Each app adds its periodic jobs here; the database
# scheduler copies them into django-celery-beat's tables, where the admin can change them.
CELERY_BEAT_SCHEDULE: dict = {}

# Proactive handling (未诉先办, docs/proactive.md): the similarity measure, its thresholds and the hot
# spot job. The score is a logistic model over what the texts share, scaled by the context; its coefficients
# are fitted on the labelled pairs (proactive/similarity_model.json, bench/similarity_fit.py).
PROACTIVE_TIME_SCALE_DAYS = env_float("PROACTIVE_TIME_SCALE_DAYS", 14.0)
PROACTIVE_TEXT_FLOOR = env_float("PROACTIVE_TEXT_FLOOR", 0.03)  # characters less alike than this never match
# "probably the same matter" from this score on: the highest cross-validated recall on hard_dev.csv at
# which the cross-validated precision is 0.90 on both dev sets (bench/similarity_fit.py; every set's
# precision/recall in the doc)
PROACTIVE_SAME_MATTER_THRESHOLD = env_float("PROACTIVE_SAME_MATTER_THRESHOLD", 0.49)
PROACTIVE_SIMILAR_WINDOW_DAYS = env_int("PROACTIVE_SIMILAR_WINDOW_DAYS", 90)  # how far back the lookup looks
# Search and repeat callers (docs/intake.md "Search"): the shortest and longest search, the window of
# "this caller's Nth request"
SEARCH_MIN_CHARS = env_int("SEARCH_MIN_CHARS", 2)
SEARCH_MAX_CHARS = env_int("SEARCH_MAX_CHARS", 100)
# a ticket-number prefix, phone tail or name matching more tickets is not searched: "type more of it"
SEARCH_MATCH_LIMIT = env_int("SEARCH_MATCH_LIMIT", 1000)
REPEAT_CALLER_DAYS = env_int("REPEAT_CALLER_DAYS", 90)
PROACTIVE_SIMILAR_LIMIT = env_int("PROACTIVE_SIMILAR_LIMIT", 10)
PROACTIVE_CANDIDATES = env_int("PROACTIVE_CANDIDATES", 200)  # re-ranked exactly per lookup
PROACTIVE_MINHASH_PERMUTATIONS = env_int("PROACTIVE_MINHASH_PERMUTATIONS", 32)  # the hot spot job reads all
PROACTIVE_LSH_BANDS = env_int("PROACTIVE_LSH_BANDS", 16)  # band keys stored per ticket for the lookup
PROACTIVE_LSH_ROWS = env_int("PROACTIVE_LSH_ROWS", 1)
PROACTIVE_INDEX_BATCH = env_int("PROACTIVE_INDEX_BATCH", 2000)
PROACTIVE_HOTSPOT_DAYS = env_int("PROACTIVE_HOTSPOT_DAYS", 90)
PROACTIVE_HOTSPOT_MIN_TICKETS = env_int("PROACTIVE_HOTSPOT_MIN_TICKETS", 3)
PROACTIVE_HOTSPOT_THRESHOLD = env_float("PROACTIVE_HOTSPOT_THRESHOLD", 0.7)
# runs whose window ended longer ago are deleted by the job (cases keep their own copy of the matter)
PROACTIVE_HOTSPOT_KEEP_DAYS = env_int("PROACTIVE_HOTSPOT_KEEP_DAYS", 62)
# The triage assistant (docs/proactive.md "Triage assistant"): history it learns from, when it stays silent.
PROACTIVE_TRIAGE_HISTORY_DAYS = env_int("PROACTIVE_TRIAGE_HISTORY_DAYS", 365)
PROACTIVE_TRIAGE_MIN_TICKETS = env_int("PROACTIVE_TRIAGE_MIN_TICKETS", 100)  # fewer routed tickets: no model
PROACTIVE_TRIAGE_MIN_CONFIDENCE = env_float("PROACTIVE_TRIAGE_MIN_CONFIDENCE", 0.3)  # below: no suggestion
PROACTIVE_TRIAGE_CO_UNIT_SHARE = env_float("PROACTIVE_TRIAGE_CO_UNIT_SHARE", 0.3)
PROACTIVE_TRIAGE_KEEP_MODELS = env_int("PROACTIVE_TRIAGE_KEEP_MODELS", 5)
# Workflow early warning (docs/workflow.md): mark tickets due soon / overdue and notify, every 5 minutes.
CELERY_BEAT_SCHEDULE["dispatch-deadline-warnings"] = {
    "task": "dispatch.mark_deadline_warnings",
    "schedule": crontab(minute="*/5"),
}
CELERY_BEAT_SCHEDULE["dispatch-prune-form-tokens"] = {
    "task": "dispatch.prune_form_tokens",
    "schedule": crontab(hour=3, minute=10),
}
# Notices outside the app (docs/notifications.md): WeCom group robots and webhooks, sent by the workers.
NOTIFY_TIMEOUT_SECONDS = env_float("NOTIFY_TIMEOUT_SECONDS", 5.0)  # per POST; a slower endpoint counts as failed
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 5)  # then the delivery is failed and the center sees it
NOTIFY_RETRY_SECONDS = env_float("NOTIFY_RETRY_SECONDS", 30.0)  # first wait; doubles after each failed try
NOTIFY_RETRY_MAX_SECONDS = env_float("NOTIFY_RETRY_MAX_SECONDS", 300.0)  # below CELERY_VISIBILITY_TIMEOUT
# plain http:// to a loopback host (a local receiver): development and tests only
NOTIFY_ALLOW_HTTP_LOOPBACK = env_bool("NOTIFY_ALLOW_HTTP_LOOPBACK", DEBUG)
NOTIFY_SITE_URL = env_str("NOTIFY_SITE_URL", "")  # e.g. https://jxq.example.gov.cn: links in the notices
CELERY_BEAT_SCHEDULE["dispatch-requeue-deliveries"] = {
    "task": "dispatch.requeue_deliveries",
    "schedule": 60.0,
}
# Places (docs/geography.md): tickets left unplaced after an import; lessons from the street's history.
CELERY_BEAT_SCHEDULE["dispatch-place-tickets"] = {
    "task": "dispatch.place_tickets",
    "schedule": crontab(minute="*/10"),
}
CELERY_BEAT_SCHEDULE["dispatch-learn-places"] = {
    "task": "dispatch.learn_places",
    "schedule": crontab(hour=3, minute=20),
}
CELERY_BEAT_SCHEDULE["proactive-index-signatures"] = {
    "task": "proactive.tasks.index_signatures",
    "schedule": 300.0,
}
CELERY_BEAT_SCHEDULE["proactive-find-hotspots"] = {
    "task": "proactive.tasks.find_hotspots",
    "schedule": crontab(hour=2, minute=30),
}
CELERY_BEAT_SCHEDULE["proactive-train-triage-model"] = {
    "task": "proactive.tasks.train_triage_model",
    "schedule": crontab(hour=3, minute=30),
}

# Reporting (issue 4, docs/reporting.md): the name the work report speaks for, and its batch jobs.
REPORTING_STREET_NAME = env_str("REPORTING_STREET_NAME", "酒仙桥街道")
# The district of that street: a single-street database migrates into this district (docs/district.md).
REPORTING_DISTRICT_NAME = env_str("REPORTING_DISTRICT_NAME", "朝阳区")
# The leaders look at the day on their phones at 23:00: the nightly snapshot runs well before (HH:MM, Beijing
# time); the daily ranking and the leaders' digest follow 15 minutes later.
REPORTING_NIGHTLY_AT = env_time("REPORTING_NIGHTLY_AT", "22:30")
_NIGHTLY_FOLLOW_UP = divmod(REPORTING_NIGHTLY_AT[0] * 60 + REPORTING_NIGHTLY_AT[1] + 15, 60)
_NIGHTLY_FOLLOW_UP = (_NIGHTLY_FOLLOW_UP[0] % 24, _NIGHTLY_FOLLOW_UP[1])
CELERY_BEAT_SCHEDULE["reporting-nightly-snapshot"] = {
    "task": "reporting.every_street",  # once per street, as a group of independent tasks (docs/district.md)
    "args": ["reporting.nightly_snapshot"],  # the leadership snapshot of the day
    "schedule": crontab(hour=REPORTING_NIGHTLY_AT[0], minute=REPORTING_NIGHTLY_AT[1]),
}
CELERY_BEAT_SCHEDULE["reporting-daily-ranking"] = {
    "task": "reporting.every_street",  # once per street, as a group of independent tasks (docs/district.md)
    "args": ["reporting.daily_ranking"],  # the units' month-to-date ranking, after the snapshot
    "schedule": crontab(hour=_NIGHTLY_FOLLOW_UP[0], minute=_NIGHTLY_FOLLOW_UP[1]),
}
CELERY_BEAT_SCHEDULE["reporting-leaders-digest"] = {
    "task": "reporting.leaders_digest",  # each leader's evening figures, from the snapshot, by their channels
    "schedule": crontab(hour=_NIGHTLY_FOLLOW_UP[0], minute=_NIGHTLY_FOLLOW_UP[1]),
}
CELERY_BEAT_SCHEDULE["reporting-fold-tallies"] = {
    "task": "reporting.fold_tallies",  # the day's ticket changes into the monthly tallies (reporting.tally)
    "schedule": crontab(minute="*/10"),
}
CELERY_BEAT_SCHEDULE["reporting-weekly-analysis"] = {
    "task": "reporting.every_street",  # once per street, as a group of independent tasks (docs/district.md)
    "args": ["reporting.weekly_analysis"],  # last week, Monday morning
    "schedule": crontab(hour=7, minute=30, day_of_week="mon"),
}
CELERY_BEAT_SCHEDULE["reporting-monthly-bulletin"] = {
    "task": "reporting.every_street",  # once per street, as a group of independent tasks (docs/district.md)
    "args": ["reporting.monthly_bulletin"],  # last month, on the 1st
    "schedule": crontab(hour=8, minute=0, day_of_month="1"),
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "jxq-cases@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint reports each step of a PDF at INFO ("Step 2 - Fetching and parsing CSS"), also when
        # the documents' stylesheet is read at start-up: every command and worker printed it
        "weasyprint.progress": {"level": "WARNING"},
    },
}

# HTTPS (docs/architecture.md "Production"): Django's own setting names, read from variables of the
# same names. All off by default, because the embedded setup and a plain-HTTP trial of the compose file
# (http://localhost:8000) have no TLS; a deployment behind HTTPS turns them on, and then
# `manage.py check --deploy` has nothing to warn about (tests/project/test_deploy_check.py).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# the container's health probe asks gunicorn over plain HTTP from inside the container
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 14 * 24 * 3600)
# SECURE_PROXY_SSL_HEADER=1: a proxy in front terminates TLS and sets X-Forwarded-Proto: https. Only
# then may the header be trusted (the proxy must overwrite what a client sends), so it is a switch for
# that one header rather than a free-form header name.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SECURE_PROXY_SSL_HEADER", False) else None

if not DEBUG:
    SESSION_COOKIE_HTTPONLY = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
