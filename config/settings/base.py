"""Settings shared by every environment, read from environment variables (see README, "Configuration")."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from config.env import (
    env_bool,
    env_database,
    env_int,
    env_keys,
    env_list,
    env_networks,
    env_pairs,
    env_str,
)
from core.choices import Role

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "treebeard",
    "core",
    "accountability",
    "petitions",
    "ledger",
    "dashboard",
    "benchmarks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.NulByteMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After authentication (it needs the user), before everything that may answer for a signed-in user; static
    # files are answered by WhiteNoise above and keep their caching.
    "core.middleware.NoStoreMiddleware",
    "core.middleware.IdleSessionMiddleware",
    "core.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.SecondFactorGateMiddleware",
    "core.middleware.PasswordChangeGateMiddleware",
    "core.middleware.SessionActivityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Scripts, styles, images and fonts only from this server, no inline script, style or event handler anywhere
# (tests/core/test_csp.py scans the templates); data: images are the SVG icons of vendored CSS.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.shell",
            ],
        },
    },
]

# Select boxes are written in Python (same markup as Django's templates); every other widget uses the templates.
FORM_RENDERER = "core.form_renderer.FormRenderer"

DATABASES = {"default": env_database("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/xinfang")}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DJANGO_CONN_MAX_AGE", 60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Short statements under many users: compiling a plan to machine code (JIT) cost more than it saved in the load
# benchmark (about 70 ms on a 170 ms list count), and parallel workers turned one county's list count into three
# processes that were no faster (62–81 ms against 48–57 ms alone) while twenty users shared two cores. The site's
# connections run without either.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off -c max_parallel_workers_per_gather=0"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("XF_CACHE_PREFIX", "xf"),
    }
}

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "core.auth.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("XF_PASSWORD_MIN_LENGTH", 12, minimum=8)},
    },
    {
        "NAME": "core.auth.passwords.CharacterClassValidator",
        "OPTIONS": {"min_classes": env_int("XF_PASSWORD_MIN_CLASSES", 3, minimum=1)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password lifecycle: none of the last XF_PASSWORD_HISTORY passwords again; a change due after the maximum age.
XF_PASSWORD_HISTORY = env_int("XF_PASSWORD_HISTORY", 5, minimum=1)
XF_PASSWORD_MAX_AGE_DAYS = env_int("XF_PASSWORD_MAX_AGE_DAYS", 90, minimum=1)
# Accounts nobody signed in to for this many days are disabled each night (the security or system admin re-enables).
XF_ACCOUNT_INACTIVE_DAYS = env_int("XF_ACCOUNT_INACTIVE_DAYS", 90, minimum=1)
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

# Sessions end after this many idle minutes; admin roles get the shorter limit.
XF_SESSION_IDLE_MINUTES = env_int("XF_SESSION_IDLE_MINUTES", 30, minimum=1)
XF_ADMIN_SESSION_IDLE_MINUTES = env_int("XF_ADMIN_SESSION_IDLE_MINUTES", 15, minimum=1)
SESSION_COOKIE_AGE = XF_SESSION_IDLE_MINUTES * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True

# Lockout: 5 consecutive failures per account lock it for 15 minutes, whether or not it exists.
AXES_FAILURE_LIMIT = env_int("XF_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("XF_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
# Locking by address as well would lock out a whole petition office behind one NAT address.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
# The lock lasts 15 minutes from the fifth failure; attempts during the lock do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "core.views.auth.lockout_response"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# The client address of a request (lockout records, audit rows, sessions, the public query's limits) is
# REMOTE_ADDR, unless the direct peer is one of these trusted proxies (addresses or CIDR ranges, e.g. the nginx in
# front of gunicorn): then it is the right-most X-Forwarded-For address that is not a trusted proxy itself. None
# by default, since anyone can write the header; it is only believed as appended by a proxy of ours.
XF_TRUSTED_PROXIES = env_networks("XF_TRUSTED_PROXIES", [])
AXES_CLIENT_IP_CALLABLE = "core.middleware.client_ip"

# Two-factor sign-in (TOTP authenticator apps): required for these roles, optional for everyone else.
XF_OTP_REQUIRED_ROLES = env_list(
    "XF_OTP_REQUIRED_ROLES", ["system_admin", "security_admin", "audit_admin", "leader"], allowed=Role.values
)
# Minutes a correct password waits for its second factor before the sign-in starts over.
XF_OTP_PENDING_MINUTES = env_int("XF_OTP_PENDING_MINUTES", 5, minimum=1)
OTP_TOTP_ISSUER = env_str("XF_OTP_ISSUER", "信访事项管理系统")
# Wrong codes count toward the account lockout above, exactly like wrong passwords; no second, per-device delay.
OTP_TOTP_THROTTLE_FACTOR = 0

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("XF_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("XF_MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "xinfang@localhost")
# The address users open the system at; e-mailed notifications link to it.
XF_SITE_URL = env_str("XF_SITE_URL", "http://127.0.0.1:8000")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first so an unauthenticated call gets 401 with a WWW-Authenticate header.
        "core.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "信访事项管理系统 API",
    "DESCRIPTION": "信访事项登记、流转、时限与台账的接口。所有读取都限定在调用者所在单位及其下级单位内。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "ReviewDecisionEnum": "petitions.choices.ReviewDecision",
        "CloseReasonEnum": "petitions.choices.CloseReason",
        "DeliveryMethodEnum": "petitions.choices.DeliveryMethod",
        "MethodEnum": "accountability.choices.SupervisionMethod",
        "StatusEnum": "petitions.choices.Status",
        "SourceEnum": "core.choices.CalendarSource",
        "KeyCaseSourceEnum": "ledger.choices.Source",
        "KeyCaseStatusEnum": "ledger.choices.CaseStatus",
        "StrikeOffStateEnum": "ledger.choices.StrikeOffState",
        "LedgerReportStateEnum": "ledger.choices.ReportState",
    },
}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = env_str("XF_CELERY_QUEUE", "xinfang")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Tasks must finish well inside the visibility timeout so an unacknowledged task is not redelivered while running.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
# Minutes between two overdue sweeps started by beat (the fault benchmark shortens it to watch two beats at once).
XF_SWEEP_EVERY_MINUTES = env_int("XF_SWEEP_EVERY_MINUTES", 5, minimum=1)
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "core.sessions_clear_expired",
        "schedule": crontab(minute=17, hour=3),
    },
    "disable-unused-accounts": {
        "task": "core.users_disable_inactive",
        "schedule": crontab(minute=37, hour=3),
    },
    "purge-expired-audit-events": {
        "task": "core.audit_purge_expired",
        "schedule": crontab(minute=47, hour=3),
    },
    "purge-old-login-attempts": {
        "task": "core.login_attempts_purge",
        "schedule": crontab(minute=27, hour=3),
    },
    "close-lapsed-review-windows": {
        "task": "petitions.close_lapsed_windows",
        "schedule": crontab(minute=5, hour=1),
    },
    # Files held for refused registration forms go after a day.
    "purge-held-uploads": {
        "task": "petitions.held_uploads_purge",
        "schedule": crontab(minute=25, hour=2),
    },
    # Screening rounds and sensitive-period daily reports open early each day (idempotent: reruns add nothing).
    "open-screening-rounds": {
        "task": "ledger.screening_rounds_open",
        "schedule": crontab(minute=10, hour=0),
    },
    "open-daily-reports": {
        "task": "ledger.daily_reports_open",
        "schedule": crontab(minute=15, hour=0),
    },
    # The overdue sweep every five minutes, and at 08:00 on working days (by the calendar) so reminders wait at work.
    "overdue-sweep": {
        "task": "accountability.sweep",
        "schedule": crontab(minute=f"*/{XF_SWEEP_EVERY_MINUTES}"),
    },
    "overdue-sweep-morning": {
        "task": "accountability.sweep",
        "schedule": crontab(minute=0, hour=8),
        "kwargs": {"working_days_only": True},
    },
    # The daily roll-ups are kept by triggers; each night they are compared with their sources, drifted days rebuilt.
    "repair-roll-ups": {
        "task": "core.rollups_repair",
        "schedule": crontab(minute=40, hour=2),
    },
    # The monthly counts per unit subtree the dashboards of large units read; months changed since are read from
    # the monthly roll-up meanwhile, so this only keeps those pages fast.
    "refresh-subtree-months": {
        "task": "petitions.subtree_months_refresh",
        "schedule": 30.0,
    },
    "send-notification-mail": {
        "task": "accountability.notifications_mail",
        "schedule": crontab(minute="*"),
    },
    # The weekly bulletin (每周通报) of the week just ended, each Monday morning (idempotent per unit and week).
    "weekly-bulletin": {
        "task": "dashboard.weekly_bulletins",
        "schedule": crontab(minute=30, hour=6, day_of_week=1),
    },
}

# Deadline counting (domain rules §4): the last day moves past rest days unless turned off per deployment.
XF_DEADLINE_ROLL_FORWARD = env_bool("XF_DEADLINE_ROLL_FORWARD", True)
# Days before the end of a year from which a missing calendar for the next year is shown to admins.
XF_CALENDAR_WARNING_DAYS = env_int("XF_CALENDAR_WARNING_DAYS", 75, minimum=0)
XF_LOGIN_ATTEMPT_RETENTION_DAYS = env_int("XF_LOGIN_ATTEMPT_RETENTION_DAYS", 184, minimum=1)
# Audit rows older than this are purged nightly; the law's minimum of 184 days is enforced here and in the database.
XF_AUDIT_RETENTION_DAYS = env_int("XF_AUDIT_RETENTION_DAYS", 365, minimum=184)

# Personal data: the key of the look-up hashes (ID numbers, phones) and the roles that may reveal full values.
XF_LOOKUP_KEY = env_str("XF_LOOKUP_KEY", "") or f"lookup:{SECRET_KEY}"
# Personal data at rest: ID numbers, phones and addresses are encrypted per field with the active key; the other
# keys listed only decrypt older values until `manage.py field_keys_rotate` has moved them to the active one.
XF_FIELD_KEY_BYTES = {"aes-256-gcm": 32, "sm4-gcm": 16}
XF_FIELD_CIPHER = env_str("XF_FIELD_CIPHER", "aes-256-gcm")
if XF_FIELD_CIPHER not in XF_FIELD_KEY_BYTES:
    raise ImproperlyConfigured(
        f"XF_FIELD_CIPHER={XF_FIELD_CIPHER!r}: use one of {', '.join(XF_FIELD_KEY_BYTES)}."
    )
XF_FIELD_KEYS = env_keys(
    "XF_FIELD_KEYS",
    {"dev": hashlib.sha256(f"field:{SECRET_KEY}".encode()).digest()[: XF_FIELD_KEY_BYTES[XF_FIELD_CIPHER]]},
    lengths=set(XF_FIELD_KEY_BYTES.values()),
)
XF_FIELD_KEY_ID = env_str("XF_FIELD_KEY_ID", "") or (
    next(iter(XF_FIELD_KEYS)) if len(XF_FIELD_KEYS) == 1 else ""
)
if not XF_FIELD_KEY_ID:
    raise ImproperlyConfigured("XF_FIELD_KEY_ID is required when XF_FIELD_KEYS lists several keys.")
if len(XF_FIELD_KEYS.get(XF_FIELD_KEY_ID, b"")) != XF_FIELD_KEY_BYTES[XF_FIELD_CIPHER]:
    raise ImproperlyConfigured(
        f"XF_FIELD_KEY_ID={XF_FIELD_KEY_ID!r} must name a key of XF_FIELD_KEYS with "
        f"{XF_FIELD_KEY_BYTES[XF_FIELD_CIPHER]} bytes for {XF_FIELD_CIPHER}."
    )
XF_REVEAL_ROLES = env_list("XF_REVEAL_ROLES", ["clerk", "handler", "section_head"])
# The public status query (/query/): wrong number/code pairs allowed per client address and, so that one item's
# code cannot be guessed from many addresses, per item number; further tries wait until the window, counted from
# the first wrong try, has passed. A right answer does not count.
XF_PUBLIC_QUERY_ADDRESS_LIMIT = env_int("XF_PUBLIC_QUERY_ADDRESS_LIMIT", 10, minimum=1)
XF_PUBLIC_QUERY_NUMBER_LIMIT = env_int("XF_PUBLIC_QUERY_NUMBER_LIMIT", 10, minimum=1)
XF_PUBLIC_QUERY_WINDOW_MINUTES = env_int("XF_PUBLIC_QUERY_WINDOW_MINUTES", 10, minimum=1)
# Attachments: size per file, files per upload and per item, and the types accepted (checked by content, not name).
XF_ATTACHMENT_MAX_MB = env_int("XF_ATTACHMENT_MAX_MB", 10, minimum=1)
XF_ATTACHMENT_MAX_FILES = env_int("XF_ATTACHMENT_MAX_FILES", 10, minimum=1)
XF_ATTACHMENT_MAX_PER_ITEM = env_int("XF_ATTACHMENT_MAX_PER_ITEM", 30, minimum=1)
# Repeat detection: how far back and how similar earlier items must be to be suggested.
XF_REPEAT_LOOKBACK_DAYS = env_int("XF_REPEAT_LOOKBACK_DAYS", 1095, minimum=30)
XF_REPEAT_SIMILARITY_PERCENT = env_int("XF_REPEAT_SIMILARITY_PERCENT", 30, minimum=1)
# A 处理意见书 or 复查意见书 whose delivery is never recorded is presumed received this many calendar days after it
# was issued; the petitioner's 复查/复核 window runs from that day until a recorded delivery replaces it.
XF_PRESUMED_DELIVERY_DAYS = env_int("XF_PRESUMED_DELIVERY_DAYS", 7, minimum=0)
# The overdue sweep: deadlines per batch (one short transaction each) and the minutes after which the health
# page turns red because no sweep finished.
XF_SWEEP_BATCH = env_int("XF_SWEEP_BATCH", 400, minimum=50)
XF_SWEEP_LATE_MINUTES = env_int("XF_SWEEP_LATE_MINUTES", 30, minimum=5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
# Screening frequency per unit level (1 市级, 2 区县级, 3 乡镇级, 4 村级): weekly, half_monthly or none.
_FREQUENCIES = {"weekly", "half_monthly", "none"}
XF_SCREENING_FREQUENCY = {
    int(level): frequency
    for level, frequency in env_pairs(
        "XF_SCREENING_FREQUENCY",
        {"1": "weekly", "2": "weekly", "3": "half_monthly", "4": "none"},
        allowed=dict.fromkeys(("1", "2", "3", "4"), _FREQUENCIES),
    ).items()
}
