from django.db import connection


def test_the_suite_runs_on_real_postgresql(db):
    # make test starts a throwaway PostgreSQL; a SQLite run would hide constraint behaviour.
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 150000
