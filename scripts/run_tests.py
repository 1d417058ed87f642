"""`make test`: start the real services the suite needs, run pytest, stop them."""

import os
import subprocess
import sys

from services import postgres, redis


def main() -> int:
    with postgres() as database_url, redis() as (redis_url, _):
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            # Room in the pool for the concurrency tests' threads.
            "DATABASE_POOL_MAX_SIZE": "24",
            # The browser tests drive Chromium with Playwright's sync API, whose event loop
            # makes Django refuse ORM calls from the test thread unless this is set.
            "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
        }
        return subprocess.run([sys.executable, "-m", "pytest", *sys.argv[1:]], env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
