"""`make test`: start the real services the suite needs, run pytest, stop them."""

import os
import subprocess
import sys

from services import postgres


def main() -> int:
    with postgres() as database_url:
        env = {**os.environ, "DATABASE_URL": database_url}
        return subprocess.run([sys.executable, "-m", "pytest", *sys.argv[1:]], env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
