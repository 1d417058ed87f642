"""Fault drills: the site as production runs it (gunicorn, production settings, a durable
primary PostgreSQL, a streaming replica made with pg_basebackup -R, Redis) while its database
misbehaves. For each fault it prints how long the site answered 5xx or 503, how many writes it
acknowledged and how many were found afterwards, and how stale a page got.

    .venv/bin/python bench/fault_drill.py    # --outage 5 --signers 4; about 40 s

1. Replica lag: replay paused on the replica, a signature is confirmed: the thank-you page
   must show it at once, the public counter once replay resumes.
2. Replica down: stopped while readers load the home page, the appeal page, its counter and
   the API; started again after --outage seconds.
3. Primary restart: stopped for --outage seconds while --signers clients sign in a loop.

tests/test_replica.py runs the same drills small, with assertions.
"""

import argparse
import contextlib
import http.client
import json
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from harness import (
    SLUG,
    STARTED,
    TOKEN,
    confirmation_paths,
    free_port,
    gunicorn,
    prepare_site,
    site_env,
    sql,
)
from services import PostgresCluster, redis

COUNT = re.compile(r'class="count">([\d,]+)<')
PUBLIC_PATHS = ["/", f"/{SLUG}/", f"/{SLUG}/supporters.json", "/api/petitions/"]


class Browser:
    """One visitor: keeps its cookies (sent back by hand, as the site's are Secure and it is
    reached over plain http behind a pretend TLS proxy)."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None):
        headers = {
            "X-Forwarded-Proto": "https",
            "Origin": f"https://{self.host}:{self.port}",
            "Sec-Fetch-Site": "same-origin",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(self.host, self.port, timeout=15)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode(errors="replace")
        finally:
            conn.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return response.status, response.headers, text

    def get(self, path: str):
        return self.request("GET", path)

    def sign(self, name: str, email: str) -> int:
        """Load the appeal page and sign; the sign POST's status (0 if the page failed)."""
        status, _, html = self.get(f"/{SLUG}/")
        if status != 200:
            return status
        data = {
            "started": STARTED.search(html).group(1),
            "name": name,
            "email": email,
            "country": "GB",
        }
        status, headers, _ = self.request("POST", f"/{SLUG}/sign/", data)
        if status == 302 and not headers["Location"].endswith("/check-your-inbox/"):
            return -1  # a redirect elsewhere is no acknowledgement
        return status

    def confirm(self, path: str) -> int:
        status, _, html = self.get(path)
        assert status == 200, (status, html[:500])
        data = {"csrfmiddlewaretoken": TOKEN.search(html).group(1)}
        return self.request("POST", path, data)[0]


def public_count(base: str) -> int:
    """The counter as a visitor without cookies sees it (from the replica)."""
    status, _, body = Browser(base).get(f"/{SLUG}/supporters.json")
    assert status == 200, status
    return json.loads(body)["supporter_count"]


@dataclass
class Site:
    base: str
    env: dict
    primary: PostgresCluster
    replica: PostgresCluster
    log: str = ""
    seen: int = field(default=0)

    def replica_reads_since(self, offset: int) -> list[str]:
        """The statements the replica logged after offset that read the site's tables."""
        return self.replica.statements_since(offset, "petitions_")


@contextlib.contextmanager
def replica_site(*, durable: bool = True, **extra_env: str):
    """The site on gunicorn with production settings, its reads of the public pages on a
    streaming replica that logs every statement."""
    primary = PostgresCluster(durable=durable, extra_settings=("max_connections=100",))
    replica = None
    try:
        primary.start()
        replica = primary.make_replica(extra_settings=("log_statement=all",))
        replica.start()
        with redis() as (redis_url, _):
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            env = site_env(
                primary.url,
                redis_url,
                base,
                GUNICORN_BIND=f"127.0.0.1:{port}",
                DATABASE_REPLICA_URL=replica.url,
                # Signing at once from a page just loaded, as no person would.
                SIGN_FORM_MIN_SECONDS="0",
                PUBLIC_PAGE_MAX_AGE="0",
                WEB_CONCURRENCY="1",
                GUNICORN_THREADS="4",
                **extra_env,
            )
            prepare_site(env)
            replica.wait_for_replay(primary)
            with gunicorn(env, base) as log:
                yield Site(base=base, env=env, primary=primary, replica=replica, log=log)
    finally:
        for cluster in (replica, primary):
            if cluster is not None:
                if cluster.server and cluster.server.poll() is None:
                    cluster.stop()
                cluster.remove()


def sign_and_confirm(site: Site, name: str) -> tuple[Browser, int]:
    """A new supporter signs and confirms; their browser and the confirm POST's status."""
    browser = Browser(site.base)
    email = f"{name.lower().replace(' ', '-')}@example.org"
    assert browser.sign(name, email) == 302
    path = confirmation_paths(site.env)[-1]  # the newest pending signature
    return browser, browser.confirm(path)


def thanks_count(browser: Browser) -> int:
    status, _, html = browser.get(f"/{SLUG}/thank-you/")
    assert status == 200, status
    return int(COUNT.search(html).group(1).replace(",", ""))


def poll_count(base: str, wanted: int, timeout: float = 30) -> float:
    """Seconds until the public counter shows wanted."""
    start = time.monotonic()
    while public_count(base) != wanted:
        assert time.monotonic() - start < timeout, f"the counter never showed {wanted}"
        time.sleep(0.02)
    return time.monotonic() - start


def lag_drill(site: Site, pause: float = 2.0) -> dict:
    before = public_count(site.base)
    site.replica.pause_replay()
    browser, confirmed = sign_and_confirm(site, "Lag Drill One")
    thanks = thanks_count(browser)
    time.sleep(pause)  # longer than APPEAL_STATE_MAX_AGE: the counter comes from the replica
    while_paused = public_count(site.base)
    site.replica.resume_replay()
    after_resume = poll_count(site.base, before + 1)
    # Streaming as usual: from the confirmation's answer to the counter showing it.
    browser, _ = sign_and_confirm(site, "Lag Drill Two")
    streaming = poll_count(site.base, before + 2)
    return {
        "before": before,
        "confirmed": confirmed,
        "thanks": thanks,
        "while_paused": while_paused,
        "after_resume_s": after_resume,
        "streaming_s": streaming,
    }


class Load:
    """Threads running `step(n)` in a loop, each answer's (time, status) recorded."""

    def __init__(self, clients: int, step):
        self.step, self.stop, self.answers = step, threading.Event(), []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(clients)]

    def run(self, i: int) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            try:
                status = self.step(i, n)
            except OSError:
                status = 0  # no answer at all
            with self.lock:
                self.answers.append((time.monotonic(), status))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def failures(self, statuses=(0, 500, 502, 503, 504)) -> list[tuple[float, int]]:
        return [(t, s) for t, s in self.answers if s in statuses or s >= 500]


def window(failures: list[tuple[float, int]]) -> float:
    return failures[-1][0] - failures[0][0] if failures else 0.0


def replica_down_drill(site: Site, outage: float = 5.0, clients: int = 2) -> dict:
    def read(i: int, n: int) -> int:
        return Browser(site.base).get(PUBLIC_PATHS[(i + n) % len(PUBLIC_PATHS)])[0]

    with Load(clients, read) as load:
        time.sleep(1)
        stopped = time.monotonic()
        site.replica.stop()
        time.sleep(outage)
        offset = site.replica.log_size()
        site.replica.start()
        started = time.monotonic()
        while not site.replica_reads_since(offset):
            assert time.monotonic() - started < 30, "the site never read from the replica again"
            time.sleep(0.05)
        back = time.monotonic() - started
        time.sleep(1)
    failures = load.failures()
    return {
        "answers": len(load.answers),
        "failures": len(failures),
        "failure_window_s": window(failures),
        "last_failure_after_stop_s": failures[-1][0] - stopped if failures else None,
        "failures_after_restart": sum(1 for t, _ in failures if t > started),
        "replica_again_s": back,
        "outage_s": outage,
    }


def primary_restart_drill(site: Site, outage: float = 5.0, signers: int = 4) -> dict:
    acknowledged: list[str] = []

    def sign(i: int, n: int) -> int:
        name = f"Drill Signer {i} {n}"
        status = Browser(site.base).sign(name, f"drill-{i}-{n}@example.org")
        if status == 302:
            acknowledged.append(name)
        return status

    with Load(signers, sign) as load:
        time.sleep(1)
        stopped = time.monotonic()
        site.primary.stop()
        time.sleep(outage)
        site.primary.start()
        restarted = time.monotonic()
        while not any(t > restarted and s == 302 for t, s in list(load.answers)):
            assert time.monotonic() - restarted < 30, "signing never recovered"
            time.sleep(0.05)
        recovered = time.monotonic() - restarted
        time.sleep(1)
    found, emails = sql(
        site.primary.url,
        "SELECT count(DISTINCT s.id), count(DISTINCT e.signature_id) FROM petitions_signature s"
        " LEFT JOIN petitions_outgoingemail e ON e.signature_id = s.id AND e.kind = 'confirm'"
        " WHERE s.name = ANY(%s)",
        [acknowledged],
    )[0]
    (half_written,) = sql(
        site.primary.url,
        "SELECT count(*) FROM petitions_signature s WHERE s.name LIKE %s"
        " AND NOT EXISTS (SELECT 1 FROM petitions_outgoingemail e"
        " WHERE e.signature_id = s.id AND e.kind = 'confirm')",
        ["Drill Signer %"],
    )[0]
    statuses = [s for _, s in load.answers]
    failures = load.failures()
    return {
        "answers": len(statuses),
        "acknowledged": len(acknowledged),
        "found": found,
        "emails": emails,
        "half_written": half_written,
        "answered_503": statuses.count(503),
        "answered_500": sum(1 for s in statuses if s >= 500 and s != 503),
        "no_answer": statuses.count(0),
        "failure_window_s": window(failures),
        "first_failure_after_stop_s": failures[0][0] - stopped if failures else None,
        "recovered_s": recovered,
        "outage_s": outage,
    }


def report(lag: dict, down: dict, restart: dict) -> str:
    return "\n".join(
        [
            f"replica lag: counter {lag['before']}; thank-you page after confirming showed "
            f"{lag['thanks']} at once; the public counter showed {lag['while_paused']} while "
            f"replay was paused and {lag['before'] + 1} {lag['after_resume_s']:.2f} s after "
            f"it resumed; streaming, a confirmation reached the public counter in "
            f"{lag['streaming_s']:.2f} s",
            f"replica down {down['outage_s']:.0f} s: {down['failures']} of {down['answers']} "
            f"public answers 5xx or 503, over {down['failure_window_s']:.2f} s; "
            f"{down['failures_after_restart']} after it returned; read from the replica again "
            f"{down['replica_again_s']:.2f} s after it returned",
            f"primary down {restart['outage_s']:.0f} s: {restart['answered_503']} answers 503, "
            f"{restart['answered_500']} other 5xx, {restart['no_answer']} no answer, over "
            f"{restart['failure_window_s']:.2f} s; writes acknowledged "
            f"{restart['acknowledged']:,}, found afterwards {restart['found']:,}, with their "
            f"confirmation email {restart['emails']:,}; half-written {restart['half_written']}; "
            f"signing again {restart['recovered_s']:.2f} s after the restart, same gunicorn",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outage", type=float, default=5, help="seconds each server is down")
    parser.add_argument("--signers", type=int, default=4)
    parser.add_argument("--fast", action="store_true", help="fsync off (for the smoke test)")
    args = parser.parse_args()
    with replica_site(durable=not args.fast) as site:
        lag = lag_drill(site)
        down = replica_down_drill(site, args.outage)
        restart = primary_restart_drill(site, args.outage, args.signers)
    print(report(lag, down, restart))
    ok = (
        lag["thanks"] == lag["before"] + 1
        and lag["while_paused"] == lag["before"]
        and restart["acknowledged"] == restart["found"] == restart["emails"]
        and restart["half_written"] == 0
        and restart["answered_500"] == 0
        and down["failures_after_restart"] == 0
    )
    print("every acknowledged write found: " + ("yes" if ok else "NO"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
