"""Gunicorn's settings for production (`gunicorn -c gunicorn.conf.py petition_site.wsgi`).

Each value can be changed from the environment. The defaults suit a box of a few cores:
one worker process per core (Django's work is CPU-bound Python) with a few threads each, so a
request waiting on PostgreSQL's commit does not idle the core. Each thread may hold one
database connection from the worker's psycopg pool, so DATABASE_POOL_MAX_SIZE should be at
least GUNICORN_THREADS.
"""

import multiprocessing
import os

cores = multiprocessing.cpu_count()

wsgi_app = "petition_site.wsgi"
bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", cores))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# Load Django once, before forking: workers share its memory pages.
preload_app = True

# A request that takes longer than this is stuck: the worker is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
# No keep-alive: each connection carries one request, so that the next goes to whichever
# worker accepts it first. A kept-alive connection stays with the worker that accepted it:
# under a steady load from a few clients (a proxy's pool of upstream connections, or the
# benchmark's 16) one worker could end up with all of them, serving at one core's speed
# while the other idled (docs/performance.md). GUNICORN_KEEPALIVE=5 keeps connections for
# 5 s, for clients that connect directly to gunicorn.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 0))
# Workers are not recycled: a worker's memory settles and stays there, while under a viral
# petition's load each recycle took its worker out for a while (docs/performance.md). Set
# GUNICORN_MAX_REQUESTS (jittered by a tenth) if a leak ever shows up.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 0))
max_requests_jitter = max_requests // 10
# Heartbeat files in memory, not on a container's overlay disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()


def json_logging(access_log: str | None, level: str) -> dict:
    """gunicorn's loggers as JSON lines: its messages on stderr, its access lines on stdout
    or in the file named."""
    handlers = {
        "error": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "json",
        }
    }
    if access_log == "-":
        handlers["access"] = {"class": "logging.StreamHandler", "stream": "ext://sys.stdout"}
    elif access_log:
        handlers["access"] = {"class": "logging.FileHandler", "filename": access_log}
    if access_log:
        handlers["access"]["formatter"] = "access"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "petition_site.middleware.JSONFormatter"},
            "access": {"()": "petition_site.middleware.AccessLogFormatter"},
        },
        "handlers": handlers,
        "root": {"level": "INFO", "handlers": ["error"]},
        "loggers": {
            "gunicorn.error": {"level": level.upper(), "handlers": ["error"], "propagate": False},
            "gunicorn.access": {
                "level": "INFO",
                "handlers": ["access"] if access_log else [],
                "propagate": False,
            },
        },
    }


# Every line JSON, as Django's are (petition_site/middleware.py): one line per request with
# the client, time, request, status, bytes, referrer, user agent, duration in milliseconds,
# and the request id that Django's lines carry too (set on the response by the middleware).
logconfig_dict = json_logging(accesslog, loglevel)
# No control socket: nothing here uses gunicornc, and the image's user has no home folder for
# the socket ($HOME/.gunicorn/), so gunicorn would log an error on every start.
control_socket_disable = True
# Behind a proxy, trust its X-Forwarded-* headers only from these addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
