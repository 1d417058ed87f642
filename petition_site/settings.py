"""Settings for the petition site, read from the environment.

Without any environment the site runs in development mode: DEBUG on, SQLite under var/,
emails printed to the console. Production sets DEBUG=false and a real SECRET_KEY (it refuses
to start without one), DATABASE_URL, ALLOWED_HOSTS, SITE_URL and an email backend.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", True)

DEV_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = DEV_SECRET_KEY
elif not DEBUG and (SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters.")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
# Absolute base for links in emails, e.g. https://petitions.example.org
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = os.environ.get("SITE_NAME", "Petitions")

INSTALLED_APPS = [
    # Django's admin with the site's AdminSite (second factor, setting a password).
    "petition_site.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_countries",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_ratelimit",
    "csp",
    "petitions",
]

MIDDLEWARE = [
    # First, so that every log line of the request, errors included, carries its id.
    "petition_site.middleware.RequestIDMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "petition_site.security.SitePolicyCSPMiddleware",
    "petition_site.security.CrossOriginIsolationMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses pages (whitenoise serves static files precompressed, before this). Django's
    # GZipMiddleware pads its output against BREACH, and CSRF tokens are masked per response.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The JSON API's responses are the same in every language: no Vary: Accept-Language.
    "petitions.api.LanguageNeutralMiddleware",
    # The interface language: the set_language cookie, else the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): signed in with a second factor (petitions/second_factor.py).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "petition_site.outages.DatabaseOutageMiddleware",
]

ROOT_URLCONF = "petition_site.urls"
WSGI_APPLICATION = "petition_site.wsgi.application"

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
                "petitions.context_processors.site",
            ],
        },
    },
]

# SQLite under the ignored var/ folder by default; DATABASE_URL=postgres://... for PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's, with the cause in the error when the pool cannot get a connection.
    DATABASES["default"]["ENGINE"] = "petition_site.postgresql"
    # psycopg 3's connection pool, managed by Django (5.1+); needs CONN_MAX_AGE = 0.
    if envbool("DATABASE_POOL", True):
        DATABASES["default"]["OPTIONS"] = {
            "pool": {
                "min_size": envint("DATABASE_POOL_MIN_SIZE", 2),
                "max_size": envint("DATABASE_POOL_MAX_SIZE", 4),
                # Seconds to wait for a connection before the visitor gets the 503 page.
                "timeout": envint("DATABASE_POOL_TIMEOUT", 5),
            }
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = envint("CONN_MAX_AGE", 60)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Rendered pages, per process: their keys carry the petition's version, so a stale entry
    # is never read, and a local read beats a network round trip.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}
# Redis, shared by every web process: the rate limits' counts, and the default cache.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    redis_options = {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5}
    CACHES["default"] = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": redis_options,
    }
    # If Redis is down, counting fails: the limits then let everyone through (logged) rather
    # than stop a petition from being signed.
    CACHES["ratelimit"] = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "rl",
        "OPTIONS": {**redis_options, "IGNORE_EXCEPTIONS": True},
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    # Sessions (the organizers' logins) in the shared cache and, for a cache restart, in
    # the database too.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
elif DEBUG:
    # Development on one process: per-process counts will do.
    CACHES["ratelimit"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
else:
    raise ImproperlyConfigured("REDIS_URL must be set when DEBUG is off: rate limits need it.")
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_FAIL_OPEN = True
# Per client address, generous because many people can share one (a campus, a mobile
# network); per email address and per username, tight.
RATE_LIMITS = {
    "sign": {
        "ip": os.environ.get("RATE_LIMIT_SIGN_PER_IP", "60/m"),
        "email": os.environ.get("RATE_LIMIT_SIGN_PER_EMAIL", "5/h"),
    },
    "new-link": {
        "ip": os.environ.get("RATE_LIMIT_NEW_LINK_PER_IP", "20/m"),
        "email": os.environ.get("RATE_LIMIT_NEW_LINK_PER_EMAIL", "3/h"),
    },
    # Each petition started costs a confirmation email; people start few.
    "start": {
        "ip": os.environ.get("RATE_LIMIT_START_PER_IP", "20/h"),
        "email": os.environ.get("RATE_LIMIT_START_PER_EMAIL", "5/h"),
    },
    "admin-login": {
        "ip": os.environ.get("RATE_LIMIT_LOGIN_PER_IP", "10/m"),
        "username": os.environ.get("RATE_LIMIT_LOGIN_PER_USERNAME", "20/h"),
    },
    # Codes typed on the second-factor pages; django-otp also slows each device's guesses.
    "second-factor": {"ip": os.environ.get("RATE_LIMIT_SECOND_FACTOR_PER_IP", "10/m")},
}
# The name authenticator apps show next to the account (django-otp's TOTP devices).
OTP_TOTP_ISSUER = SITE_NAME

# How many reverse proxies in front of the site append to X-Forwarded-For (0: none, use
# REMOTE_ADDR). Set it to exactly the number you run, or addresses can be forged.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)

# How often each process rereads the organizers' blocklists, in seconds.
BLOCKLIST_CACHE_SECONDS = envint("BLOCKLIST_CACHE_SECONDS", 10)
# Days after which purge_personal_data erases the hashed client addresses, and deletes
# signatures that were never confirmed.
ADDRESS_HASH_RETENTION_DAYS = envint("ADDRESS_HASH_RETENTION_DAYS", 7)
UNCONFIRMED_SIGNATURE_RETENTION_DAYS = envint("UNCONFIRMED_SIGNATURE_RETENTION_DAYS", 60)

# How long a cached appeal page lives: the parts that change with every signature (the
# counter) are filled in per request; this bounds memory and the age of anything else.
APPEAL_PAGE_CACHE_SECONDS = envint("APPEAL_PAGE_CACHE_SECONDS", 10)
# How old the petition's state and counter on its page may be, in seconds (0: read per request).
APPEAL_STATE_MAX_AGE = envint("APPEAL_STATE_MAX_AGE", 1)
# How long browsers and shared caches in front (a CDN, nginx) may serve the appeal page and
# its counter (Cache-Control: public, max-age), in seconds: the counter a visitor sees is at
# most this plus APPEAL_STATE_MAX_AGE old.
PUBLIC_PAGE_MAX_AGE = envint("PUBLIC_PAGE_MAX_AGE", 5)
# How long browsers and caches in front may keep a JSON API response, in seconds
# (Cache-Control: public, max-age); an ETag lets them revalidate it cheaply after that.
API_CACHE_SECONDS = envint("API_CACHE_SECONDS", 10)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The interface is translated; a petition's own text stays as its organizer wrote it.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "French"), ("zh-hans", "Simplified Chinese")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our own date formats where Django's differ from the site's style (English: April 8th, 2013).
FORMAT_MODULE_PATH = ["petition_site.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # also makes var/ for the SQLite default
STATICFILES_DIRS = [BASE_DIR / "static"]
# Organizers' uploads (petition images); served by Django only in development.
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
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

# ---------------------------------------------------------------------------------------
# Scale-out, for more than one web process or machine. Each part is off unless its variable
# is set; without them every setting above stands as it is. See docs/deploy.md.

# REDIS_URL (above): a cache shared by every process, for the rate limits and the sessions.

# DATABASE_REPLICA_URL: a streaming replica of DATABASE_URL that serves the public pages'
# reads (petition_site/routers.py decides which); writes and the rest stay on the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(DATABASE_REPLICA_URL),
        **{
            key: DATABASES["default"][key]
            for key in ("ENGINE", "OPTIONS", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS")
            if key in DATABASES["default"]
        },
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["petition_site.routers.ReplicaRouter"]
    MIDDLEWARE.insert(1, "petition_site.routers.PinToPrimaryMiddleware")
    # Last: it retries on the primary a page that the replica failed (routers.py).
    MIDDLEWARE.append("petition_site.routers.ReplicaFallbackMiddleware")
    if "pool" in DATABASES["replica"].get("OPTIONS", {}):
        # Shorter than the primary's pool timeout: how long the first page waits for a replica
        # that went down before it is read from the primary instead.
        DATABASES["replica"]["OPTIONS"] = {
            **DATABASES["replica"]["OPTIONS"],
            "pool": {
                **DATABASES["replica"]["OPTIONS"]["pool"],
                "timeout": envint("DATABASE_REPLICA_POOL_TIMEOUT", 1),
            },
        }

# AWS_STORAGE_BUCKET_NAME: uploaded files in S3 or an S3-compatible store (django-storages),
# so every web process sees them. Credentials come from boto3's usual sources
# (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the machine's role).
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "default_acl": None,  # the bucket's policy decides
            "file_overwrite": False,
        },
    }
# ---------------------------------------------------------------------------------------

# Email: printed to the console in development; in production any django-anymail backend,
# e.g. EMAIL_BACKEND=anymail.backends.postmark.EmailBackend with ANYMAIL_POSTMARK_SERVER_TOKEN.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Petitions <petitions@localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# For EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend (bench/updates.py's sink).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
# Seconds an email provider may take to connect, and again to answer (anymail's HTTP APIs;
# Django's SMTP backend allows it per step of its dialogue): a stuck provider cannot hold
# the email worker past its stop budget (send_queued_emails.py), which the worker's grace
# period in deploy/k8s/ follows. Not from the environment, so the two cannot drift apart.
EMAIL_TIMEOUT = 10
ANYMAIL = {
    "REQUESTS_TIMEOUT": EMAIL_TIMEOUT,
    **{
        name.removeprefix("ANYMAIL_"): value
        for name, value in os.environ.items()
        if name.startswith("ANYMAIL_")
    },
}

# Updates emailed to supporters: the pace of sending (emails a second, across all workers),
# and the least time between two emailed updates of one petition (hours).
UPDATE_EMAILS_PER_SECOND = envint("UPDATE_EMAILS_PER_SECOND", 20)
UPDATE_EMAIL_MIN_INTERVAL_HOURS = envint("UPDATE_EMAIL_MIN_INTERVAL_HOURS", 24)
# Days before a petition's closing time that its organizer is reminded.
CLOSING_REMINDER_DAYS = envint("CLOSING_REMINDER_DAYS", 3)

# A sign form sent back sooner than this after it was served is a bot's; later than the
# maximum, a replay (both in seconds).
SIGN_FORM_MIN_SECONDS = envint("SIGN_FORM_MIN_SECONDS", 2)
SIGN_FORM_MAX_AGE = envint("SIGN_FORM_MAX_AGE", 24 * 3600)

# How long the link in a confirmation email stays valid.
CONFIRMATION_LINK_MAX_AGE = envint("CONFIRMATION_LINK_MAX_AGE", 30 * 24 * 3600)

# Behind TLS-terminating proxies, production sets these; check --deploy expects them.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("SECURE_PROXY_SSL_HEADER", False) else None
)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe health over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
LANGUAGE_COOKIE_SECURE = envbool("LANGUAGE_COOKIE_SECURE", not DEBUG)
# Only set_language writes it and only Django reads it: no script needs it.
LANGUAGE_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The form carries the CSRF token; no script needs to read the cookie.
CSRF_COOKIE_HTTPONLY = True
# A refused form gets the site's page, translated, rather than Django's plain one.
CSRF_FAILURE_VIEW = "petitions.views.csrf_failure"
# Only our own scripts, styles and images, and no inline script: injected markup cannot run.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# JSON lines on stderr, each with the id of the request being served (see middleware.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "petition_site.middleware.RequestIDFilter"}},
    "formatters": {"json": {"()": "petition_site.middleware.JSONFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
