"""bench/load.py, run for a few seconds so that it keeps working: it exits 0, every sign POST
answered 302 is stored, every counter equals its confirmed rows, no response failed and none
was a 5xx, and the whole rate it prints is the one its sign and confirm rates make. Its
speeds are not asserted: seconds-long runs on a shared machine mean nothing
(docs/performance.md has full runs)."""

from tests.conftest import figures, run_bench


def test_a_short_run_stores_every_accepted_signature_and_counts_every_confirmation():
    output = run_bench(
        "load",
        *("--seconds", "3", "--get-seconds", "1", "--rounds", "1"),
        *("--mixed-seconds", "3"),
        timeout=300,
    )
    assert "appeal / minimal" in output

    [(accepted, refused, stored)] = figures(
        r"\nsign POSTs accepted \(302\) ([\d,]+), refused (\d+), signatures stored ([\d,]+)",
        output,
    )
    assert accepted == stored > 0
    assert refused == 0
    [(mixed_accepted, mixed_refused, mixed_stored)] = figures(
        r"mixed sign POSTs accepted \(302\) ([\d,]+), refused (\d+), signatures stored ([\d,]+)",
        output,
    )
    assert mixed_accepted == mixed_stored > 0
    assert mixed_refused == 0
    [(counter, rows)] = figures(r"counter of [\w-]+: ([\d,]+), confirmed rows ([\d,]+)", output)
    assert counter == rows > 0

    # The minimal view, the appeal page, the sign POST, the confirm run, and the mixed
    # run's reads, signs and confirms: none failed, no POST got a 5xx.
    failures = figures(r"non-2xx/3xx (\d+)", output)
    assert len(failures) == 7
    assert all(n == (0,) for n in failures)
    server_errors = figures(r"   5xx (\d+)", output)
    assert len(server_errors) == 4
    assert all(n == (0,) for n in server_errors)

    # The whole rate, from the printed (rounded) sign and confirm rates.
    [(_, sign_rate)] = figures(r"sign POST \((\d+) s\), signatures\s+([\d,]+) /s", output)
    [(_, confirm_rate)] = figures(r"confirm POST \((\d+) s\)\s+([\d,]+) /s", output)
    [(sign, confirm, whole)] = figures(
        r"whole signatures: 1/\(1/([\d,]+) \+ 1/([\d,]+)\) = ([\d,]+) /s", output
    )
    assert (sign, confirm) == (sign_rate, confirm_rate) and sign_rate > 0 < confirm_rate
    assert abs(whole - 1 / (1 / sign + 1 / confirm)) <= 1.5  # the rounding of each
