"""Page weight of the appeal page as a phone's browser gets it, next to a minimal page.

    .venv/bin/python bench/page_weight.py [--markdown]

Starts the site as production runs it (DEBUG off, gunicorn, whitenoise's compressed and
hashed static files, Django's GZipMiddleware for pages) on a free 127.0.0.1 port with a
throwaway SQLite database holding the seed petition, loads the appeal page in headless
Chromium at 375 x 812 with an empty cache, and records every request: bytes transferred
(compressed, headers included) by kind, and any request to another host. The baseline is a
minimal static HTML page served by Python's http.server and loaded the same way in the same
run. Needs Debian's chromium (make test installs it).
"""

import contextlib
import http.server
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import chromium  # noqa: E402 (scripts/chromium.py)
from services import redis  # noqa: E402

PYTHON = sys.executable
SLUG = "release-dr-wang-bingzhang"
BUDGET = 60 * 1024  # bytes, compressed, without the organizer's image
KINDS = {
    "document": "HTML",
    "stylesheet": "CSS",
    "script": "JS",
    "font": "fonts",
    "image": "images",
}
BASELINE_HTML = (
    b'<!doctype html><html lang="en"><head><meta charset="utf-8">'
    b'<meta name="viewport" content="width=device-width, initial-scale=1">'
    b"<title>Baseline</title></head><body><h1>Baseline</h1><p>A minimal page.</p></body></html>"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()  # noqa: S310 (our own 127.0.0.1)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"{url} did not answer within {timeout} s") from None
            time.sleep(0.2)


@contextlib.contextmanager
def production_site():
    """gunicorn serving the site with production settings, over plain HTTP on 127.0.0.1."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="page-weight-") as tmp, redis() as (redis_url, _):
        env = {
            **os.environ,
            "REDIS_URL": redis_url,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "DATABASE_URL": f"sqlite:///{tmp}/db.sqlite3",
            "MEDIA_ROOT": f"{tmp}/media",
            # Plain HTTP on the loopback: no TLS redirect, no secure-only cookies.
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
        }
        for command in (
            ["collectstatic", "--noinput", "--verbosity", "0"],
            ["migrate", "--verbosity", "0"],
            ["load_seed_petition"],
        ):
            subprocess.run(
                [PYTHON, "manage.py", *command],
                cwd=ROOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        server = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "petition_site.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(base + "/")
            yield base
        finally:
            server.terminate()
            server.wait(timeout=20)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def baseline_site():
    """A minimal static page from Python's http.server, the floor for any page."""
    with tempfile.TemporaryDirectory(prefix="page-weight-baseline-") as tmp:
        Path(tmp, "index.html").write_bytes(BASELINE_HTML)
        handler = lambda *a: QuietHandler(*a, directory=tmp)  # noqa: E731
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()


def weigh(browser, url: str) -> dict:
    """Load url with an empty cache; bytes on the wire by kind, and other hosts contacted."""
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(url, wait_until="networkidle")
    own_host = urlsplit(url).netloc
    totals = defaultdict(int)
    requests, other_hosts = [], []
    for request in finished:
        sizes = request.sizes()
        transferred = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        kind = KINDS.get(request.resource_type, "other")
        totals[kind] += transferred
        response = request.response()
        encoding = response.headers.get("content-encoding", "-") if response else "-"
        requests.append((kind, request.url, transferred, encoding))
        if urlsplit(request.url).netloc != own_host:
            other_hosts.append(request.url)
    context.close()
    order = [*KINDS.values(), "other"]
    requests.sort(key=lambda r: (order.index(r[0]), r[1]))
    return {
        "totals": dict(totals),
        "total": sum(totals.values()),
        "requests": requests,
        "other_hosts": other_hosts,
    }


def kb(n: int) -> str:
    return f"{n / 1024:.1f} KB"


def report(appeal: dict, baseline: dict, markdown: bool) -> str:
    kinds = ["HTML", "CSS", "JS", "fonts", "images", "other"]
    rows = [("", "Appeal page", "Baseline (minimal HTML)")]
    for kind in kinds:
        rows.append((kind, kb(appeal["totals"].get(kind, 0)), kb(baseline["totals"].get(kind, 0))))
    rows.append(("Total", kb(appeal["total"]), kb(baseline["total"])))
    rows.append(("Requests", str(len(appeal["requests"])), str(len(baseline["requests"]))))
    rows.append(
        (
            "Requests to other hosts",
            str(len(appeal["other_hosts"])),
            str(len(baseline["other_hosts"])),
        )
    )
    if markdown:
        lines = ["| " + " | ".join(rows[0]) + " |", "| --- | ---: | ---: |"]
        lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
        lines += ["", "| Request (appeal page) | Kind | Bytes transferred | Content-Encoding |"]
        lines += ["| --- | --- | ---: | --- |"]
        lines += [
            f"| `{urlsplit(u).path}` | {k} | {n:,} | {e} |" for k, u, n, e in appeal["requests"]
        ]
    else:
        lines = [f"{a:<26}{b:>14}{c:>26}" for a, b, c in rows]
        lines += ["", "Requests of the appeal page:"]
        lines += [f"  {k:<7}{n:>8,} B  {e:<5} {u}" for k, u, n, e in appeal["requests"]]
    return "\n".join(lines)


def main() -> int:
    markdown = "--markdown" in sys.argv
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        with baseline_site() as base:
            baseline = weigh(browser, base + "/")
        with production_site() as base:
            appeal = weigh(browser, f"{base}/{SLUG}/")
        browser.close()
    print(report(appeal, baseline, markdown))
    within = appeal["total"] < BUDGET and not appeal["other_hosts"]
    print(
        f"\nBudget: under {BUDGET // 1024} KB and no request to another host: "
        + ("met" if within else "NOT MET")
    )
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
