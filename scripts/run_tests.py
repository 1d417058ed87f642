"""`make test`: start the real services the suite needs, run pytest, stop them."""

import os
import subprocess
import sys

from services import postgres


def main() -> int:
    with postgres() as database_url:
        # The browser tests drive Chromium with Playwright's sync API, whose event loop makes
        # Django refuse ORM calls from the test thread unless this is set.
        env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_ALLOW_ASYNC_UNSAFE": "true"}
        return subprocess.run([sys.executable, "-m", "pytest", *sys.argv[1:]], env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
