"""Does the web tier add capacity? One gunicorn against two, behind the same proxy.

    .venv/bin/python bench/scale_out.py [--seconds 8] [--rounds 3] [--clients 16]

Starts a durable PostgreSQL (fsync on) and a Redis (scripts/services.py), migrates and loads
the seed petition, then two gunicorn instances, each ONE worker process (4 threads) pinned
to its own core with taskset, and one nginx (bench/nginx.conf) with two front doors:
  (a) proxying to the first instance alone,
  (b) proxying to both, round-robin,
with upstream keep-alive and X-Forwarded-For appended (Django runs with
TRUSTED_PROXY_COUNT=1, as behind the production proxy). Everything is on 127.0.0.1 and each
step is bounded in time. In alternating rounds (this machine's speed drifts, so each ratio
compares runs seconds apart, and the order flips every round) wrk measures:
1. the appeal page GET, requests/s with p50/p99;
2. the sign POST (distinct signers, CSRF cookie and token from the page), signatures/s from
   the rows' timestamps, with p50/p99 of the POSTs from nginx's log;
then one shorter run per set-up of the counter that watching pages poll
(/<slug>/supporters.json), and one confirm POST run each. It prints each round, the medians
and the ratio (b)/(a), the CPU that each part (gunicorn, PostgreSQL, Redis, nginx, wrk) spent
per request, the WAL flushes per write transaction, and checks that the accepted POSTs equal
the stored signatures and each counter its confirmed rows. It exits non-zero on an error
response or a difference. wrk, nginx and PostgreSQL share the cores with gunicorn: (b) cannot
reach 2x on a 2-core machine. Needs wrk, taskset and nginx (apt installs it as root on Debian).
"""

import argparse
import contextlib
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import unquote

from harness import (
    PYTHON,
    ROOT,
    SLUG,
    confirmation_paths,
    counter_drift,
    csrf_pairs,
    free_port,
    prepare_site,
    rate,
    signable_at,
    site_env,
    sql,
    wait_for,
    wrk_get,
    wrk_post,
)
from services import ensure_debian_package, postgres, redis, stop_process

SETUPS = ("a", "b")
LABELS = {"a": "(a) 1 instance", "b": "(b) 2 instances"}
# wrk.lua stops posting STOP_AFTER seconds into a run and sends cheap GETs for the rest, so
# that no POST is cut off by wrk's clock: this long, at least.
POST_TAIL = 2


def find_nginx() -> str:
    # Debian puts it in /usr/sbin, which a user's PATH may lack.
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    return found or ensure_debian_package("nginx", "nginx")


def cpu_seconds(roots: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds so far of each part: its processes and their descendants, with their
    reaped children (a PostgreSQL backend that has exited is in its postmaster's cutime);
    "wrk" is this process's running wrk."""
    parents, names, ticks = {}, {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, rest = stat.read_text().rsplit(")", 1)
        except OSError:
            continue  # the process has ended
        pid, fields = int(stat.parent.name), rest.split()
        parents[pid], names[pid] = int(fields[1]), name.split("(", 1)[1]
        ticks[pid] = sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime

    def root_of(pid: int) -> int:
        while pid and pid not in tops:
            pid = parents.get(pid, 0)
        return pid

    tops = {pid: part for part, pids in roots.items() for pid in pids}
    seconds = dict.fromkeys([*roots, "wrk"], 0.0)
    for pid, n in ticks.items():
        if names[pid] == "wrk" and parents[pid] == os.getpid():
            seconds["wrk"] += n
        elif top := root_of(pid):
            seconds[tops[top]] += n
    tick = os.sysconf("SC_CLK_TCK")
    return {part: n / tick for part, n in seconds.items()}


class Window(threading.Thread):
    """Samples every part's CPU at two moments into a run, leaving out its start and the
    closing GETs of wrk.lua: CPU seconds, unlike wall-clock rates, hardly change when other
    work shares the machine."""

    def __init__(self, roots: dict[str, list[int]], seconds: int):
        super().__init__(daemon=True)
        self.roots = roots
        self.after = min(1.0, seconds / 4)
        self.until = max(self.after + 0.25, seconds - 1.0)  # wrk.lua posts this long at least

    def run(self) -> None:
        time.sleep(self.after)
        self.began, before = dt.datetime.now(dt.UTC), cpu_seconds(self.roots)
        time.sleep(self.until - self.after)
        self.ended, after = dt.datetime.now(dt.UTC), cpu_seconds(self.roots)
        self.cpu = {part: after[part] - before[part] for part in after}
        self.seconds = (self.ended - self.began).total_seconds()


def measured(roots: dict[str, list[int]], seconds: int, run, *args, **kwargs) -> dict:
    """run(*args, **kwargs)'s figures, with the CPU window taken while it ran."""
    window = Window(roots, seconds)
    window.start()
    figures = run(*args, **kwargs)
    window.join()
    return {**figures, "window": window}


@contextlib.contextmanager
def running(cmd: list[str], env: dict, log: Path):
    with open(log, "wb") as output:
        process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        stop_process(process)


def nginx_config(folder: Path, ports: dict, upstreams: list[int]) -> Path:
    text = (ROOT / "bench" / "nginx.conf").read_text()
    for name, value in {
        "PREFIX": str(folder),
        "ONE": f"server 127.0.0.1:{upstreams[0]};",
        "TWO": " ".join(f"server 127.0.0.1:{port};" for port in upstreams),
        "ONE_PORT": str(ports["a"]),
        "TWO_PORT": str(ports["b"]),
    }.items():
        text = text.replace(f"@{name}@", value)
    config = folder / "nginx.conf"
    config.write_text(text)
    return config


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[round(p / 100 * (len(ordered) - 1))] if ordered else 0.0


def post_latencies(log: Path, offset: int) -> tuple[dict, int]:
    """p50/p99 in ms of the POSTs nginx logged since offset, and the new offset."""
    with open(log) as f:
        f.seek(offset)
        lines = f.read().splitlines()
        end = f.tell()
    times = [float(line.split()[2]) * 1000 for line in lines]
    return {"p50_ms": percentile(times, 50), "p99_ms": percentile(times, 99)}, end


def db_now(database_url: str):
    return sql(database_url, "SELECT clock_timestamp()")[0][0]


def rows_between(database_url: str, column: str, since, until=None) -> tuple[int, float]:
    """How many signatures have `column` (created_at, confirmed_at) in [since, until), and
    the seconds between the first and the last: the span in which the server stored them."""
    until = f" AND {column} < '{until.isoformat()}'" if until else ""
    count, span = sql(
        database_url,
        f"SELECT count(*), coalesce(extract(epoch FROM max({column}) - min({column})), 0)"  # noqa: S608 (our own values)
        f" FROM petitions_signature WHERE {column} >= '{since.isoformat()}'{until}",
    )[0]
    return count, float(span)


def wal_figures(database_url: str) -> tuple[int, int]:
    """WAL flushes (pg_stat_wal) and committed transactions, cluster-wide. A backend reports
    its statistics when it exits (or idles a while): wait until no other client is
    connected."""
    others = (
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
    )
    deadline = time.monotonic() + 10
    while sql(database_url, others)[0][0] and time.monotonic() < deadline:
        time.sleep(0.1)
    return sql(
        database_url,
        "SELECT (SELECT wal_sync FROM pg_stat_wal),"
        " (SELECT sum(xact_commit)::bigint FROM pg_stat_database)",
    )[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8, help="length of each run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections")
    args = parser.parse_args()
    for program, package in (("wrk", "wrk"), ("taskset", "util-linux")):
        if not shutil.which(program):
            raise SystemExit(f"{program} is needed: apt-get install {package}")
    cores = sorted(os.sched_getaffinity(0))[:2]
    if len(cores) < 2:
        raise SystemExit("Two cores are needed: one for each gunicorn instance.")
    nginx = find_nginx()

    folder = Path(tempfile.mkdtemp(prefix="scale-out-"))
    folder.chmod(0o755)  # nginx's workers run as nobody when we are root
    ports = {"a": free_port(), "b": free_port()}
    upstreams = [free_port(), free_port()]
    bases = {s: f"http://127.0.0.1:{ports[s]}" for s in SETUPS}
    results = {s: {"get": [], "sign": [], "poll": [], "confirm": []} for s in SETUPS}
    with (
        postgres(durable=True, extra_settings=("max_connections=200",)) as database_url,
        redis() as (redis_url, redis_server),
        contextlib.ExitStack() as stack,
    ):
        env = site_env(
            database_url,
            redis_url,
            bases["b"],
            TRUSTED_PROXY_COUNT="1",
            WEB_CONCURRENCY="1",
            GUNICORN_THREADS="4",
            # One worker each, so nothing to balance: nginx keeps its upstream connections
            # open, as bench/nginx.conf says.
            GUNICORN_KEEPALIVE="5",
            DATABASE_POOL_MAX_SIZE="4",
        )
        prepare_site(env)
        wal_before = wal_figures(database_url)
        instances = []
        for n, (core, port) in enumerate(zip(cores, upstreams, strict=True)):
            cmd = ["taskset", "-c", str(core), PYTHON, "-m", "gunicorn"]
            # No recycling mid-run: a fresh worker would measure its own warm-up.
            cmd += ["--config", "gunicorn.conf.py", "--max-requests", "0"]
            instance_env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
            instances.append(
                stack.enter_context(running(cmd, instance_env, folder / f"gunicorn-{n}.log"))
            )
        proxy_cmd = [nginx, "-p", str(folder), "-e", str(folder / "error.log")]
        proxy_cmd += ["-c", str(nginx_config(folder, ports, upstreams))]
        proxy = stack.enter_context(running(proxy_cmd, env, folder / "nginx.out"))
        for instance, port in zip(instances, upstreams, strict=True):
            wait_for(f"http://127.0.0.1:{port}/healthz", process=instance)
        for setup in SETUPS:
            wait_for(f"{bases[setup]}/healthz", process=proxy)
        socket_folder = Path(unquote(database_url.split("@", 1)[1].split("/", 1)[0]))
        postmaster = int((socket_folder / "data" / "postmaster.pid").read_text().split()[0])
        roots = {
            "gunicorn": [i.pid for i in instances],
            "postgres": [postmaster],
            "redis": [redis_server.pid],
            "nginx": [proxy.pid],
        }
        posts_log = folder / "posts.log"

        # Warm each instance's page cache and connection pool.
        wrk_get(f"{bases['b']}/{SLUG}/", min(2, args.seconds), args.clients)
        tokens = folder / "tokens"
        pairs = csrf_pairs(bases["b"], 16)
        tokens.write_text("\n".join(pairs) + "\n")
        time.sleep(max(0, signable_at(pairs) - time.time()))  # as a person fills it in
        offset = posts_log.stat().st_size if posts_log.exists() else 0

        def post_run(setup: str, column: str, **wrk_env) -> dict:
            nonlocal offset
            since = db_now(database_url)
            figures = measured(
                roots,
                args.seconds,
                wrk_post,
                bases[setup] + ("/" if column == "confirmed_at" else f"/{SLUG}/sign/"),
                args.seconds + POST_TAIL,
                args.clients,
                TOKENS_FILE=str(tokens),
                ORIGIN=f"https://127.0.0.1:{ports[setup]}",
                STOP_AFTER=str(args.seconds),
                **wrk_env,
            )
            figures["stored"], span = rows_between(database_url, column, since)
            figures["rate"] = figures["stored"] / span if span else 0.0
            window = figures["window"]
            figures["in_window"] = rows_between(database_url, column, window.began, window.ended)[0]
            latency, offset = post_latencies(posts_log, offset)
            return figures | latency

        for n in range(args.rounds):
            # Flipped every round, so that neither set-up always runs on the later seconds.
            order = SETUPS if n % 2 == 0 else SETUPS[::-1]
            for setup in order:
                url = f"{bases[setup]}/{SLUG}/"
                figures = measured(roots, args.seconds, wrk_get, url, args.seconds, args.clients)
                figures["rate"] = rate(figures)
                figures["in_window"] = figures["rate"] * figures["window"].seconds
                results[setup]["get"].append(figures)
            for setup in order:
                figures = post_run(
                    setup,
                    "created_at",
                    MODE="sign",
                    RUN=f"{n}{setup}",
                    SIGN_PATH=f"/{SLUG}/sign/",
                )
                results[setup]["sign"].append(figures)

        # The counter that every watching page polls: one shorter run each, for its cost.
        poll = max(1, args.seconds // 2)
        for setup in SETUPS:
            url = f"{bases[setup]}/{SLUG}/supporters.json"
            figures = measured(roots, poll, wrk_get, url, poll, args.clients)
            figures["rate"] = rate(figures)
            figures["in_window"] = figures["rate"] * figures["window"].seconds
            results[setup]["poll"].append(figures)

        # Each set-up confirms its own half of the pending signatures, once.
        paths = confirmation_paths(env)
        halves = {"a": paths[: len(paths) // 2], "b": paths[len(paths) // 2 :]}
        for setup in SETUPS:
            paths_file = folder / f"paths-{setup}"
            paths_file.write_text("\n".join(halves[setup]) + "\n")
            figures = post_run(setup, "confirmed_at", MODE="confirm", PATHS_FILE=str(paths_file))
            results[setup]["confirm"].append(figures)

        stack.close()
        wal_after = wal_figures(database_url)
        stored = sql(
            database_url, "SELECT count(*) FROM petitions_signature WHERE email LIKE 'bench-%%'"
        )[0][0]
        drift = counter_drift(database_url)

    ok = report(args, results, wal_before, wal_after, stored, drift)
    if ok:
        shutil.rmtree(folder, ignore_errors=True)
    else:
        print(f"FAILED; the logs are in {folder}")
    return 0 if ok else 1


def report(args, results: dict, wal_before, wal_after, stored: int, drift: list) -> bool:
    """Print the figures; whether every request succeeded and every count matched."""
    print(
        f"\nScale-out benchmark: {os.cpu_count()} cores, {args.clients} clients, "
        f"{args.seconds} s runs; gunicorn 1 worker x 4 threads per instance, each pinned to "
        "a core; wrk, nginx, PostgreSQL and Redis share the same cores"
    )

    def row(label: str, figures: dict, unit: str) -> str:
        return (
            f"{label:<16} {figures['rate']:>7,.0f} {unit:<12}  p50 {figures['p50_ms']:>6.1f} ms"
            f"   p99 {figures['p99_ms']:>6.1f} ms"
        )

    for kind, unit, title in (
        ("get", "pages/s", "appeal page GET"),
        ("sign", "signatures/s", "sign POST"),
    ):
        print(f"\n{title}")
        ratios = []
        for n in range(args.rounds):
            a, b = (results[s][kind][n] for s in SETUPS)
            ratios.append(b["rate"] / a["rate"] if a["rate"] else 0.0)
            print(f"  round {n + 1}  {row(LABELS['a'], a, unit)}")
            print(f"           {row(LABELS['b'], b, unit)}   (b)/(a) {ratios[-1]:.2f}x")
        medians = {s: statistics.median(f["rate"] for f in results[s][kind]) for s in SETUPS}
        print(
            f"  median   (a) {medians['a']:,.0f}, (b) {medians['b']:,.0f} {unit}; "
            f"median of the rounds' (b)/(a): {statistics.median(ratios):.2f}x"
        )
    for kind, unit, title in (
        ("poll", "polls/s", "counter poll GET (supporters.json), one run each"),
        ("confirm", "confirms/s", "confirm POST, one run each"),
    ):
        print(f"\n{title}")
        for setup in SETUPS:
            print(f"           {row(LABELS[setup], results[setup][kind][0], unit)}")

    parts = ["gunicorn", "postgres", "redis", "nginx", "wrk"]
    print("\nCPU ms per request, median of the runs (1,000 / ms = requests/s per core)")
    print(f"  {'':<30}" + "".join(f"{p:>9}" for p in parts))
    for kind, label in (
        ("get", "appeal page"),
        ("sign", "signature"),
        ("poll", "counter poll"),
        ("confirm", "confirm"),
    ):
        for setup in SETUPS:
            runs = [f for f in results[setup][kind] if f["in_window"]]
            cells = [
                statistics.median(1000 * f["window"].cpu[p] / f["in_window"] for f in runs)
                if runs
                else 0.0
                for p in parts
            ]
            name = f"{label} {LABELS[setup]}"
            print(f"  {name:<30}" + "".join(f"{c:>9.2f}" for c in cells))

    writes = sum(f["stored"] for s in SETUPS for k in ("sign", "confirm") for f in results[s][k])
    syncs, commits = (after - before for after, before in zip(wal_after, wal_before, strict=True))
    print(
        f"\nPostgreSQL: {writes:,} write transactions (signatures, confirmations), {commits:,}"
        f" commits with the reads, {syncs:,} WAL flushes:"
        f" {writes / syncs if syncs else 0:.1f} writes per flush (group commit)"
    )

    accepted = sum(f["redirects"] for s in SETUPS for f in results[s]["sign"])
    confirms = sum(f["redirects"] for s in SETUPS for f in results[s]["confirm"])
    confirmed = sum(f["stored"] for s in SETUPS for f in results[s]["confirm"])
    failed = sum(f["failed"] for s in SETUPS for k in results[s] for f in results[s][k])
    print(f"non-2xx/3xx responses: {failed}")
    print(
        f"sign POSTs accepted (302) {accepted:,}, signatures stored {stored:,}: "
        f"{'equal' if stored == accepted else 'DIFFERENT'}"
    )
    print(
        f"confirm POSTs accepted (302) {confirms:,}, signatures confirmed {confirmed:,}: "
        f"{'equal' if confirms == confirmed else 'DIFFERENT'}"
    )
    for slug, counter, rows in drift:
        print(
            f"counter of {slug}: {counter:,}, confirmed rows {rows:,}: "
            f"{'equal' if counter == rows else 'DIFFERENT'}"
        )
    exact = stored == accepted and confirms == confirmed and all(c == r for _, c, r in drift)
    return failed == 0 and accepted > 0 and exact


if __name__ == "__main__":
    sys.exit(main())
