"""bench/updates.py, run small: it queues an update both ways and sends one with two workers,
one of them killed, and prints both tables (the benchmark itself is not run by make test:
.venv/bin/python bench/updates.py)."""

import pytest

from tests.conftest import figures, run_bench

pytestmark = pytest.mark.system


def test_the_benchmark_queues_both_ways_and_sends_once_per_signer_across_a_kill():
    output = run_bench("updates", "--rows", "3000", "--send", "120", "--rate", "40")
    assert "Queuing one update for 3,000 consenting signers:" in output
    for row in ("time", "peak RSS growth", "statements", "unpaced, one process"):
        assert row in output
    ((received, signers, duplicates),) = figures(
        r"received: +([\d,]+) by ([\d,]+) signers; duplicates (\d+)", output
    )
    ((sent, lost, total),) = figures(
        r"outbox: +sent ([\d,]+), lost to the kill (\d+), total ([\d,]+)", output
    )
    assert duplicates == 0 and received == signers
    assert total == 120 and sent + lost == 120 and lost <= 1
