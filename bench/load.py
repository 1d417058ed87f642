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
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from harness import (
    SLUG,
    confirmation_paths,
    counter_drift,
    csrf_pairs,
    free_port,
    gunicorn,
    line,
    prepare_site,
    rate,
    site_env,
    sql,
    wrk_get,
    wrk_post,
)
from services import postgres, redis


def median_round(rounds: list[tuple[dict, dict]]) -> tuple[dict, dict]:
    """The round whose appeal/minimal ratio is the median one."""
    ordered = sorted(rounds, key=lambda r: rate(r[1]) / rate(r[0]))
    return ordered[len(ordered) // 2]


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
            drift = counter_drift(database_url)

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
    print(f"gunicorn log: {log_path}")
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
