"""A viral petition on one machine: the load benchmark.

    .venv/bin/python bench/load.py [--seconds 30] [--clients 16]
        [--mixed-seconds 20] [--mixed-clients 2] [--py-spy DIR]

Starts a durable PostgreSQL (fsync on), gunicorn with the production settings and
gunicorn.conf.py, the email worker (manage.py send_queued_emails) as production runs it
beside gunicorn, and wrk as the load generator, all on 127.0.0.1 and all bounded in time,
then prints, from one run:
1. requests/s and p50/p99 latency of the minimal view (/healthz, the baseline) and of the
   appeal page, and their ratio;
2. signatures/s for the sign POST (distinct names and emails, CSRF cookie and token, Origin
   and Sec-Fetch-Site as a browser sends them; the worker sending their confirmation emails
   meanwhile) and confirmations/s (the worker running meanwhile), with p99 and the number
   of 5xx responses of each;
3. the whole rate, 1/(1/signs + 1/confirms): a signature counts once its signer has signed
   and confirmed, so a viral petition needs both POSTs per person;
4. a mixed run, the shape of a viral moment: readers GET the appeal page while others sign
   and confirm, all at once, --mixed-clients connections each for signing and confirming and
   20 times as many reading; each one's rate and p99;
5. stored signatures against successful POSTs, and each counter against its confirmed rows.
The confirm run and the mixed run each use half of the links. With --py-spy DIR, py-spy
records each gunicorn worker during the sign and the confirm runs, collapsed stacks in DIR
(it takes some CPU: a profiling run's rates are not the figures).
Needs wrk (Debian: apt-get install wrk).
"""

import argparse
import concurrent.futures
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import (
    SLUG,
    confirmation_paths,
    counter_drift,
    csrf_pairs,
    email_worker,
    free_port,
    gunicorn,
    gunicorn_workers,
    line,
    prepare_site,
    rate,
    signable_at,
    site_env,
    sql,
    wrk_get,
    wrk_post,
)
from services import postgres, redis

WHOLE_TARGET = 500  # whole signatures (signed and confirmed) a second
P99_TARGET_MS = 100
READERS_PER_SIGNER = 20


def median_round(rounds: list[tuple[dict, dict]]) -> tuple[dict, dict]:
    """The round whose appeal/minimal ratio is the median one."""
    ordered = sorted(rounds, key=lambda r: rate(r[1]) / rate(r[0]))
    return ordered[len(ordered) // 2]


def whole(sign_rate: float, confirm_rate: float) -> float:
    """Whole signatures a second when each person's sign and confirm POSTs share the site."""
    return 1 / (1 / sign_rate + 1 / confirm_rate)


@contextlib.contextmanager
def profiled(folder: Path | None, name: str, log_path: str, seconds: int):
    """py-spy recording each gunicorn worker for seconds, collapsed stacks in folder."""
    if folder is None:
        yield
        return
    recorders = [
        subprocess.Popen(
            ["py-spy", "record", "--pid", str(pid), "--duration", str(seconds), "--rate", "200"]
            + ["--format", "raw", "--nonblocking", "-o", str(folder / f"{name}-{pid}.txt")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for pid in gunicorn_workers(log_path)
    ]
    try:
        yield
    finally:
        for recorder in recorders:
            try:
                recorder.wait(timeout=seconds + 30)
            except subprocess.TimeoutExpired:
                recorder.kill()


def signed_between(database_url: str, run: str, began, ended) -> tuple[int, float]:
    """(signatures stored, seconds from the first to the last) of wrk.lua's RUN run."""
    stored, span = sql(
        database_url,
        "SELECT count(*), extract(epoch FROM max(created_at) - min(created_at))"
        " FROM petitions_signature WHERE email LIKE %s AND created_at BETWEEN %s AND %s",
        [f"bench-{run}-%", began, ended],
    )[0]
    return stored, float(span or 0)


def confirmed_between(database_url: str, began, ended) -> tuple[int, float]:
    """(confirmations, seconds from the first to the last) between the two times."""
    confirmed, span = sql(
        database_url,
        "SELECT count(*), extract(epoch FROM max(confirmed_at) - min(confirmed_at))"
        " FROM petitions_signature WHERE email LIKE 'bench-%%'"
        " AND status = 'confirmed' AND confirmed_at BETWEEN %s AND %s",
        [began, ended],
    )[0]
    return confirmed, float(span or 0)


def now(database_url: str):
    return sql(database_url, "SELECT now()")[0][0]


def paths_file(links: list[str]) -> str:
    paths = Path(tempfile.mkstemp(prefix="paths-")[1])
    paths.write_text("\n".join(links) + "\n")
    return str(paths)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30, help="length of the signing run")
    parser.add_argument("--get-seconds", type=int, default=10, help="length of each GET run")
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections")
    parser.add_argument("--rounds", type=int, default=3, help="alternating GET rounds")
    parser.add_argument(
        "--mixed-seconds", type=int, default=20, help="length of the mixed run (0: none)"
    )
    parser.add_argument(
        "--mixed-clients",
        type=int,
        default=2,
        help=f"mixed run: connections signing, and confirming; {READERS_PER_SIGNER}x reading",
    )
    parser.add_argument("--py-spy", type=Path, help="record the gunicorn workers into this folder")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    if args.py_spy:
        if not shutil.which("py-spy"):
            raise SystemExit("py-spy is needed: pip install py-spy")
        args.py_spy.mkdir(parents=True, exist_ok=True)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with (
        postgres(durable=True, extra_settings=("max_connections=200",)) as database_url,
        redis() as (redis_url, _),
    ):
        env = site_env(database_url, redis_url, base, GUNICORN_BIND=f"127.0.0.1:{port}")
        prepare_site(env)
        with gunicorn(env, base) as log_path:
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
            pairs = csrf_pairs(base, 16)
            tokens.write_text("\n".join(pairs) + "\n")
            # A person takes longer than SIGN_FORM_MIN_SECONDS to fill it in (after the
            # moment its note names, for a page cached for everyone); bounded.
            time.sleep(min(max(signable_at(pairs) - time.time(), 0), 600))
            common = {"TOKENS_FILE": str(tokens), "ORIGIN": f"https://127.0.0.1:{port}"}
            stop = {"STOP_AFTER": str(args.seconds)}
            signer = {"MODE": "sign", "SIGN_PATH": f"/{SLUG}/sign/", **common}
            with email_worker(env) as worker_log:
                began = now(database_url)
                with profiled(args.py_spy, "sign", log_path, args.seconds):
                    signing = wrk_post(
                        f"{base}/{SLUG}/sign/",
                        args.seconds + 3,
                        args.clients,
                        RUN="0",
                        **signer,
                        **stop,
                    )
                ended = now(database_url)
                ((queued, sent),) = sql(
                    database_url,
                    "SELECT count(*), count(sent_at) FROM petitions_outgoingemail"
                    " WHERE created_at BETWEEN %s AND %s",
                    [began, ended],
                )
            # Rates from the rows' own timestamps: the span in which the server stored them.
            stored, sign_span = signed_between(database_url, "0", began, ended)

            links = confirmation_paths(env)
            share = len(links) // (2 if args.mixed_seconds else 1)
            with email_worker(env):
                began = now(database_url)
                with profiled(args.py_spy, "confirm", log_path, args.seconds):
                    confirming = wrk_post(
                        f"{base}/",
                        args.seconds + 3,
                        args.clients,
                        MODE="confirm",
                        PATHS_FILE=paths_file(links[:share]),
                        **common,
                        **stop,
                    )
                ended = now(database_url)
            confirmed, confirm_span = confirmed_between(database_url, began, ended)

            mixed = None
            if args.mixed_seconds:
                mixed = mixed_run(args, base, database_url, env, signer, common, links[-share:])
            drift = counter_drift(database_url)

    base_rps = baseline["requests"] / baseline["seconds"]
    appeal_rps = appeal["requests"] / appeal["seconds"]
    sign_rate = stored / sign_span
    accepted = signing["redirects"]
    print(
        f"\nLoad benchmark: {os.cpu_count()} cores, {args.clients} concurrent clients,"
        " wrk, PostgreSQL and the email worker on the same cores"
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
    print(post_line(f"sign POST ({sign_span:.0f} s), signatures", signing, sign_rate))
    print(
        f"{'':<30} the worker sent {sent:,} of the {queued:,} emails queued meanwhile"
        f" (target p99 < {P99_TARGET_MS} ms, no 5xx)"
    )
    confirm_rate = confirmed / confirm_span
    print(post_line(f"confirm POST ({confirm_span:.0f} s)", confirming, confirm_rate))
    print(
        f"whole signatures: 1/(1/{sign_rate:,.0f} + 1/{confirm_rate:,.0f})"
        f" = {whole(sign_rate, confirm_rate):,.0f} /s (target >= {WHOLE_TARGET}/s)"
    )
    if mixed:
        print(
            f"mixed run ({args.mixed_seconds} s; {mixed['readers']} connections reading,"
            f" {args.mixed_clients} signing, {args.mixed_clients} confirming):"
        )
        print(line("  mixed: appeal page GETs", mixed["reading"]))
        print(post_line("  mixed: sign POSTs", mixed["signing"], mixed["sign_rate"]))
        print(post_line("  mixed: confirm POSTs", mixed["confirming"], mixed["confirm_rate"]))
        print(
            f"  mixed: {rate(mixed['reading']) / mixed['sign_rate']:,.0f} reads per signature,"
            f" whole signatures {whole(mixed['sign_rate'], mixed['confirm_rate']):,.0f} /s"
        )
    print(
        f"sign POSTs accepted (302) {accepted:,}, refused {signing['failed']}, "
        f"signatures stored {stored:,}: {'equal' if stored == accepted else 'DIFFERENT'}"
    )
    if mixed:
        print(
            f"mixed sign POSTs accepted (302) {mixed['signing']['redirects']:,}, refused"
            f" {mixed['signing']['failed']}, signatures stored {mixed['stored']:,}:"
            f" {'equal' if mixed['stored'] == mixed['signing']['redirects'] else 'DIFFERENT'}"
        )
    for slug, counter, rows in drift:
        print(
            f"counter of {slug}: {counter:,}, confirmed rows {rows:,}: "
            f"{'equal' if counter == rows else 'DIFFERENT'}"
        )
    print(f"gunicorn log: {log_path}, email worker's (sign run): {worker_log}")
    if args.py_spy:
        print(f"py-spy profiles: {args.py_spy}")
    posts = [signing, confirming]
    gets = [baseline, appeal]
    exact = stored == accepted and all(c == r for _, c, r in drift)
    if mixed:
        posts += [mixed["signing"], mixed["confirming"]]
        gets.append(mixed["reading"])
        exact = exact and mixed["stored"] == mixed["signing"]["redirects"]
    no_errors = sum(f["failed"] for f in posts + gets) == 0
    return 0 if exact and no_errors else 1


def post_line(label: str, figures: dict, rate: float) -> str:
    return f"{line(label, figures, rate)}   5xx {figures['server_errors']}"


def mixed_run(args, base, database_url, env, signer, common, links) -> dict:
    """Readers, signers and confirmers at once, each its own wrk, the worker running.
    Each one's figures, the rates from the rows' timestamps."""
    seconds = args.mixed_seconds
    readers = READERS_PER_SIGNER * args.mixed_clients
    stop = {"STOP_AFTER": str(seconds)}
    with (
        email_worker(env),
        concurrent.futures.ThreadPoolExecutor(3) as pool,
    ):
        time.sleep(1)
        began = now(database_url)
        reading = pool.submit(wrk_get, f"{base}/{SLUG}/", seconds, readers)
        signing = pool.submit(
            wrk_post,
            f"{base}/{SLUG}/sign/",
            seconds + 3,
            args.mixed_clients,
            RUN="1",
            **signer,
            **stop,
        )
        confirming = pool.submit(
            wrk_post,
            f"{base}/",
            seconds + 3,
            args.mixed_clients,
            MODE="confirm",
            PATHS_FILE=paths_file(links),
            **common,
            **stop,
        )
        figures = {
            "reading": reading.result(),
            "signing": signing.result(),
            "confirming": confirming.result(),
        }
        ended = now(database_url)
    stored, sign_span = signed_between(database_url, "1", began, ended)
    confirmed, confirm_span = confirmed_between(database_url, began, ended)
    if not (sign_span and confirm_span):
        raise SystemExit(f"mixed run: signed {stored}, confirmed {confirmed}: {figures}")
    return {
        **figures,
        "readers": readers,
        "stored": stored,
        "sign_rate": stored / sign_span,
        "confirm_rate": confirmed / confirm_span,
    }


if __name__ == "__main__":
    sys.exit(main())
