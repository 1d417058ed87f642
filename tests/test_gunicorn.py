"""gunicorn with gunicorn.conf.py and production settings, as the image runs it: the health
check script passes, /readyz reports an unmigrated database, every line it writes is JSON
(the access line carrying the request id), and it starts without a home folder."""

import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import production_env

pytestmark = pytest.mark.system

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn_serving(log: Path, **env: str) -> Iterator[str]:
    """Real gunicorn on a free port, its stdout and stderr in `log`: its base URL once the
    image's health check passes; stopped as a supervisor stops it (SIGTERM) on exit. `env`
    adds to or overrides the production environment."""
    port = free_port()
    # make test's server, but its maintenance database, where nothing is migrated.
    env = production_env(
        ALLOWED_HOSTS="petitions.example.org",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        PORT=str(port),
        WEB_CONCURRENCY="1",
        GUNICORN_THREADS="2",
        **env,
    )
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            check = subprocess.run(
                [sys.executable, "scripts/healthcheck.py"], cwd=ROOT, env=env, capture_output=True
            )
            if check.returncode == 0:
                break
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with gunicorn_serving(log) as base:
        yield base, log


def log_lines_with(log: Path, text: str) -> list[str]:
    """The lines of the log that hold `text`, waiting a little for the first to be written."""
    deadline = time.monotonic() + 5
    while text not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    return [line for line in log.read_text().splitlines() if text in line]


def get(url: str, **headers) -> tuple[int, dict, bytes]:
    headers = {"Host": "petitions.example.org", **headers}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (http only)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class TestGunicorn:
    def test_readyz_is_503_until_the_database_is_migrated(self, gunicorn):
        base, _ = gunicorn
        status, _, body = get(f"{base}/readyz")
        assert status == 503
        assert body.startswith(b"not ready: ") and b"migration(s) not applied" in body

    def test_every_line_is_json_even_for_a_request_full_of_quotes_and_backslashes(self, gunicorn):
        base, log = gunicorn
        agent = 'Probe/1.0 "quoted \\" and \\ alone'
        status, headers, _ = get(
            f'{base}/healthz?q="\\', **{"User-Agent": agent, "X-Request-ID": "deploy-check-0042"}
        )
        assert (status, headers["X-Request-ID"]) == (200, "deploy-check-0042")
        (line,) = log_lines_with(log, "deploy-check-0042")
        entry = json.loads(line)
        assert entry["request"] == 'GET /healthz?q="\\ HTTP/1.1'
        assert entry["agent"] == agent
        assert entry["status"] == 200
        assert entry["request_id"] == "deploy-check-0042"
        assert isinstance(entry["ms"], int)
        for line in log.read_text().splitlines():  # gunicorn's own lines, and Django's
            assert isinstance(json.loads(line), dict), line

    def test_each_connection_carries_one_request(self, gunicorn):
        """So that the next request goes to whichever worker is free (gunicorn.conf.py)."""
        base, _ = gunicorn
        status, headers, _ = get(f"{base}/healthz", Connection="keep-alive")
        assert (status, headers["Connection"]) == (200, "close")


def test_it_starts_and_stops_without_a_warning_when_its_user_has_no_home_folder(tmp_path):
    """As the image's user, who has none: nothing can be made under HOME, here a file."""
    home = tmp_path / "home"
    home.write_text("")
    log = tmp_path / "gunicorn.log"
    with gunicorn_serving(log, HOME=str(home)) as base:
        assert get(f"{base}/healthz")[0] == 200
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert entries, "gunicorn wrote nothing"
    assert [e for e in entries if e.get("level", "INFO") not in ("DEBUG", "INFO")] == []


def gunicorn_settings(names: tuple[str, ...], **env) -> dict:
    code = (
        "import runpy, json;"
        "c = runpy.run_path('gunicorn.conf.py');"
        f"print(json.dumps({{k: c[k] for k in {names!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_workers_are_not_recycled_unless_asked_to():
    recycling = ("max_requests", "max_requests_jitter")
    assert gunicorn_settings(recycling) == {"max_requests": 0, "max_requests_jitter": 0}
    assert gunicorn_settings(recycling, GUNICORN_MAX_REQUESTS="50000") == {
        "max_requests": 50000,
        "max_requests_jitter": 5000,
    }


def test_connections_are_kept_alive_when_asked_to():
    assert gunicorn_settings(("keepalive",)) == {"keepalive": 0}
    assert gunicorn_settings(("keepalive",), GUNICORN_KEEPALIVE="5") == {"keepalive": 5}
