"""A viral petition on one machine: the load benchmark.

    .venv/bin/python bench/load.py [--seconds 30] [--clients 16] [--counter-shards 0,8]

Starts a durable PostgreSQL (fsync on), gunicorn with the production settings and
gunicorn.conf.py, and wrk as the load generator, all on 127.0.0.1 and all bounded in time,
then prints, from one run:
1. requests/s and p50/p99 latency of the minimal view (/healthz, the baseline) and of the
   appeal page, and their ratio;
2. signatures/s for the sign POST (distinct names and emails, CSRF cookie and token as a
   browser sends them) and confirmations/s, with the number of 5xx responses;
3. stored signatures against successful POSTs, and each counter against its confirmed rows.
With --counter-shards 0,8 the confirmations run once per value, each on its share of the
links, the petition's counter on its row (0) or spread over that many shards (no worker runs,
so nothing folds or reshards meanwhile).
Needs wrk (Debian: apt-get install wrk).
"""

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from services import postgres, redis  # noqa: E402

SLUG = "release-dr-wang-bingzhang"
PYTHON = sys.executable
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STARTED = re.compile(r'name="started" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (our own http URL)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def csrf_pairs(base: str, n: int) -> list[str]:
    """Visit the appeal page as n browsers would: each gets its CSRF cookie and form token,
    and the form's signed timestamp."""
    pairs = []
    for _ in range(n):
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        headers = {"X-Forwarded-Proto": "https"}
        request = urllib.request.Request(f"{base}/{SLUG}/", headers=headers)  # noqa: S310
        html = opener.open(request, timeout=10).read().decode()
        cookie = next(c.value for c in jar if c.name == "csrftoken")
        pairs.append(f"{cookie} {TOKEN.search(html).group(1)} {STARTED.search(html).group(1)}")
    return pairs


def wrk_get(url: str, seconds: int, clients: int) -> dict:
    """Plain wrk, no script: as little of the two cores as a load generator can take."""
    result = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(clients),
            "-d",
            f"{seconds}s",
            "--timeout",
            "5s",
            "--latency",
            "-H",
            "X-Forwarded-Proto: https",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    )
    out = result.stdout

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


def median_round(rounds: list[tuple[dict, dict]]) -> tuple[dict, dict]:
    """The round whose appeal/minimal ratio is the median one."""
    ordered = sorted(rounds, key=lambda r: rate(r[1]) / rate(r[0]))
    return ordered[len(ordered) // 2]


def wrk_post(url: str, seconds: int, clients: int, **env) -> dict:
    threads = 2
    result = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(clients),
            "-d",
            f"{seconds}s",
            "--timeout",
            "5s",
            "--latency",
            "-s",
            str(ROOT / "bench" / "wrk.lua"),
            url,
        ],
        env={**os.environ, "THREADS": str(threads), **env},
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def sql(database_url: str, query: str, params: list | None = None) -> list[tuple]:
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as conn:
        return conn.execute(query, params).fetchall()


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30, help="length of the signing run")
    parser.add_argument("--get-seconds", type=int, default=10, help="length of each GET run")
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections")
    parser.add_argument("--rounds", type=int, default=3, help="alternating GET rounds")
    parser.add_argument(
        "--counter-shards",
        default="0",
        help="comma-separated counter_shards to confirm with in turn, e.g. 0,8",
    )
    args = parser.parse_args()
    shard_runs = [int(n) for n in args.counter_shards.split(",")]
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with (
        postgres(durable=True, extra_settings=("max_connections=200",)) as database_url,
        redis() as (redis_url, _),
    ):
        env = {
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
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_ACCESS_LOG": "",
        }
        manage(env, "migrate", "--verbosity", "0")
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        manage(env, "load_seed_petition")
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
            # Warm every worker's page cache and pool before measuring.
            wrk_get(f"{base}/{SLUG}/", 2, args.clients)
            # Alternating rounds: this machine's speed drifts, and each ratio compares
            # two runs seconds apart.
            rounds = [
                (
                    wrk_get(f"{base}/healthz", args.get_seconds, args.clients),
                    wrk_get(f"{base}/{SLUG}/", args.get_seconds, args.clients),
                )
                for _ in range(args.rounds)
            ]
            baseline, appeal = median_round(rounds)

            tokens = Path(tempfile.mkstemp(prefix="tokens-")[1])
            tokens.write_text("\n".join(csrf_pairs(base, 16)) + "\n")
            time.sleep(2)  # a person takes longer than SIGN_FORM_MIN_SECONDS to fill it in
            common = {"TOKENS_FILE": str(tokens), "ORIGIN": f"https://127.0.0.1:{port}"}
            stop = {"STOP_AFTER": str(args.seconds)}
            signing = wrk_post(
                f"{base}/{SLUG}/sign/",
                args.seconds + 3,
                args.clients,
                MODE="sign",
                SIGN_PATH=f"/{SLUG}/sign/",
                **common,
                **stop,
            )
            # Rates from the rows' own timestamps: the span in which the server stored them.
            stored, sign_span = sql(
                database_url,
                "SELECT count(*), extract(epoch FROM max(created_at) - min(created_at))"
                " FROM petitions_signature WHERE email LIKE 'bench-%%'",
            )[0]

            links = confirmation_paths(env)
            share = len(links) // len(shard_runs)
            confirm_runs = []
            for n, shards in enumerate(shard_runs):
                sql(
                    database_url,
                    "UPDATE petitions_petition SET counter_shards = %s WHERE slug = %s RETURNING 1",
                    [shards, SLUG],
                )
                paths = Path(tempfile.mkstemp(prefix="paths-")[1])
                paths.write_text("\n".join(links[n * share : (n + 1) * share]) + "\n")
                ((began,),) = sql(database_url, "SELECT now()")
                confirming = wrk_post(
                    f"{base}/",
                    args.seconds + 3,
                    args.clients,
                    MODE="confirm",
                    PATHS_FILE=str(paths),
                    **common,
                    **stop,
                )
                ((ended,),) = sql(database_url, "SELECT now()")
                confirmed, confirm_span = sql(
                    database_url,
                    "SELECT count(*), extract(epoch FROM max(confirmed_at) - min(confirmed_at))"
                    " FROM petitions_signature WHERE email LIKE 'bench-%%'"
                    " AND status = 'confirmed' AND confirmed_at BETWEEN %s AND %s",
                    [began, ended],
                )[0]
                confirm_runs.append((shards, confirming, confirmed, confirm_span))
            drift = sql(
                database_url,
                "SELECT p.slug, p.supporter_count + COALESCE((SELECT sum(delta)"
                " FROM petitions_countershard c WHERE c.petition_id = p.id), 0),"
                " count(s.id) FILTER (WHERE s.status = 'confirmed')"
                " FROM petitions_petition p"
                " LEFT JOIN petitions_signature s ON s.petition_id = p.id GROUP BY p.id",
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()

    base_rps = baseline["requests"] / baseline["seconds"]
    appeal_rps = appeal["requests"] / appeal["seconds"]
    sign_rate = stored / float(sign_span)
    accepted = signing["redirects"]
    print(
        f"\nLoad benchmark: {os.cpu_count()} cores, {args.clients} concurrent clients,"
        " wrk on the same cores"
    )
    for n, (minimal, page) in enumerate(rounds, 1):
        print(
            f"  GET round {n}: minimal {rate(minimal):,.0f}/s, appeal {rate(page):,.0f}/s,"
            f" ratio {rate(page) / rate(minimal):.2f}x"
        )
    print("median round:")
    print(line("minimal view /healthz", baseline))
    print(line("appeal page", appeal))
    print(f"{'appeal / minimal':<30} {appeal_rps / base_rps:>7.2f}x  (target >= 0.5x)")
    print(line(f"sign POST ({float(sign_span):.0f} s), signatures", signing, sign_rate))
    print(f"{'':<30} (target >= 500/s for 30 s, p99 < 100 ms, no 5xx)")
    for shards, confirming, confirmed, span in confirm_runs:
        counter = f"{shards} shards" if shards > 1 else "single row"
        label = f"confirm POST ({float(span):.0f} s, {counter})"
        print(line(label, confirming, confirmed / float(span)))
    print(
        f"sign POSTs accepted (302) {accepted:,}, refused {signing['failed']}, "
        f"signatures stored {stored:,}: {'equal' if stored == accepted else 'DIFFERENT'}"
    )
    for slug, counter, rows in drift:
        print(
            f"counter of {slug}: {counter:,}, confirmed rows {rows:,}: "
            f"{'equal' if counter == rows else 'DIFFERENT'}"
        )
    print(f"gunicorn log: {log.name}")
    exact = stored == accepted and all(c == r for _, c, r in drift)
    no_errors = (
        baseline["failed"]
        + appeal["failed"]
        + signing["failed"]
        + sum(run[1]["failed"] for run in confirm_runs)
        == 0
    )
    return 0 if exact and no_errors else 1


if __name__ == "__main__":
    sys.exit(main())
