"""What a request costs, counted in CPU instructions: repeatable on a machine whose speed drifts.

    .venv/bin/python bench/instructions.py [--requests 200] [--checkout DIR]

Wall-clock rates on the project's 2-core machine drift by 2x within a minute, so load
benchmarks compare runs seconds apart. Valgrind's callgrind counts the instructions a process
executes instead, the same count however busy the machine is. This script starts a durable
PostgreSQL and a Redis, loads the seed petition with the production settings, then for each
request kind runs Django in one process under callgrind twice, with 20 + N and 20 + 3N
requests, and prints (difference) / 2N: the instructions of one warm request, Python,
Django, psycopg and the redis client included, the servers' work excluded. The baseline is the
minimal view (/healthz) counted in the same run. --checkout DIR counts another checkout of
the project (e.g. an older commit in a git worktree) against the same database.
Needs valgrind (Debian: apt-get install valgrind). About 5 minutes.
"""

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from harness import ROOT, SLUG, STARTED, prepare_site, site_env
from services import postgres, redis

KINDS = {"minimal view /healthz": "min", "appeal page": "get", "sign POST": "sign"}
WARMUP = 20


def drive(kind: str, n: int) -> None:
    """Run under callgrind: WARMUP + n requests of one kind through Django's WSGI handler."""
    import django
    from django.core.wsgi import get_wsgi_application

    django.setup()
    from django.conf import settings
    from django.core import signing

    from petitions.forms import FORM_SALT

    app = get_wsgi_application()

    def call(method, path, body=b"", **headers):
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_X_FORWARDED_PROTO": "https",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            **headers,
        }
        status = []
        response = app(environ, lambda s, h, exc_info=None: status.append((s, h)))
        content = b"".join(response)
        response.close()
        return status[0][0], status[0][1], content.decode()

    _, headers, html = call("GET", f"/{SLUG}/")
    started = STARTED.search(html).group(1)
    # A person sends the form SIGN_FORM_MIN_SECONDS after the moment its note names at the
    # earliest (forms.form_timestamp).
    sent = signing.loads(started, salt=FORM_SALT) + settings.SIGN_FORM_MIN_SECONDS + 0.1
    time.sleep(max(0, sent - time.time()))
    run = f"{time.time()}-{os.getpid()}"

    def sign(i):
        body = urllib.parse.urlencode(
            {
                "started": started,
                "name": f"Counted Supporter {i}",
                "email": f"counted-{run}-{i}@example.org",
                "country": "GB",
                "comment": "Signed under a counter",
            }
        ).encode()
        status, _, _ = call(
            "POST",
            f"/{SLUG}/sign/",
            body,
            HTTP_SEC_FETCH_SITE="same-origin",
            HTTP_ORIGIN="https://127.0.0.1",
        )
        assert status.startswith("302"), status

    request = {
        "min": lambda i: call("GET", "/healthz"),
        "get": lambda i: call("GET", f"/{SLUG}/"),
        "sign": sign,
    }[kind]
    for i in range(WARMUP + n):
        request(i)


def instructions(env: dict, checkout: Path, kind: str, n: int) -> int:
    result = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            str(Path(__file__).resolve()),
            "--drive",
            kind,
            str(n),
        ],
        cwd=checkout,
        env={**env, "PYTHONPATH": str(checkout)},
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    return int(re.search(r"Collected : (\d+)", result.stderr).group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="N, as above")
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the project to count")
    parser.add_argument("--drive", nargs=2, metavar=("KIND", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        drive(args.drive[0], int(args.drive[1]))
        return 0
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is needed: apt-get install valgrind")

    with postgres(durable=True) as database_url, redis() as (redis_url, _):
        env = site_env(
            database_url,
            redis_url,
            "http://127.0.0.1:8000",
            DJANGO_SETTINGS_MODULE="petition_site.settings",
            # Warm: what one request costs when the cached state is shared by many.
            APPEAL_STATE_MAX_AGE="3600",
            APPEAL_PAGE_CACHE_SECONDS="3600",
            PYTHONHASHSEED="0",
        )
        prepare_site(env)
        if args.checkout != ROOT:  # its own static files, which its pages name
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                cwd=args.checkout,
                env=env,
                check=True,
                timeout=300,
            )
        n = args.requests
        per_request = {
            label: (
                instructions(env, args.checkout, kind, 3 * n)
                - instructions(env, args.checkout, kind, n)
            )
            // (2 * n)
            for label, kind in KINDS.items()
        }
    baseline = per_request["minimal view /healthz"]
    print(f"\nInstructions per warm request, {args.checkout}:")
    for label, count in per_request.items():
        print(f"  {label:<24} {count / 1e6:6.2f} M   {count / baseline:5.2f}x the minimal view")
    return 0


if __name__ == "__main__":
    sys.exit(main())
