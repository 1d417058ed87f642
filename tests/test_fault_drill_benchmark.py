"""bench/fault_drill.py, run small with fsync off so that it keeps working: it exits 0 and
its figures say what the drills promise (every acknowledged write found, no 500). How long
each outage lasted is not asserted here: docs/scaling.md has full runs."""

import pytest

from tests.conftest import figures, run_bench

pytestmark = pytest.mark.system


def test_it_runs_and_finds_every_acknowledged_write():
    output = run_bench("fault_drill", "--outage", "2", "--signers", "2", "--fast")
    assert "every acknowledged write found: yes" in output

    [(before, thanks, paused, _)] = figures(
        r"counter ([\d,]+); thank-you page after confirming showed ([\d,]+) at once; "
        r"the public counter showed ([\d,]+) while replay was paused and ([\d,]+)",
        output,
    )
    assert thanks == before + 1
    assert paused == before

    [(failures_after,)] = figures(r"([\d,]+) after it returned", output)
    assert failures_after == 0

    [(answered_500, acknowledged, found, emails, half_written)] = figures(
        r"([\d,]+) other 5xx, .*writes acknowledged ([\d,]+), found afterwards ([\d,]+), "
        r"with their confirmation email ([\d,]+); half-written ([\d,]+)",
        output,
    )
    assert answered_500 == half_written == 0
    assert acknowledged == found == emails > 0
