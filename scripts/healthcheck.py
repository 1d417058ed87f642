"""The container's health check: GET /healthz from gunicorn on this host, exit 0 if it says ok.

Django answers 400 to a Host outside ALLOWED_HOSTS, so the request names the first allowed
host (a leading dot or a lone "*" stripped), or HEALTHCHECK_HOST when set.
"""

import os
import sys
import urllib.request


def main() -> int:
    port = os.environ.get("PORT", "8000")
    host = os.environ.get("HEALTHCHECK_HOST") or (
        os.environ.get("ALLOWED_HOSTS", "").split(",")[0].strip().lstrip(".*") or "localhost"
    )
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz",
        headers={"Host": host},
    )
    try:
        with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310 (fixed URL)
            ok = response.status == 200
    except OSError as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
