"""bench/admin_delete.py, run small: it deletes a petition both ways and prints the table."""

import pytest

from tests.conftest import run_bench

pytestmark = pytest.mark.system


def test_the_benchmark_deletes_both_petitions_and_reports_both_ways():
    output = run_bench("admin_delete", "--rows", "300", "--timeout", "120")
    assert "Deleting a petition of 300 signatures in the admin:" in output
    for row in ("delete page", "delete ", "peak memory of the process", "page size"):
        assert row in output
