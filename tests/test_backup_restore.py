"""The backup and restore commands of docs/deploy.md, run against the PostgreSQL that make
test starts: a custom-format dump of the test database restores into a new database with
its rows."""

import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from scripts.services import pg_bin
from tests.conftest import make_petition

pytestmark = pytest.mark.system

ROOT = Path(__file__).resolve().parent.parent
DUMP = ["pg_dump", "--format=custom", "--no-owner"]
RESTORE = ["pg_restore", "--no-owner", "--exit-on-error"]


def run(program: str, *args: str) -> None:
    settings = connection.settings_dict
    where = ["--host", settings["HOST"], "--username", settings["USER"]]
    if settings.get("PORT"):
        where += ["--port", str(settings["PORT"])]
    result = subprocess.run(
        [pg_bin(program), *where, *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture
def restored_database():
    name = f"restore_{uuid.uuid4().hex[:12]}"
    yield name
    run("dropdb", "--if-exists", name)


class TestBackupRestore:
    def test_the_documented_commands_are_the_ones_tested(self):
        docs = (ROOT / "docs/deploy.md").read_text()
        assert " ".join(DUMP) in docs
        assert " ".join(RESTORE) in docs
        assert "createdb" in docs

    def test_a_dump_restores_into_a_new_database_with_its_rows(
        self, transactional_db, tmp_path, restored_database
    ):
        make_petition(title="Survives the restore")
        dump = tmp_path / "petitions.dump"
        run(DUMP[0], *DUMP[1:], "--file", str(dump), connection.settings_dict["NAME"])
        assert dump.stat().st_size > 0

        run("createdb", restored_database)
        run(RESTORE[0], *RESTORE[1:], "--dbname", restored_database, str(dump))

        settings = connection.settings_dict
        with psycopg.connect(
            host=settings["HOST"], user=settings["USER"], dbname=restored_database
        ) as restored:
            titles = [row[0] for row in restored.execute("SELECT title FROM petitions_petition")]
            applied = restored.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
        assert titles == ["Survives the restore"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM django_migrations")
            assert applied == cursor.fetchone()[0]
