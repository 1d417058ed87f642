"""The counter under a hot petition: one counter row against counter shards, in the database.

    .venv/bin/python bench/counter.py [--seconds 3] [--clients 8,16,32,64] [--shards 8]

Starts its own durable PostgreSQL (fsync on, scripts/services.py) and migrates. Then, for
each number of clients K, K connections confirm pending signatures of ONE petition as fast
as they can for a few seconds, each confirmation the app's transaction: the signature's
conditional UPDATE, the counter change, the milestone check's read of the exact total,
COMMIT. Once with the single counter row (UPDATE ... SET supporter_count = supporter_count
+ 1), once spread over the shards (CounterShard.ADD_SQL, with the worker's fold every 2 s),
back to back, so that each pair is measured seconds apart on this drifting machine. Prints
confirmations/s and p50/p99 latency side by side, and checks that each counter equals its
confirmed rows. Results go in docs/performance.md ("The counter under a hot petition").
"""

import argparse
import itertools
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

# The statements of Signature.confirm() and the counter's wiring, as the ORM sends them.
CONFIRM_SQL = (
    "UPDATE petitions_signature SET status = 'confirmed', confirmed_at = now()"
    " WHERE id = %s AND status = 'pending'"
)
ROW_SQL = "UPDATE petitions_petition SET supporter_count = supporter_count + %s WHERE id = %s"
MILESTONE_READ_SQL = (
    "SELECT p.supporter_count + COALESCE((SELECT SUM(s.delta) FROM petitions_countershard s"
    " WHERE s.petition_id = p.id), 0), p.last_milestone, p.goal"
    " FROM petitions_petition p WHERE p.id = %s"
)
FOLD_EVERY = 2.0  # seconds, as the worker (send_queued_emails)


def conninfo() -> str:
    """Django's own database, as libpq parameters."""
    from django.db import connection

    s = connection.settings_dict
    parts = {"dbname": s["NAME"], "user": s["USER"], "host": s["HOST"], "port": s["PORT"]}
    return " ".join(f"{k}='{v}'" for k, v in parts.items() if v)


def prepare(rows: int, shards: int) -> tuple[int, list[int]]:
    """A new open petition with `rows` pending signatures; returns their ids."""
    from django.db import connection

    from petitions.models import Petition

    n = Petition.objects.count()
    petition = Petition.objects.create(
        slug=f"hot-{n}",
        title="Hot",
        body="b",
        letter="l",
        starter_name="Bench",
        state=Petition.State.OPEN,
        counter_shards=shards,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO petitions_signature (petition_id, name, email, country, comment,"
            " is_public, may_contact, status, created_at, review_reason, ip_hash, network_hash)"
            " SELECT %s, 'Hot ' || g, 'hot' || g || '@example.org', 'FR', '', false, false,"
            " 'pending', now(), '', '', '' FROM generate_series(1, %s) g RETURNING id",
            [petition.pk, rows],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        cursor.execute("ANALYZE petitions_signature")
    return petition.pk, ids


def confirm(conn, signature_id: int, petition_id: int, shards: int) -> None:
    from petitions.models import CounterShard

    with conn.transaction():
        if conn.execute(CONFIRM_SQL, [signature_id]).rowcount:
            if shards > 1:
                shard = int.from_bytes(os.urandom(2)) % shards
                params = [CounterShard.LOCK_CLASS, petition_id, petition_id, shard, 1]
                conn.execute(CounterShard.ADD_SQL, params)
            else:
                conn.execute(ROW_SQL, [1, petition_id])
            conn.execute(MILESTONE_READ_SQL, [petition_id]).fetchone()


def fold(conn, petition_id: int) -> None:
    """Petition.fold_counter_shards(), statement for statement."""
    from petitions.models import CounterShard

    with conn.transaction():
        conn.execute(CounterShard.LOCK_ALL_SQL, [CounterShard.LOCK_CLASS, petition_id])
        conn.execute("SELECT id FROM petitions_petition WHERE id = %s FOR UPDATE", [petition_id])
        moved = sum(d for (d,) in conn.execute(CounterShard.TAKE_ALL_SQL, [petition_id]))
        if moved:
            conn.execute(ROW_SQL, [moved, petition_id])


def measure(*, clients: int, seconds: float, shards: int, rows: int) -> dict:
    """K=clients connections confirming one petition's signatures for `seconds`."""
    import psycopg

    petition_id, ids = prepare(rows, shards)
    pending = iter(ids)
    take = threading.Lock()
    info = conninfo()
    connections = [psycopg.connect(info) for _ in range(clients + 1)]
    latencies: list[list[float]] = [[] for _ in range(clients)]
    barrier = threading.Barrier(clients + 1)
    stop = threading.Event()

    def work(n: int) -> None:
        barrier.wait()
        while not stop.is_set():
            with take:
                signature_id = next(pending, None)
            if signature_id is None:
                return
            start = time.perf_counter()
            confirm(connections[n], signature_id, petition_id, shards)
            latencies[n].append(time.perf_counter() - start)

    def folder() -> None:
        barrier.wait()
        while not stop.wait(FOLD_EVERY):
            fold(connections[clients], petition_id)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    threads.append(threading.Thread(target=folder if shards > 1 else barrier.wait))
    for thread in threads:
        thread.start()
    start = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    with connections[0].transaction():
        ((total, confirmed),) = connections[0].execute(
            "SELECT p.supporter_count + COALESCE((SELECT SUM(delta) FROM petitions_countershard"
            " WHERE petition_id = p.id), 0), (SELECT count(*) FROM petitions_signature"
            " WHERE petition_id = p.id AND status = 'confirmed')"
            " FROM petitions_petition p WHERE p.id = %s",
            [petition_id],
        )
    for conn in connections:
        conn.close()
    done = sorted(itertools.chain.from_iterable(latencies))
    return {
        "rate": len(done) / elapsed,
        "p50_ms": statistics.median(done) * 1000 if done else 0.0,
        "p99_ms": done[int(len(done) * 0.99)] * 1000 if done else 0.0,
        "confirmed": confirmed,
        "exact": total == confirmed == len(done),
        "ran_out": len(done) == rows,
    }


def compare(*, clients: list[int], seconds: float, shards: int, rows: int) -> list[dict]:
    """Single row and shards for each K, back to back."""
    measure(clients=clients[0], seconds=min(seconds, 1), shards=0, rows=rows)  # warm up
    return [
        {
            "clients": k,
            "single": measure(clients=k, seconds=seconds, shards=0, rows=rows),
            "sharded": measure(clients=k, seconds=seconds, shards=shards, rows=rows),
        }
        for k in clients
    ]


def report(results: list[dict], shards: int) -> str:
    lines = [
        f"| clients | single row: confirmations/s (p50, p99) | {shards} shards: confirmations/s"
        " (p50, p99) | sharded / single |",
        "| ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        one, many = r["single"], r["sharded"]
        lines.append(
            f"| {r['clients']} | {one['rate']:,.0f} ({one['p50_ms']:.1f}, {one['p99_ms']:.1f} ms)"
            f" | {many['rate']:,.0f} ({many['p50_ms']:.1f}, {many['p99_ms']:.1f} ms)"
            f" | {many['rate'] / one['rate']:.2f}x |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3, help="length of each run")
    parser.add_argument("--clients", default="8,16,32,64", help="concurrent connections")
    parser.add_argument("--shards", type=int, default=8, help="counter shards")
    parser.add_argument("--rows", type=int, default=20_000, help="pending signatures per run")
    args = parser.parse_args()
    clients = [int(k) for k in args.clients.split(",")]
    from services import postgres

    extra = (f"max_connections={max(clients) + 20}",)
    with postgres(durable=True, extra_settings=extra) as database_url:
        os.environ.update(DATABASE_URL=database_url, DATABASE_POOL="false")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "petition_site.settings")
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        results = compare(clients=clients, seconds=args.seconds, shards=args.shards, rows=args.rows)
    print(f"\nOne petition, {os.cpu_count()} cores, fsync on, {args.seconds:g} s per run:\n")
    print(report(results, args.shards))
    runs = [r[mode] for r in results for mode in ("single", "sharded")]
    if any(run["ran_out"] for run in runs):
        print("\nSome runs used every pending signature: raise --rows.")
    exact = all(run["exact"] for run in runs)
    print(f"\ncounters equal their confirmed rows after every run: {'yes' if exact else 'NO'}")
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
