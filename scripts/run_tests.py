"""`make test`: start the real services the suite needs, run pytest, stop them.

Two passes: the whole suite on PostgreSQL, production's database; then the tests marked
both_databases on SQLite, the database of `make run`, where they run the SQLite twin of each
PostgreSQL-only statement."""

import os
import subprocess
import sys
import tempfile

from services import postgres, redis

# pytest's exit code when nothing was selected: the arguments may leave no test marked
# both_databases for the second pass.
NO_TESTS_COLLECTED = 5


def marked_both_databases(args: list[str]) -> list[str]:
    """The pytest arguments, selecting only the tests marked both_databases: and-ed with
    their own `-m EXPRESSION` if they have one (make test-fast's), as pytest keeps only the
    last -m."""
    kept, expression = [], "both_databases"
    words = iter(args)
    for word in words:
        if word == "-m":
            expression = f"({next(words, '')}) and both_databases"
        else:
            kept.append(word)
    return [*kept, "-m", expression]


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
        pytest = [sys.executable, "-m", "pytest", *sys.argv[1:]]
        on_postgresql = subprocess.run(pytest, env=env).returncode
        # Then the tests marked both_databases (among those the arguments select) on a real
        # SQLite file, as `make run` has, with the same Redis.
        with tempfile.TemporaryDirectory(prefix="petitions-sqlite-") as folder:
            sqlite_url = f"sqlite:///{folder}/site.sqlite3"
            print(f"\nThe tests marked both_databases, on SQLite ({sqlite_url}):", flush=True)
            sqlite_env = {**env, "DATABASE_URL": sqlite_url}
            both = [sys.executable, "-m", "pytest", *marked_both_databases(sys.argv[1:])]
            on_sqlite = subprocess.run(both, env=sqlite_env).returncode
        if on_sqlite == NO_TESTS_COLLECTED:
            on_sqlite = 0
        return on_postgresql or on_sqlite


if __name__ == "__main__":
    sys.exit(main())
