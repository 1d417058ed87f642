"""bench/export.py's measuring code, run on a small dataset (the benchmark itself is not run
by make test: .venv/bin/python bench/export.py)."""

import csv
import io
import os

import pytest

from tests.conftest import load_bench

pytestmark = pytest.mark.system


@pytest.fixture(scope="module")
def bench():
    return load_bench("export")


def test_it_loads_and_times_the_admin_export_and_copy(bench, admin_client, petition):
    bench.load_signatures(petition, 20_000)
    petition.refresh_from_db()
    assert petition.supporter_count == 18_000  # 9 in 10 confirmed
    # The whole file, read once before the measured run (which then finds the code warm).
    url = f"/admin/petitions/petition/{petition.pk}/export/?download=1"
    whole = b"".join(admin_client.get(url).streaming_content)
    assert len(list(csv.reader(io.StringIO(whole.decode("utf-8-sig"), newline="")))) == 20_001

    cpu = bench.CpuTime(os.environ["DATABASE_URL"])
    export = bench.time_admin_export(admin_client, petition, cpu)
    copy = bench.time_copy(petition, cpu)
    # It timed the whole file: every byte of it, a header and a line a signature.
    assert export["bytes"] == len(whole)
    # Streamed: the rows after the first chunk of them still take a share of the time from
    # the first byte. (An export that read every row before sending any leaves them about
    # 0.5%, a list to walk; streamed, 20% or more, COPY still running.)
    after_first_byte = export["seconds"] - export["first_byte"]
    assert export["seconds"] - export["first_row"] > after_first_byte / 20
    # Memory stays flat: far less growth than the file's size (about 3 MB here).
    assert export["rss_growth"] < export["bytes"]
    # The CPU time of both sides is found: Python's, and the PostgreSQL cluster's processes'.
    assert export["cpu"][0] > 0 and export["cpu"][1] + copy["cpu"][1] > 0
    # Both hold the same rows (a header and one line each; no comment has a line break).
    assert copy["bytes"] > 0 and export["bytes"] > copy["bytes"]


def test_the_loaded_rows_export_cleanly(bench, admin_client, petition):
    bench.load_signatures(petition, 50)
    url = f"/admin/petitions/petition/{petition.pk}/export/?download=1"
    text = b"".join(admin_client.get(url).streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == 50
    assert {r["comment"] for r in rows} >= {
        'Rivers, "all of them", should run free.',
        "'=1+1 is not a formula here",
    }
