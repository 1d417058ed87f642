"""bench/export.py's measuring code, run on a small dataset (the benchmark itself is not run
by make test: .venv/bin/python bench/export.py)."""

import csv
import io
import os

import pytest

from tests.conftest import load_bench


@pytest.fixture(scope="module")
def bench():
    return load_bench("export")


def test_it_loads_and_times_the_admin_export_and_copy(bench, admin_client, petition):
    bench.load_signatures(petition, 3_000)
    petition.refresh_from_db()
    assert petition.supporter_count == 2_700  # 9 in 10 confirmed

    cpu = bench.CpuTime(os.environ["DATABASE_URL"])
    export = bench.time_admin_export(admin_client, petition, cpu)
    copy = bench.time_copy(petition, cpu)
    assert export["seconds"] > 0 and export["first_byte"] <= export["seconds"]
    assert export["rss_growth"] >= 0
    assert export["cpu"][0] > 0 and copy["cpu"][1] >= 0
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
