"""bench/load.py, run for a few seconds so that it keeps working: it exits 0, every sign POST
answered 302 is stored, the counter equals its confirmed rows and no response failed. Its
figures are not asserted: seconds-long runs on a shared machine mean nothing
(docs/performance.md has full runs)."""

from tests.conftest import figures, run_bench


def test_a_short_run_stores_every_accepted_signature_and_counts_every_confirmation():
    output = run_bench("load", "--seconds", "3", "--get-seconds", "1", "--rounds", "1")
    assert "appeal / minimal" in output

    [(accepted, refused, stored)] = figures(
        r"sign POSTs accepted \(302\) ([\d,]+), refused (\d+), signatures stored ([\d,]+)",
        output,
    )
    assert accepted == stored > 0
    assert refused == 0
    [(counter, rows)] = figures(r"counter of [\w-]+: ([\d,]+), confirmed rows ([\d,]+)", output)
    assert counter == rows > 0
    # The minimal view, the appeal page, the sign and the confirm POSTs: none failed.
    failures = figures(r"non-2xx/3xx (\d+)", output)
    assert len(failures) == 4
    assert all(n == (0,) for n in failures)
