"""What a burst of readers costs the site behind nginx's cache (bench/nginx_cache.conf).

    .venv/bin/python bench/edge_cache.py [--seconds 10] [--clients 16] [--burst-clients 1600]
        [--signatures 3] [--keep]

Starts a durable PostgreSQL (fsync on) and a Redis (scripts/services.py), migrates and loads
the seed petition, then gunicorn with the production settings and gunicorn.conf.py (its access
log on, to count what reaches it), behind one nginx caching as bench/nginx_cache.conf says
(X-Forwarded-For appended, Django with TRUSTED_PROXY_COUNT=1), all on 127.0.0.1 and bounded
in time. It prints, from one run:
1. what the shared pages say about caching (Cache-Control, Vary, Set-Cookie) and what nginx
   did with a second request for each (X-Cache-Status): the appeal page, supporters.json, the
   API's count and the thank-you page;
2. the origin's cost of a reader: wrk GETs the appeal page straight from gunicorn, --clients
   connections for --seconds: pages/s, p50/p99, and the requests in gunicorn's access log
   (each of them);
3. a reader burst through nginx, --burst-clients connections (100x --clients by default) for
   --seconds, cycling through the appeal page in English, French and Chinese (by
   Accept-Language, and French by the language cookie), supporters.json and the API's count
   (bench/edge_cache.lua): requests/s and p50/p99 as readers see them, the ratios to step 2,
   and how many of the burst's requests reached gunicorn (from nginx's log, checked against
   gunicorn's), against the expectation of one refresh per cached entry per max-age;
4. freshness: --signatures people, who signed through nginx before the burst (the POST with
   Sec-Fetch-Site: same-origin and the page's `started`, once SIGN_FORM_MIN_SECONDS after the
   moment it names), confirm during it (the confirm page's CSRF cookie and token, then its
   POST); for each, the thank-you page that the redirect leads to, fetched through nginx
   (its count against the confirmed rows, and its X-Cache-Status, never HIT), and the seconds
   until the cached appeal page's counter, supporters.json and the API's count show the new
   count, polled every 0.1 s as a reader; the worst against the target PUBLIC_PAGE_MAX_AGE +
   APPEAL_STATE_MAX_AGE (API_CACHE_SECONDS + APPEAL_STATE_MAX_AGE for the API);
5. the checks: no 5xx (wrk's and nginx's counts), each counter equal to its confirmed rows,
   every thank-you count exact and uncached, the burst's origin share under 1%, every
   staleness within its target plus nginx's clock (below). It exits non-zero otherwise.
nginx's cache keeps time in whole seconds (an entry stored at 12.3 s with max-age 5 is fresh
until 18.0 s), so an entry may live up to one second longer than its max-age: the staleness
check allows that second. Needs wrk and nginx (apt installs nginx as root on Debian).
"""

import argparse
import collections
import concurrent.futures
import contextlib
import http.client
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from harness import (
    ROOT,
    SLUG,
    STARTED,
    TOKEN,
    confirmation_paths,
    counter_drift,
    free_port,
    gunicorn,
    manage,
    prepare_site,
    rate,
    signable_at,
    site_env,
    sql,
    wait_for,
    wrk,
    wrk_get,
)
from scale_out import find_nginx, running
from services import postgres, redis

# What the freshness probe sends as its User-Agent, so that the burst's own requests (wrk
# sends none) can be told from the probe's in the logs.
PROBE = "edge-cache-probe"
PAGE_COUNT = re.compile(r'<strong class="count">([\d,]+)</strong>')
ORIGIN_SHARE_LIMIT = 0.01  # of the burst's requests that may reach gunicorn
# nginx's cache clock ticks in whole seconds: an entry lives up to 1 s beyond its max-age.
NGINX_CLOCK_SLACK = 1.0
POLL_SECONDS = 0.1
KINDS = ("page", "json", "api")
LABELS = {"page": "appeal page", "json": "supporters.json", "api": "API count"}


def kind_of(uri: str) -> str:
    """The burst's URL kinds, and "other" for the rest (sign, confirm, thank-you, health)."""
    if uri == f"/{SLUG}/":
        return "page"
    if uri == f"/{SLUG}/supporters.json":
        return "json"
    if uri == f"/api/petitions/{SLUG}/count/":
        return "api"
    return "other"


class Client:
    """One request per connection to nginx (or gunicorn), as the probe's browser; headers as
    a browser on the site's own pages sends them."""

    def __init__(self, port: int):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"

    def request(self, method: str, path: str, headers=None, body=None):
        """(status, headers, text, seconds at sending, seconds at the end of the body)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            sent = time.monotonic()
            # No Accept-Encoding (http.client would send "identity"), as wrk sends none: the
            # page varies on it, and the probe must read the copy the burst's readers get.
            connection.putrequest(method, path, skip_accept_encoding=True)
            headers = {"User-Agent": PROBE, "X-Forwarded-Proto": "https", **(headers or {})}
            if body is not None:
                body = body.encode()
                headers["Content-Length"] = str(len(body))
            for name, value in headers.items():
                connection.putheader(name, value)
            connection.endheaders(body)
            response = connection.getresponse()
            text = response.read().decode()
            return response.status, response.headers, text, sent, time.monotonic()
        finally:
            connection.close()

    def get(self, path: str, **headers):
        return self.request("GET", path, headers)

    def post(self, path: str, fields: dict, **headers):
        return self.request(
            "POST",
            path,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Sec-Fetch-Site": "same-origin",
                **headers,
            },
            urlencode(fields),
        )


def shown_count(kind: str, text: str) -> int | None:
    """The supporter count that a page, supporters.json or the API's count shows."""
    if kind == "json":
        return json.loads(text)["supporter_count"]
    if kind == "api":
        return json.loads(text)["signature_count"]
    found = PAGE_COUNT.search(text)
    return int(found.group(1).replace(",", "")) if found else None


def confirmed_rows(database_url: str) -> int:
    return sql(
        database_url,
        "SELECT count(*) FROM petitions_signature s JOIN petitions_petition p"
        " ON p.id = s.petition_id WHERE p.slug = %s AND s.status = 'confirmed'",
        [SLUG],
    )[0][0]


def caching_headers(client: Client) -> list[dict]:
    """Each shared URL, and the thank-you page, fetched twice: what it says about caching
    and what nginx did with the second request."""
    found = []
    for label, path in (
        ("appeal page", f"/{SLUG}/"),
        ("supporters.json", f"/{SLUG}/supporters.json"),
        ("API count", f"/api/petitions/{SLUG}/count/"),
        ("thank-you page", f"/{SLUG}/thank-you/"),
    ):
        client.get(path)
        status, headers, _, _, _ = client.get(path)
        found.append(
            {
                "label": label,
                "status": status,
                "cache_control": headers.get("Cache-Control", "-"),
                "vary": headers.get("Vary", "-"),
                "set_cookie": bool(headers.get_all("Set-Cookie")),
                "cache_status": headers.get("X-Cache-Status", "-"),
            }
        )
    return found


def sign(client: Client, n: int, started: str) -> None:
    """One signature of the seed petition through nginx, as the appeal page's form sends it
    (no CSRF token: Sec-Fetch-Site says it came from the site's own page)."""
    status, headers, text, _, _ = client.post(
        f"/{SLUG}/sign/",
        {
            "started": started,
            "website": "",
            "name": f"Edge Reader {n}",
            "email": f"edge-reader-{n}-{os.getpid()}@example.org",
            "country": "GB",
            "comment": "",
        },
    )
    if status != 302 or "check-your-inbox" not in headers.get("Location", ""):
        raise SystemExit(f"the sign POST answered {status}: {text[:2000]}")


URLS = {
    "page": f"/{SLUG}/",
    "json": f"/{SLUG}/supporters.json",
    "api": f"/api/petitions/{SLUG}/count/",
}


def confirm(client: Client, path: str, database_url: str) -> dict:
    """Confirm one signature as its signer does (the confirm page's CSRF cookie and token,
    then the POST) and fetch the thank-you page that the redirect leads to: what it shows
    against the confirmed rows, and when the confirmation was answered."""
    status, headers, text, _, _ = client.get(path)
    cookie = next(
        (c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or [] if "csrftoken=" in c),
        None,
    )
    token = TOKEN.search(text)
    if status != 200 or not cookie or not token:
        raise SystemExit(f"the confirm page answered {status} without a CSRF cookie and token")
    status, headers, text, _, confirmed_at = client.post(
        path, {"csrfmiddlewaretoken": token.group(1)}, Cookie=cookie
    )
    location = headers.get("Location", "")
    if status != 302 or not location.endswith(f"/{SLUG}/thank-you/"):
        raise SystemExit(f"the confirm POST answered {status} ({location}): {text[:2000]}")
    status, headers, text, _, _ = client.get(location)
    return {
        "confirmed_at": confirmed_at,
        "thanks_status": status,
        "thanks_count": shown_count("page", text),
        "thanks_cache": headers.get("X-Cache-Status", "-"),
        "rows": confirmed_rows(database_url),
        "seen": {},
    }


def watch(client: Client, samples: list[dict], deadline: float, *, until_all: bool) -> None:
    """Poll the cached counters as a reader would, until the latest sample shows on the
    page and in supporters.json (or, until_all, every sample everywhere): each sample's
    seconds from its confirmation's answer to the answer that first showed its count (its
    confirmed rows). A later confirmation only raises the count, so an earlier sample's
    slower counter (the API's) is still watched while the next one is confirmed."""
    while time.monotonic() < deadline:
        waiting = {k for s in samples for k in KINDS if k not in s["seen"]}
        latest = samples[-1]["seen"]
        if not waiting or (not until_all and "page" in latest and "json" in latest):
            return
        for kind in sorted(waiting):
            status, _, text, _, received = client.get(URLS[kind])
            shown = shown_count(kind, text) if status == 200 else None
            for s in samples:
                if kind not in s["seen"] and shown is not None and shown >= s["rows"]:
                    s["seen"][kind] = received - s["confirmed_at"]
        time.sleep(POLL_SECONDS)


def read_log(path: Path, start: int, end: int | None = None) -> list[list[str]]:
    """nginx's log lines (bench/nginx_cache.conf's format) between two offsets, as fields:
    msec, cache status, upstream, status, method, uri, accept-language, cookie, agent."""
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read() if end is None else f.read(end - start)
    pattern = re.compile(
        r'(\S+) (\S+) (\S+) (\d+) (\S+) "([^"]*)" "([^"]*)" "([^"]*)" "([^"]*)" (\S+)'
    )
    return [list(m.groups()) for m in pattern.finditer(data.decode(errors="replace"))]


def gunicorn_lines(path: Path, start: int, end: int) -> list[dict]:
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read(end - start).decode(errors="replace")
    return [json.loads(line) for line in data.splitlines() if line.startswith("{")]


def refresh_intervals(lines: list[list[str]], kind: str) -> list[float]:
    """Seconds between successive origin fetches of the same cached entry of a kind (its URL,
    language and language cookie), from nginx's log: how long an entry lived."""
    fetches = collections.defaultdict(list)
    for msec, _, upstream, _, method, uri, language, cookie, _, _ in lines:
        if upstream != "-" and method == "GET" and kind_of(uri) == kind:
            fetches[(uri, language, cookie)].append(float(msec))
    return [b - a for times in fetches.values() for a, b in zip(times, times[1:], strict=False)]


def settings_values(env: dict) -> dict:
    code = (
        "import json; from django.conf import settings; print(json.dumps({n: getattr(settings, n)"
        " for n in ('PUBLIC_PAGE_MAX_AGE', 'APPEAL_STATE_MAX_AGE', 'API_CACHE_SECONDS',"
        " 'SIGN_FORM_MIN_SECONDS')}))"
    )
    return json.loads(manage(env, "shell", "--no-imports", "-c", code).strip().splitlines()[-1])


def nginx_config(folder: Path, port: int, upstream: int) -> Path:
    text = (ROOT / "bench" / "nginx_cache.conf").read_text()
    for name, value in {
        "PREFIX": str(folder),
        "UPSTREAM": f"server 127.0.0.1:{upstream};",
        "PORT": str(port),
    }.items():
        text = text.replace(f"@{name}@", value)
    config = folder / "nginx.conf"
    config.write_text(text)
    return config


def burst(url: str, seconds: int, clients: int) -> dict:
    """wrk with bench/edge_cache.lua: the readers' mix; its figures."""
    script = str(ROOT / "bench" / "edge_cache.lua")
    began = time.time()
    out = wrk(url, seconds, clients, "-s", script, SLUG=SLUG)
    return {**json.loads(out.strip().splitlines()[-1]), "began": began, "ended": time.time()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each run")
    parser.add_argument("--clients", type=int, default=16, help="connections of the baseline")
    parser.add_argument(
        "--burst-clients", type=int, help="connections of the burst (default: 100x --clients)"
    )
    parser.add_argument("--signatures", type=int, default=3, help="confirmations watched")
    parser.add_argument("--keep", action="store_true", help="keep the logs' folder")
    args = parser.parse_args()
    burst_clients = args.burst_clients or 100 * args.clients
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    nginx = find_nginx()

    folder = Path(tempfile.mkdtemp(prefix="edge-cache-"))
    folder.chmod(0o755)  # nginx's workers run as nobody when we are root
    port, upstream = free_port(), free_port()
    base, origin = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{upstream}"
    access_log, nginx_log = folder / "gunicorn-access.log", folder / "access.log"
    with (
        postgres(durable=True, extra_settings=("max_connections=200",)) as database_url,
        redis() as (redis_url, _),
        contextlib.ExitStack() as stack,
    ):
        env = site_env(
            database_url,
            redis_url,
            base,
            TRUSTED_PROXY_COUNT="1",
            GUNICORN_BIND=f"127.0.0.1:{upstream}",
            GUNICORN_ACCESS_LOG=str(access_log),
        )
        prepare_site(env)
        limits = settings_values(env)
        stack.enter_context(gunicorn(env, origin))
        proxy_cmd = [nginx, "-p", str(folder), "-e", str(folder / "error.log")]
        proxy_cmd += ["-c", str(nginx_config(folder, port, upstream))]
        proxy = stack.enter_context(running(proxy_cmd, env, folder / "nginx.out"))
        wait_for(f"{base}/healthz", process=proxy)
        client = Client(port)

        headers = caching_headers(client)
        # The signers load the page now; their forms may be sent SIGN_FORM_MIN_SECONDS after
        # the moment its note names (up to two max-ages ahead): the baseline runs meanwhile.
        started = STARTED.search(client.get(f"/{SLUG}/")[2]).group(1)
        signable = signable_at([f"- - {started}"], limits["SIGN_FORM_MIN_SECONDS"])

        # Warm the workers' page caches and pools, then the baseline, straight at gunicorn.
        wrk_get(f"{origin}/{SLUG}/", min(2, args.seconds), args.clients)
        offset = access_log.stat().st_size
        baseline = wrk_get(f"{origin}/{SLUG}/", args.seconds, args.clients)
        baseline["origin"] = len(gunicorn_lines(access_log, offset, access_log.stat().st_size))

        time.sleep(min(max(signable - time.time(), 0), 60))
        for n in range(args.signatures):
            sign(client, n, started)
        paths = confirmation_paths(env)[-args.signatures :]

        # The burst, with the confirmations during it.
        time.sleep(1.5)  # nginx's log buffer is flushed every second
        log_start, origin_start = nginx_log.stat().st_size, access_log.stat().st_size
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            running_burst = pool.submit(burst, f"{base}/{SLUG}/", args.seconds, burst_clients)
            time.sleep(min(1.0, args.seconds / 4))  # the connections opened
            samples = []
            for path in paths:
                samples.append(confirm(client, path, database_url))
                samples[-1]["during"] = not running_burst.done()
                # The next one once this one shows on the page and in supporters.json.
                watch(client, samples, time.monotonic() + 30, until_all=False)
            readers = running_burst.result()
            watch(client, samples, time.monotonic() + 30, until_all=True)
        time.sleep(1.5)
        span_lines = read_log(nginx_log, log_start)
        origin_lines = gunicorn_lines(access_log, origin_start, access_log.stat().st_size)
        all_lines = read_log(nginx_log, 0)
        stack.close()
        drift = counter_drift(database_url)

    ok = report(
        args,
        burst_clients,
        limits,
        headers,
        baseline,
        readers,
        span_lines,
        origin_lines,
        samples,
        all_lines,
        drift,
    )
    if ok and not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    else:
        print(f"{'' if ok else 'FAILED; '}the logs are in {folder}")
    return 0 if ok else 1


def report(
    args,
    burst_clients: int,
    limits: dict,
    headers: list[dict],
    baseline: dict,
    readers: dict,
    span_lines: list,
    origin_lines: list,
    samples: list[dict],
    all_lines: list,
    drift: list,
) -> bool:
    """Print the figures; whether every check passed."""
    max_age, state_age = limits["PUBLIC_PAGE_MAX_AGE"], limits["APPEAL_STATE_MAX_AGE"]
    targets = {
        "page": max_age + state_age,
        "json": max_age + state_age,
        "api": limits["API_CACHE_SECONDS"] + state_age,
    }
    print(
        f"\nEdge cache benchmark: {os.cpu_count()} cores; gunicorn (production settings) behind"
        f" one nginx worker caching (bench/nginx_cache.conf); wrk, nginx, PostgreSQL and Redis"
        f" share the cores. PUBLIC_PAGE_MAX_AGE {max_age} s, APPEAL_STATE_MAX_AGE {state_age} s,"
        f" API_CACHE_SECONDS {limits['API_CACHE_SECONDS']} s"
    )
    print("\nwhat the responses say, and what nginx did with a second request")
    cached_ok = True
    for h in headers:
        print(
            f"  {h['label']:<16} {h['status']}  Cache-Control: {h['cache_control']}; "
            f"Vary: {h['vary']}; Set-Cookie: {'yes' if h['set_cookie'] else 'none'};"
            f" X-Cache-Status: {h['cache_status']}"
        )
        shared = h["label"] != "thank-you page"
        cached_ok &= (h["cache_status"] == "HIT") == shared
    if not cached_ok:
        print("  NOT AS EXPECTED: the shared URLs should be HITs, the thank-you page not")

    def row(label: str, figures: dict) -> str:
        return (
            f"  {label:<34} {rate(figures):>8,.0f} /s   p50 {figures['p50_ms']:>7.1f} ms"
            f"   p99 {figures['p99_ms']:>7.1f} ms"
        )

    print(f"\nreaders, {args.seconds} s runs")
    print(
        row(f"baseline: appeal page from gunicorn, {args.clients} conns", baseline)
        + f"   gunicorn logged {baseline['origin']:,} (wrk counted {baseline['requests']:,})"
    )
    print(row(f"burst through nginx, {burst_clients} conns", readers))
    print(
        f"  burst / baseline: {burst_clients / args.clients:.0f}x the connections,"
        f" {rate(readers) / rate(baseline):.1f}x the requests/s,"
        f" p99 {readers['p99_ms'] / baseline['p99_ms']:.2f}x;"
        f" socket errors {readers['socket_errors']} (connect {readers['connect_errors']},"
        f" timeouts {readers['timeouts']})"
    )

    # nginx's lines from the burst's start to the last poll (span_lines), and those of the
    # burst itself, by their time; wrk sends no User-Agent, the probe its own.
    burst_seconds = readers["ended"] - readers["began"]
    in_burst = [ln for ln in span_lines if readers["began"] <= float(ln[0]) <= readers["ended"]]
    from_origin = [ln for ln in in_burst if ln[2] != "-" and kind_of(ln[5]) != "other"]
    statuses = collections.Counter(ln[1] for ln in in_burst if ln[8] != PROBE)
    by_kind = collections.Counter(kind_of(ln[5]) for ln in from_origin)
    share = len(from_origin) / readers["requests"] if readers["requests"] else 1.0
    # Each cached entry (4 page variants, the JSON, the API) fetched once, then refreshed
    # once per lifetime at most.
    entries = {"page": 4, "json": 1, "api": 1}
    lifetime = {"page": max_age, "json": max_age, "api": limits["API_CACHE_SECONDS"]}
    at_most = sum(entries[k] * (int(burst_seconds // lifetime[k]) + 1) for k in KINDS)
    print(
        f"  origin served {len(from_origin):,} of the burst's {readers['requests']:,} requests:"
        f" {100 * share:.3f}%; page {by_kind['page']}, supporters.json {by_kind['json']},"
        f" API {by_kind['api']} (expected at most {at_most}: 6 entries, each fetched once"
        " and refreshed once per max-age)"
    )
    print(
        f"  origin requests/s: baseline {rate(baseline):,.0f}, burst"
        f" {len(from_origin) / burst_seconds:.1f}:"
        f" {rate(baseline) * burst_seconds / max(len(from_origin), 1):,.0f}x fewer"
        f" for {rate(readers) / rate(baseline):.1f}x the readers"
    )
    upstream_span = sum(1 for ln in span_lines if ln[2] != "-")
    print(
        f"  cross-check, from the burst's start to the last poll: nginx sent gunicorn"
        f" {upstream_span:,} requests, gunicorn logged {len(origin_lines):,}"
    )
    print(
        "  nginx cache statuses in the burst: "
        + ", ".join(f"{s} {n:,}" for s, n in statuses.most_common())
    )
    for kind in KINDS:
        intervals = refresh_intervals(in_burst, kind)
        if intervals:
            print(
                f"  a cached {LABELS[kind]} lived (s between refreshes of the same entry):"
                f" median {statistics.median(intervals):.2f}, min {min(intervals):.2f},"
                f" max {max(intervals):.2f} ({len(intervals)} refreshes)"
            )
    print(f"\nfreshness: {len(samples)} confirmations, polled every {POLL_SECONDS} s through nginx")
    thanks_ok = True
    for n, s in enumerate(samples, 1):
        exact = s["thanks_count"] == s["rows"] and s["thanks_status"] == 200
        uncached = s["thanks_cache"] != "HIT"
        thanks_ok &= exact and uncached
        seen = ", ".join(
            f"{LABELS[k]} {s['seen'][k]:.1f} s" if k in s["seen"] else f"{LABELS[k]} NEVER"
            for k in KINDS
        )
        print(
            f"  {n}{'' if s['during'] else ' (after the burst)'}: thank-you page count"
            f" {s['thanks_count']}, confirmed rows {s['rows']}:"
            f" {'exact' if exact else 'DIFFERENT'}, X-Cache-Status {s['thanks_cache']};"
            f" new count shown after: {seen}"
        )
    fresh_ok = bool(samples)
    for kind in KINDS:
        seen = [s["seen"].get(kind, float("inf")) for s in samples]
        worst = max(seen, default=float("inf"))
        allowed = targets[kind] + NGINX_CLOCK_SLACK
        fresh_ok &= worst <= allowed
        print(
            f"  max staleness {LABELS[kind]}: {worst:.1f} s (target {targets[kind]} s,"
            f" {allowed:.0f} s with nginx's whole-second clock):"
            f" {'within' if worst <= allowed else 'OVER'}"
        )

    errors = sum(1 for ln in all_lines if ln[3].startswith("5"))
    failed = baseline["failed"] + readers["failed"]
    print(f"\n5xx responses (nginx's log, whole run): {errors}; wrk's non-2xx/3xx: {failed}")
    for slug, counter, rows in drift:
        print(
            f"counter of {slug}: {counter:,}, confirmed rows {rows:,}: "
            f"{'equal' if counter == rows else 'DIFFERENT'}"
        )
    checks = {
        "no 5xx": errors == 0 and failed == 0,
        "counters equal confirmed rows": all(c == r for _, c, r in drift),
        "caching headers": cached_ok,
        "thank-you pages exact and uncached": thanks_ok,
        f"origin share under {100 * ORIGIN_SHARE_LIMIT:.0f}%": share < ORIGIN_SHARE_LIMIT,
        "staleness within target": fresh_ok,
    }
    print("checks: " + ", ".join(f"{k} {'ok' if v else 'FAILED'}" for k, v in checks.items()))
    return all(checks.values())


if __name__ == "__main__":
    sys.exit(main())
