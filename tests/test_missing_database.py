"""A DATABASE_URL naming a database that does not exist, on make test's real PostgreSQL: the
migrate command, /readyz and the 503 page's log line say so, not only that psycopg's pool
timed out."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import production_env
from tests.test_gunicorn import get, gunicorn_serving, log_lines_with

pytestmark = pytest.mark.system

ROOT = Path(__file__).resolve().parent.parent
MISSING = f"missing_{uuid.uuid4().hex[:12]}"
DOES_NOT_EXIST = f'database "{MISSING}" does not exist'
MISSING_DATABASE = {
    "DATABASE_URL": urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{MISSING}").geturl(),
    "DATABASE_POOL_TIMEOUT": "1",
}


def manage(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=production_env(**MISSING_DATABASE),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_migrate_ends_with_an_error_naming_the_missing_database():
    result = manage("migrate", "--noinput")
    assert result.returncode != 0
    # The last line, the error itself; the pool's warnings above it are easy to miss.
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.db.utils.OperationalError: ")
    assert DOES_NOT_EXIST in last_line, result.stderr


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    # The 503 page's stylesheet is named in the manifest that collectstatic writes.
    assert manage("collectstatic", "--noinput", "--verbosity", "0").returncode == 0
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with gunicorn_serving(log, SECURE_SSL_REDIRECT="false", **MISSING_DATABASE) as base:
        yield base, log


def test_readyz_names_the_missing_database(site):
    base, _ = site
    status, _, body = get(f"{base}/readyz")
    assert status == 503
    assert body.startswith(b"not ready: database unreachable")
    assert DOES_NOT_EXIST.encode() in body


def test_the_503_pages_log_line_names_the_missing_database(site):
    base, log = site
    status, _, _ = get(f"{base}/release-dr-wang-bingzhang/", **{"X-Request-ID": "no-db-0001"})
    assert status == 503
    (line,) = [
        line
        for line in log_lines_with(log, "no-db-0001")
        if json.loads(line).get("logger") == "petition_site.outages"
    ]
    assert DOES_NOT_EXIST in json.loads(line)["message"]
