"""Benchmark: the admin's CSV export against PostgreSQL's own COPY, on 1,000,000 signatures.

    .venv/bin/python bench/export.py [--rows 1000000] [--timeout 900]

Starts its own durable PostgreSQL (fsync on, scripts/services.py), migrates, loads the
signatures of one petition with COPY, then, in this one process:

- times the admin's export end to end: GET /admin/petitions/petition/<id>/export/?download=1
  as a superuser through Django's test client, the StreamingHttpResponse consumed fully (the
  same generator the admin streams, petitions/exports.py); with its time to first byte, time
  to the first signature, and the peak growth of this process's RSS while it runs;
- times COPY (SELECT the same columns, same order) TO STDOUT WITH CSV, consumed fully;

and prints both times and their ratio. Targets: export at most 3x COPY, peak memory growth
under 150 MB, first byte within 1 s. Results go in docs/performance.md ("CSV export").
"""

import datetime as dt
import os
import resource
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote

from harness import main_on_postgres, sign_in_to_admin

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

COUNTRIES = ["US", "GB", "FR", "DE", "CA", "AU", "JP", "MX", "TW", "HK", "NZ", "SE", "BR", "IN"]
COMMENTS = ["", "", "", 'Rivers, "all of them", should run free.', "=1+1 is not a formula here"]
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
COPY_COLUMNS = (
    "name, email, country, comment, created_at, confirmed_at, is_public, may_contact, status"
)


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakRss:
    """Samples this process's resident memory every few milliseconds, keeping the peak."""

    def __enter__(self):
        self.baseline = self.peak = rss_bytes()
        self.running = True
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()
        return self

    def sample(self):
        while self.running:
            self.peak = max(self.peak, rss_bytes())
            time.sleep(0.005)

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()
        self.peak = max(self.peak, rss_bytes())

    @property
    def growth(self) -> int:
        return self.peak - self.baseline


class CpuTime:
    """CPU seconds spent by this process and by the PostgreSQL cluster's processes: unlike
    wall-clock time, they hardly change when other work shares the machine."""

    def __init__(self, database_url: str):
        host = unquote(database_url.split("@", 1)[1].split("/", 1)[0])
        self.postmaster = int((Path(host) / "data" / "postmaster.pid").read_text().split()[0])

    def server_seconds(self) -> float:
        ticks = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # the process has ended
            pid, ppid = int(stat.parent.name), int(fields[1])
            if self.postmaster in (pid, ppid):
                ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def __enter__(self):
        self.start = (time.process_time(), self.server_seconds())
        return self

    def __exit__(self, *exc):
        self.client = time.process_time() - self.start[0]
        self.server = self.server_seconds() - self.start[1]


def signature_lines(petition_id: int, rows: int, block: int = 20_000):
    """COPY text-format lines, in blocks; 9 in 10 signatures confirmed."""
    step = dt.timedelta(days=60) / rows
    lines = []
    for n in range(rows):
        signed = START + n * step
        confirmed = n % 10 != 0
        lines.append(
            "\t".join(
                [
                    str(petition_id),
                    f"Supporter Number {n}",
                    f"supporter-{n}@example.org",
                    COUNTRIES[n % len(COUNTRIES)],
                    COMMENTS[n % len(COMMENTS)],
                    "t" if n % 2 else "f",
                    "t" if n % 3 else "f",
                    "confirmed" if confirmed else "pending",
                    signed.isoformat(),
                    (signed + dt.timedelta(minutes=5)).isoformat() if confirmed else r"\N",
                ]
            )
        )
        if len(lines) == block:
            yield "\n".join(lines) + "\n"
            lines.clear()
    if lines:
        yield "\n".join(lines) + "\n"


def load_signatures(petition, rows: int) -> None:
    """Load the petition's signatures with COPY, then set its counter from them."""
    from django.db import connection

    columns = "petition_id, name, email, country, comment, is_public, may_contact, status, "
    columns += "created_at, confirmed_at"
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY petitions_signature ({columns}) FROM STDIN") as copy:
            for block in signature_lines(petition.pk, rows):
                copy.write(block)
        cursor.execute("ANALYZE petitions_signature")
    petition.recount_supporters()


def time_admin_export(client, petition, cpu: CpuTime) -> dict:
    """GET the admin's export and read it all; the times and the memory it took."""
    from django.urls import reverse

    url = reverse("admin:petitions_petition_export", args=[petition.pk]) + "?download=1"
    with PeakRss() as memory, cpu:
        start = time.perf_counter()
        response = client.get(url)
        assert response.status_code == 200 and response.streaming, response
        chunks = iter(response.streaming_content)
        size = len(next(chunks))
        first_byte = time.perf_counter() - start
        size += len(next(chunks, b""))
        first_row = time.perf_counter() - start
        for chunk in chunks:
            size += len(chunk)
        seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "bytes": size,
        "first_byte": first_byte,
        "first_row": first_row,
        "rss_growth": memory.growth,
        "cpu": (cpu.client, cpu.server),
    }


def time_copy(petition, cpu: CpuTime) -> dict:
    """PostgreSQL's own CSV of the same columns in the same order, read it all."""
    from django.db import connection
    from psycopg import sql

    query = sql.SQL(
        "COPY (SELECT {} FROM petitions_signature WHERE petition_id = {}"
        " ORDER BY created_at, id) TO STDOUT WITH CSV HEADER"
    ).format(sql.SQL(COPY_COLUMNS), sql.Literal(petition.pk))
    start = time.perf_counter()
    size = 0
    with cpu, connection.cursor() as cursor, cursor.copy(query) as copy:
        for block in copy:
            size += len(block)
    return {
        "seconds": time.perf_counter() - start,
        "bytes": size,
        "cpu": (cpu.client, cpu.server),
    }


def runs(results: list[dict]) -> str:
    return ", ".join(f"{r['seconds']:.2f} s" for r in results)


def cpu_line(result: dict) -> str:
    client, server = result["cpu"]
    return f"{client + server:.2f} CPU s (Python {client:.2f} + PostgreSQL {server:.2f})"


def run(rows: int, database_url: str) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from petitions.models import Petition

    call_command("migrate", verbosity=0)
    petition = Petition.objects.create(
        slug="benchmark", title="Benchmark", body="b", letter="l", starter_name="Bench"
    )
    start = time.perf_counter()
    load_signatures(petition, rows)
    print(f"loaded {rows:,} signatures with COPY in {time.perf_counter() - start:.1f} s")

    admin = get_user_model().objects.create_superuser("bench", "bench@example.org", "pw")
    client = Client()
    sign_in_to_admin(client, admin)
    cpu = CpuTime(database_url)
    time_copy(petition, cpu)  # warm the cache for both
    exports = [time_admin_export(client, petition, cpu) for _ in range(3)]
    copies = [time_copy(petition, cpu) for _ in range(3)]
    export = min(exports, key=lambda r: r["seconds"])
    copy = min(copies, key=lambda r: r["seconds"])
    ratio = export["seconds"] / copy["seconds"]
    peak = max(r["rss_growth"] for r in exports) / 2**20
    first_byte = max(r["first_byte"] for r in exports)
    first_row = max(r["first_row"] for r in exports)
    print(f"rows:                 {rows:,} (one petition, email column included)")
    print(
        f"admin export:         {export['seconds']:.2f} s, {export['bytes'] / 2**20:.0f} MB"
        f" (runs: {runs(exports)})"
    )
    print(
        f"COPY ... TO STDOUT:   {copy['seconds']:.2f} s, {copy['bytes'] / 2**20:.0f} MB"
        f" (runs: {runs(copies)})"
    )
    print(f"ratio export / COPY:  {ratio:.2f}x (target at most 3x)")
    print(f"CPU, export (best):   {cpu_line(export)}")
    print(f"CPU, COPY (best):     {cpu_line(copy)}")
    print(f"CPU ratio:            {sum(export['cpu']) / sum(copy['cpu']):.2f}x")
    print(f"peak RSS growth:      {peak:.1f} MB (target under 150 MB)")
    print(f"time to first byte:   {first_byte * 1000:.1f} ms (target within 1 s)")
    print(f"time to first row:    {first_row * 1000:.1f} ms")
    print(
        f"process max RSS:      {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


if __name__ == "__main__":
    sys.exit(main_on_postgres(__doc__.split("\n")[0], 1_000_000, run))
