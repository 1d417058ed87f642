"""bench/scale_out.py, run for two seconds a set-up so that it keeps working: it exits 0,
every accepted POST is stored and the counter equals its confirmed rows. Its figures are not
asserted: two-second runs on a shared machine mean nothing (docs/scaling.md has full runs)."""

import os
import shutil

import pytest

from tests.conftest import figures, run_bench

# nginx and wrk are installed by `make test` (scripts/ensure_system_packages.sh).
pytestmark = [
    pytest.mark.skipif(not shutil.which("taskset"), reason="taskset is missing (util-linux)"),
    pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores"),
    pytest.mark.system,
]


def test_it_runs_and_every_count_matches():
    output = run_bench("scale_out", "--seconds", "2", "--rounds", "1")
    assert output.count("(b)/(a)") >= 2  # the pages' and the signatures' ratios

    [(accepted, stored)] = figures(
        r"sign POSTs accepted \(302\) ([\d,]+), signatures stored ([\d,]+)", output
    )
    assert accepted == stored > 0
    [(confirms, confirmed)] = figures(
        r"confirm POSTs accepted \(302\) ([\d,]+), signatures confirmed ([\d,]+)", output
    )
    assert confirms == confirmed > 0
    [(counter, rows)] = figures(r"counter of [\w-]+: ([\d,]+), confirmed rows ([\d,]+)", output)
    assert counter == rows
    assert "non-2xx/3xx responses: 0" in output
