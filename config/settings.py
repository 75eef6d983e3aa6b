"""Ting's one settings module: everything that varies comes from the environment.

See README.md, "Configuration", for every variable. `TING_ENV=production` refuses to start with
an insecure default.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from ting.core.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_path,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

TING_ENV = env_choice("TING_ENV", "development", ("development", "production", "test"))
PRODUCTION = TING_ENV == "production"

DEBUG = env_bool("DEBUG", default=TING_ENV == "development")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when TING_ENV=production.")

# Development and tests only: production refuses to start without its own SECRET_KEY.
_DEV_SECRET = "ting-development-only-secret-key-never-use-in-production-4f7c2a9e1b"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", required=PRODUCTION) or _DEV_SECRET
if PRODUCTION and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters in production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", () if PRODUCTION else ("127.0.0.1", "localhost", "[::1]"))
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names Ting answers to.")
if TING_ENV == "test":
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

DATA_DIR = env_path("TING_DATA_DIR", BASE_DIR / "var")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "ting.core",
    "ting.accounts",
    "ting.catalog",
    "ting.media",
    "ting.playback",
    "ting.stats",
    "ting.discovery",
    "ting.studio",
    "ting.social",
    "ting.feeds",
    "ting.api",
    "ting.demo",
]

MIDDLEWARE = [
    # Request id, access log, metrics, and the 503 page when a service is down: first, so it
    # times and names everything below it.
    "ting.core.middleware.RequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "ting.core.middleware.ReaderScriptMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during authentication into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES: list[dict[str, Any]] = [
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
                "ting.core.context_processors.site",
            ],
            "builtins": ["ting.core.templatetags.ting"],
        },
    }
]

# --- database -------------------------------------------------------------------------------

_default_db_url = f"sqlite:///{DATA_DIR / 'ting.sqlite3'}"
try:
    _db: dict[str, Any] = dict(
        dj_database_url.parse(env_str("DATABASE_URL", _default_db_url), conn_max_age=0)
    )
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded tier must work from a fresh clone: the database's folder is ours to create.
    Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers run beside the worker's writes; IMMEDIATE makes a writer take the lock at
    # BEGIN so two writers queue on the busy timeout instead of failing with "database is locked".
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    _db["TEST"] = {"NAME": None}
# Reconnecting (and re-running the PRAGMAs) costs ~0.7 ms a request; keep connections a while.
_db["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 600, minimum=0)
_db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, tasks ---------------------------------------------------------------------------

REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss", "unix"))
CACHES: dict[str, Any] = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        # Rendered blocks are cached per track, language and script: Django's default of 300
        # entries would evict them (and the page chrome) on any catalog bigger than a demo.
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    )
}

TASKS_BACKEND = env_choice(
    "TASKS_BACKEND", "immediate" if TING_ENV == "test" else "db", ("db", "rq", "immediate")
)
if TASKS_BACKEND == "rq" and not REDIS_URL:
    raise ImproperlyConfigured(
        "TASKS_BACKEND=rq needs REDIS_URL, for example redis://127.0.0.1:6379/0."
    )
if PRODUCTION and TASKS_BACKEND == "immediate":
    raise ImproperlyConfigured(
        "TASKS_BACKEND=immediate runs every task inside the web request; "
        "use db or rq when TING_ENV=production."
    )
TASKS: dict[str, Any] = {
    "default": {
        "BACKEND": {
            "db": "django_tasks_db.DatabaseBackend",
            "rq": "django_tasks_rq.RQBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[TASKS_BACKEND]
    }
}
# Every task runs on the one "default" queue; RQ jobs may run as long as processing may take.
RQ_QUEUES: dict[str, Any] = {
    "default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": env_int("TING_TASK_TIMEOUT", 3600, minimum=10)}
}
if TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")


# --- auth, sessions, security ---------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TING_ENV == "test":
    # Hashing dominates a test that signs in; production keeps the default PBKDF2 rounds.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Brute force on sign-in (django-axes): a username tried from one address is locked for a
# cool-off after TING_LOGIN_FAILURE_LIMIT failures. Username and address together, so that nobody
# can lock a stranger out from elsewhere, and listeners behind one carrier NAT do not lock each
# other out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("TING_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("TING_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ting.accounts.views.lockout"
AXES_CLIENT_IP_CALLABLE = "ting.core.security.client_ip"
AXES_VERBOSE = False
# Failures are counted in the database: one count for every worker process, with or without
# Redis. Successful sign-ins are not logged (no write on the happy path).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_DISABLE_ACCESS_LOG = True

X_FRAME_OPTIONS = "DENY"
# Ting's pages run only their own static scripts and styles: no inline code, no third parties.
# Embed pages replace frame-ancestors (ting.playback.views); media may live on another host
# (MEDIA_DELIVERY=redirect), named in TING_CSP_MEDIA_SOURCES.
_media_sources = env_list("TING_CSP_MEDIA_SOURCES")
CONTENT_SECURITY_POLICY: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *_media_sources],
        "media-src": ["'self'", "blob:", *_media_sources],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    if env_bool("TING_BEHIND_PROXY", default=True):
        # nginx terminates TLS and says so in this header (docs/deploy/nginx.conf).
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- e-mail ---------------------------------------------------------------------------------

EMAIL_BACKEND = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}[env_choice("EMAIL_BACKEND", "console", ("console", "smtp", "locmem"))]
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Ting <noreply@localhost>")

# --- languages ------------------------------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", _("Simplified Chinese")),
    ("zh-hant", _("Traditional Chinese")),
    ("en", _("English")),
]
LANGUAGE_COOKIE_NAME = "ting_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")

# --- files ----------------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# STORAGE=s3 keeps every medium (originals, renditions, covers, avatars, uploads in flight) in
# an S3-compatible bucket, so app processes on different machines share no local file
# (docs/adr/0013-object-storage.md). Checked here, at start-up, not at the first upload.
STORAGE = env_choice("STORAGE", "local", ("local", "s3"))
S3_BUCKET = env_str("S3_BUCKET")
S3_ENDPOINT_URL = env_str("S3_ENDPOINT_URL")  # empty: AWS; else MinIO, Ceph, R2, OSS, COS …
S3_REGION = env_str("S3_REGION")
S3_ACCESS_KEY_ID = env_str("S3_ACCESS_KEY_ID")
S3_SECRET_ACCESS_KEY = env_str("S3_SECRET_ACCESS_KEY")
S3_CUSTOM_DOMAIN = env_str("S3_CUSTOM_DOMAIN")  # a CDN in front of the bucket: public URLs
S3_ADDRESSING_STYLE = env_choice("S3_ADDRESSING_STYLE", "auto", ("auto", "path", "virtual"))
S3_QUERYSTRING_EXPIRE = env_int("S3_QUERYSTRING_EXPIRE", 3600, minimum=60)
S3_TIMEOUT = env_int("S3_TIMEOUT", 10, minimum=1)
# MEDIA_DELIVERY=redirect: how long a presigned audio URL works (minutes: it is a bearer token).
TING_REDIRECT_URL_TTL = env_int("TING_REDIRECT_URL_TTL", 300, minimum=10)
# Threads a web process runs byte requests' Django part on (ting/playback/asgi.py), each with
# its own database connection. Each request holds one for ~0.5 ms; more threads only add GIL
# hand-overs (bench/stream.py: 2 served ~6 % more than 8). Raise it when the database is far
# (a few ms a round trip) and byte requests queue.
TING_STREAM_THREADS = env_int("TING_STREAM_THREADS", 2, minimum=1)
_default_storage: dict[str, Any] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if STORAGE == "s3":
    if not S3_BUCKET:
        raise ImproperlyConfigured("STORAGE=s3 needs S3_BUCKET, the name of an existing bucket.")
    if S3_ENDPOINT_URL and not S3_ENDPOINT_URL.startswith(("http://", "https://")):
        raise ImproperlyConfigured(
            f"S3_ENDPOINT_URL must start with http:// or https://, not {S3_ENDPOINT_URL!r}."
        )
    if bool(S3_ACCESS_KEY_ID) != bool(S3_SECRET_ACCESS_KEY):
        raise ImproperlyConfigured(
            "Set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither (then boto3 finds "
            "credentials in its usual places: instance role, ~/.aws, AWS_* variables)."
        )
    if S3_CUSTOM_DOMAIN.startswith(("http://", "https://")) or "/" in S3_CUSTOM_DOMAIN:
        raise ImproperlyConfigured(
            f"S3_CUSTOM_DOMAIN is a host name like cdn.example.com, not {S3_CUSTOM_DOMAIN!r}."
        )
    from botocore.config import Config as _BotoConfig

    _addressing = None if S3_ADDRESSING_STYLE == "auto" else S3_ADDRESSING_STYLE
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": S3_ENDPOINT_URL or None,
            "region_name": S3_REGION or None,
            "access_key": S3_ACCESS_KEY_ID or None,
            "secret_key": S3_SECRET_ACCESS_KEY or None,
            "custom_domain": S3_CUSTOM_DOMAIN or None,
            # Short timeouts and few retries: an unreachable store must fail a request with a
            # clear message in seconds, not hang a worker for minutes.
            "client_config": _BotoConfig(
                s3={"addressing_style": _addressing},
                signature_version="s3v4",
                connect_timeout=S3_TIMEOUT,
                read_timeout=S3_TIMEOUT * 6,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
            # Like FileSystemStorage: a name already taken gets a suffix, never overwrites.
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": S3_QUERYSTRING_EXPIRE,
            "url_protocol": "https:" if PRODUCTION else "http:",
            "max_memory_size": 8 * 1024**2,
        },
    }
    # Players fetch audio from, and pages show covers from, the store (or its CDN) directly:
    # the Content-Security-Policy must name those origins, or every play is blocked.
    _store_origins = [f"https://{S3_CUSTOM_DOMAIN}"] if S3_CUSTOM_DOMAIN else []
    if S3_ENDPOINT_URL:
        _endpoint = urlsplit(S3_ENDPOINT_URL)
        _store_origins += [
            f"{_endpoint.scheme}://{_endpoint.netloc}",
            f"{_endpoint.scheme}://*.{_endpoint.netloc}",  # virtual-hosted bucket names
        ]
    else:
        _store_origins += ["https://*.amazonaws.com"]
    for _directive in ("img-src", "media-src"):
        CONTENT_SECURITY_POLICY["DIRECTIVES"][_directive] += _store_origins
STORAGES: dict[str, Any] = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Serve static files from the finders in development and tests: no collectstatic step needed.
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every start without it
WHITENOISE_AUTOREFRESH = DEBUG

# --- logging --------------------------------------------------------------------------------

# json: one object a line with the request id (for a log collector); text: for people.
LOG_FORMAT = env_choice("LOG_FORMAT", "json" if PRODUCTION else "text", ("json", "text"))
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ting.core.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "ting.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # One line per request; off when nginx already logs access (saves ~20 µs CPU a request).
        "ting.access": {
            "level": "INFO" if env_bool("TING_ACCESS_LOG", default=True) else "WARNING"
        },
    },
}
# /metrics answers loopback callers, or anyone sending this bearer token.
TING_METRICS_TOKEN = env_str("TING_METRICS_TOKEN")
# How long a 503 (a service is down) asks clients to wait before trying again.
TING_RETRY_AFTER = env_int("TING_RETRY_AFTER", 30, minimum=1)

# --- Ting -----------------------------------------------------------------------------------

TING_PAGE_SIZE = env_int("TING_PAGE_SIZE", 20, minimum=1)
TING_PROCESSING_DEADLINE = env_int("TING_PROCESSING_DEADLINE", 3600, minimum=1)
TING_STREAM_URL_TTL = env_int("TING_STREAM_URL_TTL", 4 * 3600, minimum=60)
MEDIA_DELIVERY = env_choice(
    "MEDIA_DELIVERY",
    "redirect" if STORAGE == "s3" else "app",
    ("app", "x-accel", "nginx-signed", "redirect"),
)
if STORAGE == "s3" and MEDIA_DELIVERY != "redirect":
    raise ImproperlyConfigured(
        "STORAGE=s3 serves audio with MEDIA_DELIVERY=redirect (short-lived presigned URLs); "
        f"{MEDIA_DELIVERY!r} needs the files on this machine's disk."
    )
TING_XACCEL_PREFIX = env_str("TING_XACCEL_PREFIX", "/_protected/media/")
# MEDIA_DELIVERY=nginx-signed (docs/adr/0014-nginx-signed-urls.md): Ting hands out URLs under
# this prefix that nginx's secure_link checks with TING_NGINX_SECRET, and nginx logs each byte
# request to TING_NGINX_STREAM_LOG, which the ingest task moves into the stream log.
TING_NGINX_SIGNED_PREFIX = env_str("TING_NGINX_SIGNED_PREFIX", "/listen/")
if not re.fullmatch(r"/([a-z0-9_-]+/)+", TING_NGINX_SIGNED_PREFIX):
    raise ImproperlyConfigured("TING_NGINX_SIGNED_PREFIX must look like /listen/ (a-z, 0-9, _-).")
_nginx_secret = env_str(
    "TING_NGINX_SECRET", required=PRODUCTION and MEDIA_DELIVERY == "nginx-signed"
)
# Not SECRET_KEY itself: it is written into nginx.conf, which more people and backups see. In
# development and tests it is derived from SECRET_KEY so that nothing needs setting.
TING_NGINX_SECRET = (
    _nginx_secret
    or hmac.new(SECRET_KEY.encode(), b"ting.nginx-signed-url", hashlib.sha256).hexdigest()
)
if not re.fullmatch(r"[A-Za-z0-9_-]{32,128}", TING_NGINX_SECRET):
    # It goes verbatim into a secure_link_md5 string: no spaces, quotes, `$` or `;`.
    raise ImproperlyConfigured("TING_NGINX_SECRET must be 32-128 characters of A-Z a-z 0-9 _ -.")
TING_NGINX_STREAM_LOG = env_str("TING_NGINX_STREAM_LOG", str(DATA_DIR / "log" / "stream.log"))
# Creator studio uploads (docs/adr/0008-resumable-uploads.md).
TING_UPLOAD_MAX_BYTES = env_int("TING_UPLOAD_MAX_BYTES", 2 * 1024**3, minimum=1)
TING_ANCHOR_QUOTA_BYTES = env_int("TING_ANCHOR_QUOTA_BYTES", 20 * 1024**3, minimum=0)
TING_UPLOAD_CHUNK_BYTES = env_int("TING_UPLOAD_CHUNK_BYTES", 4 * 1024**2, minimum=64 * 1024)
# Counting (docs/counting.md, docs/adr/0009-stream-log.md).
TING_STREAM_LOGGER = env_str("TING_STREAM_LOGGER", "ting.stats.streamlog.log_stream")
TING_DOWNLOAD_WINDOW = env_choice(
    "TING_DOWNLOAD_WINDOW", "calendar-day", ("calendar-day", "first-touch-24h", "last-touch-24h")
)
TING_COUNTING_TIME_ZONE = env_str("TING_COUNTING_TIME_ZONE", "UTC")
# How many proxies in front of Ting append to X-Forwarded-For (nginx: 1); 0 trusts REMOTE_ADDR.
TING_PROXY_HOPS = env_int("TING_PROXY_HOPS", 1 if PRODUCTION else 0, minimum=0)
# (task path, seconds between runs), enqueued by `manage.py run_periodic` (started by `ting serve`).
TING_PERIODIC_TASKS: list[tuple[str, int]] = [
    ("ting.stats.tasks.count_streams", env_int("TING_COUNTING_INTERVAL", 60, minimum=5)),
    ("ting.media.tasks.reap_stuck_assets", 600),
    ("ting.studio.tasks.delete_stale_uploads", 3600),
]
# Listeners' comments and library (docs/adr/0010-social.md).
TING_SENSITIVE_WORDS_FILE = env_str("TING_SENSITIVE_WORDS_FILE")
TING_SENSITIVE_MODE = env_choice("TING_SENSITIVE_MODE", "hold", ("block", "hold"))
TING_COMMENT_RATE = env_int("TING_COMMENT_RATE", 5, minimum=1)  # comments a minute, per user and IP
if MEDIA_DELIVERY == "nginx-signed":
    # nginx's stream log into stats_streamlog, as often as counting reads it.
    TING_PERIODIC_TASKS.append(
        ("ting.stats.tasks.ingest_nginx_log", env_int("TING_COUNTING_INTERVAL", 60, minimum=5))
    )
TING_PERIODIC_TASKS.append(("ting.social.tasks.notify_new_tracks", 60))
TING_PERIODIC_TASKS.append(("ting.social.tasks.send_digests", 3600))
# Podcast feeds out and in, and the REST API (docs/adr/0012-feeds-and-api.md).
TING_FEED_PAGE_SIZE = env_int("TING_FEED_PAGE_SIZE", 300, minimum=10)
TING_FEED_STATE_TTL = env_int("TING_FEED_STATE_TTL", 60, minimum=0)  # 304s answered from cache
TING_FEED_BODY_TTL = env_int("TING_FEED_BODY_TTL", 3600, minimum=0)  # rendered feeds, by ETag
TING_FEED_SIGNED_URL_TTL = env_int("TING_FEED_SIGNED_URL_TTL", 30 * 24 * 3600, minimum=3600)
TING_FEED_IMPORT_ALLOW_PRIVATE = env_bool("TING_FEED_IMPORT_ALLOW_PRIVATE", default=False)
TING_FEED_IMPORT_MAX_BYTES = env_int("TING_FEED_IMPORT_MAX_BYTES", 20 * 1024**2, minimum=1024)
TING_FEED_IMPORT_TIMEOUT = env_int("TING_FEED_IMPORT_TIMEOUT", 30, minimum=1)
# Requests a minute, per caller.
TING_API_RATE_LIMIT = env_int("TING_API_RATE_LIMIT", 600, minimum=1)
TING_PERIODIC_TASKS.append(("ting.feeds.tasks.resync_feeds", 3600))
# Search and 猜你喜歡 (docs/adr/0011-search-and-recommendations.md); backend by database engine.
TING_SEARCH_BACKEND = env_choice(
    "TING_SEARCH_BACKEND",
    "postgres" if _db["ENGINE"].startswith("django.db.backends.postgresql") else "sqlite-fts5",
    ("sqlite-fts5", "postgres"),
)
TING_PERIODIC_TASKS.append(("ting.discovery.tasks.sync_index", 120))
TING_PERIODIC_TASKS.append(("ting.discovery.tasks.refresh_neighbours", 6 * 3600))
# Faults: renditions checked against their sha256, a batch a run, and rebuilt when damaged.
TING_VERIFY_BATCH = env_int("TING_VERIFY_BATCH", 20, minimum=1)
TING_PERIODIC_TASKS.append(("ting.media.tasks.verify_renditions", 300))
