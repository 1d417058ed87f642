"""bench/api.py, run for a second per round so that it keeps working: it exits 0, no request
failed and the counts by country sum to the counter. Its figures are not asserted: a
seconds-long run on a shared machine means nothing (docs/performance.md has a full run)."""

import pytest

from tests.conftest import figures, run_bench

pytestmark = pytest.mark.system


def test_a_short_run_measures_the_api_against_the_appeal_page():
    output = run_bench("api", "--seconds", "1", "--rounds", "1", "--signatures", "200")
    assert "count / appeal" in output
    [(summed, count)] = figures(r"by country sums to ([\d,]+), signature_count ([\d,]+)", output)
    assert summed == count >= 200
    # The appeal page, the count and the detail endpoints: none failed.
    failures = figures(r"non-2xx/3xx (\d+)", output)
    assert len(failures) == 3
    assert all(n == (0,) for n in failures)
