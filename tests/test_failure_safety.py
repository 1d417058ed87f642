"""The site under failure, served by real gunicorn on its own PostgreSQL: a worker killed
mid-burst loses or half-writes no signature, and an unreachable database gives a 503 page
and writes nothing."""

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest
from django.core import signing

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from services import PostgresCluster  # noqa: E402

pytestmark = pytest.mark.system

SLUG = "release-dr-wang-bingzhang"
CONFIRM_SALT = "petitions.signature.confirm"


class Site:
    def __init__(self):
        self.cluster = PostgresCluster()
        self.database_url = self.cluster.start()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.secret = secrets.token_urlsafe(50)
        self.env = {
            "PATH": os.environ["PATH"],
            "DATABASE_URL": self.database_url,
            "REDIS_URL": os.environ["REDIS_URL"],
            "DEBUG": "false",
            "SECRET_KEY": self.secret,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SIGN_FORM_MIN_SECONDS": "0",
            "PUBLIC_PAGE_MAX_AGE": "0",
            "APPEAL_STATE_MAX_AGE": "0",
            "RATE_LIMIT_SIGN_PER_IP": "1000000/m",
            "DATABASE_POOL_TIMEOUT": "2",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_ACCESS_LOG": "",
            "WEB_CONCURRENCY": "2",
        }
        for command in (["migrate"], ["collectstatic", "--noinput"], ["load_seed_petition"]):
            self.manage(*command)
        self.server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.wait_until(lambda: self.request("GET", "/healthz")[0] == 200)

    def manage(self, *args):
        subprocess.run(
            [sys.executable, "manage.py", *args, "--verbosity", "0"],
            cwd=ROOT,
            env=self.env,
            check=True,
            timeout=120,
        )

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read().decode(), response.getheader("Set-Cookie")
        finally:
            connection.close()

    def browser(self):
        """A visitor's CSRF cookie and token (for the confirm form; the sign form needs none)
        and the sign form's timestamp, as a browser gets them from the pages."""
        _, html, cookie = self.request("GET", f"/{SLUG}/new-link/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        _, html, _ = self.request("GET", f"/{SLUG}/")
        started = re.search(r'name="started" value="([^"]+)"', html).group(1)
        return cookie.split(";")[0], token, started

    def post(self, path, fields, browser):
        cookie, token, started = browser
        body = urlencode({"csrfmiddlewaretoken": token, "started": started, **fields})
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "Sec-Fetch-Site": "same-origin",  # as every current browser says of its own page
        }
        try:
            return self.request("POST", path, body, headers)[0]
        except (ConnectionError, http.client.HTTPException):
            return None  # the worker serving it was killed

    def sql(self, query):
        with psycopg.connect(self.database_url.replace("postgres://", "postgresql://")) as c:
            return c.execute(query).fetchall()

    def workers(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.server.pid)], capture_output=True, text=True)
        return [int(pid) for pid in out.stdout.split()]

    @staticmethod
    def wait_until(condition, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if condition():
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("timed out")

    def close(self):
        self.server.terminate()
        self.server.wait(timeout=30)
        if self.cluster.server.poll() is None:
            self.cluster.stop()
        self.cluster.remove()


@pytest.fixture(scope="module")
def site():
    site = Site()
    yield site
    site.close()


def burst(site, path_and_fields, kill_after: int) -> list[tuple[dict, int | None]]:
    """Send the requests from 8 browsers at once; SIGKILL a worker after `kill_after`."""
    results, lock, done = [], threading.Lock(), threading.Event()
    queue = list(path_and_fields)
    browsers = [site.browser() for _ in range(8)]

    def run(browser):
        while True:
            with lock:
                if not queue:
                    return
                path, fields = queue.pop()
            status = site.post(path, fields, browser)
            with lock:
                results.append((fields, status))
                if len(results) == kill_after:
                    done.set()

    threads = [threading.Thread(target=run, args=(b,)) for b in browsers]
    for thread in threads:
        thread.start()
    done.wait(timeout=60)
    victim = site.workers()[0]
    os.kill(victim, signal.SIGKILL)
    for thread in threads:
        thread.join(timeout=120)
    site.wait_until(lambda: victim not in site.workers() and len(site.workers()) == 2)
    return results


def test_a_worker_killed_mid_burst_loses_and_half_writes_nothing(site):
    signing_requests = [
        (
            f"/{SLUG}/sign/",
            {"name": f"Burst {n}", "email": f"burst{n}@example.org", "country": "FR"},
        )
        for n in range(240)
    ]
    results = burst(site, signing_requests, kill_after=60)
    accepted = {fields["email"] for fields, status in results if status == 302}
    stored = {
        email
        for (email,) in site.sql("SELECT email FROM petitions_signature WHERE email LIKE 'burst%'")
    }
    assert len(accepted) > 150
    assert accepted <= stored  # every signature the server accepted is there
    assert len(stored - accepted) <= 8  # the rest were in flight on the killed worker
    # Each stored signature is whole: with its queued email, from one transaction.
    assert site.sql(
        "SELECT count(*) FROM petitions_signature s WHERE email LIKE 'burst%' AND NOT EXISTS"
        " (SELECT 1 FROM petitions_outgoingemail e WHERE e.signature_id = s.id)"
    ) == [(0,)]

    pks = [pk for (pk,) in site.sql("SELECT id FROM petitions_signature WHERE status='pending'")]
    links = [signing.dumps(pk, key=site.secret, salt=CONFIRM_SALT, compress=True) for pk in pks]
    results = burst(site, [(f"/{SLUG}/confirm/{link}/", {}) for link in links], kill_after=60)
    assert sum(status == 302 for _, status in results) > 150
    ((counter, confirmed),) = site.sql(
        "SELECT p.supporter_count, (SELECT count(*) FROM petitions_signature s"
        " WHERE s.petition_id = p.id AND s.status = 'confirmed') FROM petitions_petition p"
    )
    assert counter == confirmed > 1030 + 150


def test_with_the_database_down_visitors_get_a_503_page_and_nothing_is_written(site):
    browser = site.browser()
    before = site.sql("SELECT count(*) FROM petitions_signature")
    site.cluster.stop()
    try:
        status, html, _ = site.request("GET", f"/{SLUG}/")
        assert status == 503
        assert "We'll be back in a moment" in html
        fields = {"name": "Down Time", "email": "down@example.org", "country": "FR"}
        assert site.post(f"/{SLUG}/sign/", fields, browser) == 503
    finally:
        site.cluster.start()
    assert site.sql("SELECT count(*) FROM petitions_signature") == before
    site.wait_until(lambda: site.request("GET", f"/{SLUG}/")[0] == 200)
