"""What the load benchmarks share (bench/load.py, bench/scale_out.py): the site's production
environment on 127.0.0.1, its seed, wrk runs and their figures, and the checks that every
accepted signature was stored and every counter equals its confirmed rows."""

import argparse
import base64
import contextlib
import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

SLUG = "release-dr-wang-bingzhang"
PYTHON = sys.executable
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STARTED = re.compile(r'name="started" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def site_env(database_url: str, redis_url: str, base: str, **extra: str) -> dict:
    """Production settings, as behind a TLS-terminating proxy, with emails dropped."""
    return {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": base,
        "SECURE_PROXY_SSL_HEADER": "true",  # as behind a TLS-terminating proxy
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "REDIS_URL": redis_url,
        # All the load comes from one address: the per-address limits would stop it.
        "RATE_LIMIT_SIGN_PER_IP": "10000000/m",
        "RATE_LIMIT_NEW_LINK_PER_IP": "10000000/m",
        "GUNICORN_ACCESS_LOG": "",
        **extra,
    }


def authenticator_script(username: str, key: str) -> str:
    """Python for `manage.py shell -c`: give the user a confirmed authenticator with this
    hex key, the second factor the admin asks of a superuser."""
    return (
        "from django.contrib.auth import get_user_model; "
        "from django_otp.plugins.otp_totp.models import TOTPDevice; "
        f"TOTPDevice.objects.create(user=get_user_model().objects.get(username={username!r}), "
        f"name='Bench', key={key!r}, confirmed=True)"
    )


def authenticator_code(key: str) -> str:
    """The code the authenticator with this hex key shows now."""
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(key)):06d}"


def sign_in_to_admin(client, user) -> None:
    """Sign Django's test client in as the user, with a confirmed authenticator as the
    second factor (as tests/conftest.py's sign_in does)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="Bench", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def prepare_site(env: dict) -> None:
    """Migrate, collect the static files and load the seed petition."""
    manage(env, "migrate", "--verbosity", "0")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    manage(env, "load_seed_petition")


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result.stdout


@contextlib.contextmanager
def gunicorn(env: dict, base: str):
    """gunicorn with gunicorn.conf.py, as production runs it, answering at base; yields the
    path of its log, which outlives it."""
    log = tempfile.NamedTemporaryFile(prefix="gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(f"{base}/healthz")
        yield log.name
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def gunicorn_workers(log_path: str) -> list[int]:
    """The pids of the workers of the gunicorn logging to log_path, from its "Booting
    worker with pid" lines (for py-spy)."""
    return [
        int(pid)
        for pid in re.findall(r"Booting worker with pid: (\d+)", Path(log_path).read_text())
    ]


# Seconds a worker may take to stop after SIGTERM: it finishes the email it is sending
# (dropped, with the bench's dummy backend) and gives back the others; generous.
WORKER_STOP_SECONDS = 30


@contextlib.contextmanager
def email_worker(env: dict):
    """The email worker (manage.py send_queued_emails), as production runs it beside
    gunicorn (compose.yaml, deploy/k8s): it sends the queued emails and closes petitions at
    their closing time. Up (its start line printed) before this yields its log's path, which
    outlives it; stopped by SIGTERM, as a supervisor stops it, within WORKER_STOP_SECONDS,
    else killed."""
    log = tempfile.NamedTemporaryFile(prefix="worker-", suffix=".log", delete=False)  # noqa: SIM115
    worker = subprocess.Popen(
        [PYTHON, "manage.py", "send_queued_emails"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while "SIGTERM or SIGINT stops" not in Path(log.name).read_text(errors="replace"):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the email worker did not start: see {log.name}")
            time.sleep(0.05)
        yield log.name
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=WORKER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)
        log.close()


def wait_for(url: str, timeout: float = 30, process: subprocess.Popen | None = None) -> None:
    """Until the URL answers; give up early if the process serving it has ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process and process.poll() is not None:
            raise SystemExit(f"{url}: the server exited with status {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (our own http URL)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def csrf_pairs(base: str, n: int, form_page: str = "/start/petition/") -> list[str]:
    """Visit the appeal page as n browsers would: each gets its CSRF cookie and form token,
    and the form's signed timestamp, as "cookie token started" lines for bench/wrk.lua.

    The cookie and token come from form_page, a page with a POST form (the start form), not
    from the appeal page, which may stop carrying one (cached at the edge, its sign POST
    checked by Origin and Sec-Fetch-Site instead); the timestamp comes from the appeal
    page's `started` field if it has one, else from form_page's (the same signed note),
    else "-" (sent empty)."""
    pairs = []
    headers = {"X-Forwarded-Proto": "https"}
    for _ in range(n):
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

        def get(path: str, opener=opener) -> str:
            request = urllib.request.Request(f"{base}{path}", headers=headers)  # noqa: S310
            return opener.open(request, timeout=10).read().decode()

        appeal = get(f"/{SLUG}/")
        form = get(form_page)
        cookie = next(c.value for c in jar if c.name == "csrftoken")
        started = STARTED.search(appeal) or STARTED.search(form)
        pairs.append(
            f"{cookie} {TOKEN.search(form).group(1)} {started.group(1) if started else '-'}"
        )
    return pairs


def signable_at(pairs: list[str], min_seconds: float = 2) -> float:
    """When the forms of csrf_pairs' lines may be sent (time.time()): min_seconds
    (SIGN_FORM_MIN_SECONDS) after the latest of their signed notes, which for a page that
    shared caches keep names a moment up to two cache lifetimes ahead (forms.form_timestamp).
    The note's payload is signing.dumps' base64 JSON, readable without the key."""
    seconds = [
        int(base64.urlsafe_b64decode(started.split(":")[0] + "==="))
        for started in (pair.split()[2] for pair in pairs)
        if started != "-"
    ]
    return max(seconds, default=0) + min_seconds + 0.5


def wrk(url: str, seconds: int, clients: int, *options: str, **env: str) -> str:
    """Run wrk (2 threads) against url for seconds, bounded in time; its output."""
    result = subprocess.run(
        ["wrk", "-t", "2", "-c", str(clients), "-d", f"{seconds}s", "--timeout", "5s"]
        + ["--latency", *options, url],
        env={**os.environ, "THREADS": "2", **env},
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    )
    return result.stdout


def wrk_get(url: str, seconds: int, clients: int) -> dict:
    """Plain wrk, no script: as little of the two cores as a load generator can take."""
    out = wrk(url, seconds, clients, "-H", "X-Forwarded-Proto: https")

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)\b", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    requests, seconds_taken = re.search(r"(\d+) requests in ([\d.]+)(s|m)", out).groups()[:2]
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests": int(requests),
        "seconds": float(seconds_taken),
        "failed": int(failed.group(1)) if failed else 0,
        "p50_ms": ms("50%"),
        "p99_ms": ms("99%"),
    }


def rate(figures: dict) -> float:
    return figures["requests"] / figures["seconds"]


def wrk_post(url: str, seconds: int, clients: int, **env) -> dict:
    """wrk with bench/wrk.lua (MODE=sign or confirm, see there); its figures as a dict."""
    out = wrk(url, seconds, clients, "-s", str(ROOT / "bench" / "wrk.lua"), **env)
    return json.loads(out.strip().splitlines()[-1])


def sql(database_url: str, query: str, params: list | None = None) -> list[tuple]:
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as conn:
        return conn.execute(query, params).fetchall()


def counter_drift(database_url: str) -> list[tuple[str, int, int]]:
    """Each petition's slug, counter and confirmed rows."""
    return sql(
        database_url,
        "SELECT p.slug, p.supporter_count,"
        " count(s.id) FILTER (WHERE s.status = 'confirmed')"
        " FROM petitions_petition p"
        " LEFT JOIN petitions_signature s ON s.petition_id = p.id GROUP BY p.id",
    )


def confirmation_paths(env: dict) -> list[str]:
    """The links the confirmation emails carry, made as emails.py makes them."""
    code = (
        "from petitions.models import Signature\n"
        "for s in Signature.objects.pending().select_related('petition').order_by('pk'):\n"
        "    print(s.confirmation_url().split('//', 1)[1].split('/', 1)[1])\n"
    )
    return ["/" + line for line in manage(env, "shell", "--no-imports", "-c", code).split()]


def line(label: str, figures: dict, rate: float | None = None) -> str:
    rate = figures["requests"] / figures["seconds"] if rate is None else rate
    return (
        f"{label:<30} {rate:>7,.0f} /s   p50 {figures['p50_ms']:>6.1f} ms   "
        f"p99 {figures['p99_ms']:>6.1f} ms   non-2xx/3xx {figures['failed']}"
    )


def main_on_postgres(description: str, rows: int, run) -> int:
    """The command line of a benchmark that runs Django in this process (bench/export.py,
    bench/admin_delete.py): --rows and --timeout, then run(rows, database_url) against a
    durable PostgreSQL of its own; its exit status."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rows", type=int, default=rows)
    parser.add_argument("--timeout", type=int, default=900, help="give up after this many s")
    args = parser.parse_args()

    def give_up(*_):
        raise SystemExit(f"benchmark stopped after {args.timeout} s")

    signal.signal(signal.SIGALRM, give_up)
    signal.alarm(args.timeout)
    from services import postgres

    with postgres(durable=True) as database_url:
        os.environ["DATABASE_URL"] = database_url
        os.environ["ALLOWED_HOSTS"] = "testserver"  # Django's test client
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "petition_site.settings")
        return run(args.rows, database_url) or 0
