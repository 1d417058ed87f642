"""The JSON API under load, against the appeal page in the same run.

    .venv/bin/python bench/api.py [--seconds 10] [--clients 16] [--rounds 3] [--signatures 20000]

Starts a durable PostgreSQL, Redis and gunicorn with the production settings, as
bench/load.py does, gives the seed petition that many confirmed signatures from a few dozen
countries, then runs wrk in alternating rounds against the appeal page, the count endpoint
(/api/petitions/<slug>/count/) and the detail endpoint (/api/petitions/<slug>/, which groups
the signatures by country), and prints requests/s and p50/p99 latency of each from the round
whose count/appeal ratio is the median one. Target: the count endpoint at least as fast as
the appeal page. Needs wrk (Debian: apt-get install wrk).
"""

import argparse
import json
import os
import shutil
import sys
import urllib.request

from harness import (
    SLUG,
    free_port,
    gunicorn,
    line,
    prepare_site,
    rate,
    site_env,
    sql,
    wrk_get,
)
from services import postgres, redis

COUNTRIES = ["GB", "CN", "US", "FR", "DE", "CA", "AU", "IN", "JP", "NL", "SE", "HK", "TW"]


def add_signatures(database_url: str, n: int) -> None:
    """n confirmed signatures of the seed petition, spread over COUNTRIES, counted."""
    sql(
        database_url,
        "INSERT INTO petitions_signature (petition_id, name, email, country, comment,"
        " is_public, may_contact, status, created_at, confirmed_at)"
        " SELECT p.id, 'Bench ' || i, 'api-bench-' || i || '@example.org',"
        " (%s::text[])[1 + i %% %s], '', false, false, 'confirmed',"
        " now() - i * interval '1 minute', now() - i * interval '1 minute'"
        " FROM petitions_petition p, generate_series(1, %s) AS i WHERE p.slug = %s"
        " RETURNING 1",
        [COUNTRIES, len(COUNTRIES), n, SLUG],
    )
    sql(
        database_url,
        "UPDATE petitions_petition SET supporter_count = supporter_count + %s"
        " WHERE slug = %s RETURNING 1",
        [n, SLUG],
    )


def read_json(url: str) -> dict:
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.load(response)


def median_round(rounds: list[dict]) -> dict:
    """The round whose count/appeal ratio is the median one."""
    ordered = sorted(rounds, key=lambda r: rate(r["count"]) / rate(r["appeal"]))
    return ordered[len(ordered) // 2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each GET run")
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    parser.add_argument("--signatures", type=int, default=20_000, help="confirmed, to group")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    urls = {
        "appeal": f"{base}/{SLUG}/",
        "count": f"{base}/api/petitions/{SLUG}/count/",
        "detail": f"{base}/api/petitions/{SLUG}/",
    }
    with postgres(durable=True) as database_url, redis() as (redis_url, _):
        env = site_env(database_url, redis_url, base, GUNICORN_BIND=f"127.0.0.1:{port}")
        prepare_site(env)
        add_signatures(database_url, args.signatures)
        with gunicorn(env, base) as log_path:
            detail = read_json(urls["detail"])
            for url in urls.values():  # warm every worker's caches and pool
                wrk_get(url, 1, args.clients)
            # Alternating rounds: this machine's speed drifts, and each ratio compares
            # runs seconds apart.
            rounds = [
                {name: wrk_get(url, args.seconds, args.clients) for name, url in urls.items()}
                for _ in range(args.rounds)
            ]

    by_country = sum(c["count"] for c in detail["signatures_by_country"])
    print(
        f"\nAPI benchmark: {os.cpu_count()} cores, {args.clients} concurrent clients, wrk on the"
        f" same cores, {detail['signature_count']:,} signatures"
        f" in {len(detail['signatures_by_country'])} countries"
    )
    for n, figures in enumerate(rounds, 1):
        rates = ", ".join(f"{name} {rate(f):,.0f}/s" for name, f in figures.items())
        ratio = rate(figures["count"]) / rate(figures["appeal"])
        print(f"  round {n}: {rates}, count/appeal {ratio:.2f}x")
    median = median_round(rounds)
    print("median round:")
    print(line("appeal page", median["appeal"]))
    print(line("count endpoint", median["count"]))
    print(line("detail endpoint", median["detail"]))
    ratio = rate(median["count"]) / rate(median["appeal"])
    print(f"{'count / appeal':<30} {ratio:>7.2f}x  (target >= 1x)")
    print(f"{'detail / appeal':<30} {rate(median['detail']) / rate(median['appeal']):>7.2f}x")
    print(
        f"by country sums to {by_country:,}, signature_count {detail['signature_count']:,}: "
        f"{'equal' if by_country == detail['signature_count'] else 'DIFFERENT'}"
    )
    print(f"gunicorn log: {log_path}")
    failed = sum(f["failed"] for figures in rounds for f in figures.values())
    return 0 if failed == 0 and by_country == detail["signature_count"] else 1


if __name__ == "__main__":
    sys.exit(main())
