"""gunicorn with gunicorn.conf.py and production settings, as the image runs it: the health
check script passes, /readyz reports an unmigrated database, and the access log line is
JSON carrying the request id."""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    env = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "petitions.example.org",
        # make test's server, but its maintenance database, where nothing is migrated.
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "REDIS_URL": os.environ["REDIS_URL"],
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2",
    }
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
        yield f"http://127.0.0.1:{port}", log
    finally:
        server.terminate()
        server.wait(timeout=30)


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

    def test_the_access_line_is_json_with_the_request_id(self, gunicorn):
        base, log = gunicorn
        status, headers, _ = get(f"{base}/healthz", **{"X-Request-ID": "deploy-check-0042"})
        assert (status, headers["X-Request-ID"]) == (200, "deploy-check-0042")
        deadline = time.monotonic() + 5
        while "deploy-check-0042" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        (line,) = [line for line in log.read_text().splitlines() if "deploy-check-0042" in line]
        entry = json.loads(line)
        assert entry["request"] == "GET /healthz HTTP/1.1"
        assert entry["status"] == 200
        assert entry["request_id"] == "deploy-check-0042"
        assert isinstance(entry["ms"], int)

    def test_each_connection_carries_one_request(self, gunicorn):
        """So that the next request goes to whichever worker is free (gunicorn.conf.py)."""
        base, _ = gunicorn
        status, headers, _ = get(f"{base}/healthz", Connection="keep-alive")
        assert (status, headers["Connection"]) == (200, "close")


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
