import os
from pathlib import Path

import pytest
from django.db import connection


def test_the_suite_runs_on_real_postgresql(db):
    # make test starts a throwaway PostgreSQL; a SQLite run would hide constraint behaviour.
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 150000


@pytest.mark.both_databases
def test_each_pass_runs_on_the_database_it_names(db):
    # make test's second pass runs the tests marked both_databases on SQLite, in a file.
    on_sqlite = os.environ.get("DATABASE_URL", "").startswith("sqlite:")
    assert connection.vendor == ("sqlite" if on_sqlite else "postgresql")
    if on_sqlite:
        assert Path(connection.settings_dict["NAME"]).is_file()
