"""bench/counter.py's measuring code, run for a fraction of a second (the benchmark itself is
not run by make test: .venv/bin/python bench/counter.py)."""

import pytest

from tests.conftest import load_bench

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def bench():
    return load_bench("counter")


def test_it_confirms_on_one_row_and_on_shards_and_both_stay_exact(bench):
    results = bench.compare(clients=[2], seconds=0.3, shards=4, rows=2_000)
    (result,) = results
    for mode in ("single", "sharded"):
        assert result[mode]["rate"] > 0
        assert result[mode]["exact"]
        assert result[mode]["p99_ms"] >= result[mode]["p50_ms"]
    assert "| 2 |" in bench.report(results, 4)
