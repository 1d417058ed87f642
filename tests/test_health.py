import pytest
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings

from petition_site import health


def test_healthz_answers_without_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


class TestReadyz:
    @pytest.fixture(autouse=True)
    def look_at_migrations_again(self, monkeypatch):
        # A process remembers that it saw every migration applied; each test starts afresh.
        monkeypatch.setattr(health, "migrations_applied", False)

    def test_it_is_ok_with_the_database_the_cache_and_every_migration(self, client, db):
        response = client.get("/readyz")
        assert response.status_code == 200
        assert response.content == b"ok\n"
        assert response["Content-Type"] == "text/plain"
        assert "no-cache" in response["Cache-Control"]

    def test_once_migrated_it_costs_one_query(self, client, db, django_assert_num_queries):
        client.get("/readyz")
        with django_assert_num_queries(1):  # SELECT 1
            assert client.get("/readyz").status_code == 200

    def test_it_is_not_ready_while_a_migration_is_unapplied(self, client, db):
        # As when a new release's pods start before the migrate job has run.
        latest = MigrationRecorder.Migration.objects.filter(app="petitions").latest("id")
        latest.delete()
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.content == b"not ready: 1 migration(s) not applied\n"

    def test_it_is_not_ready_without_its_cache(self, client, db, settings):
        # A Redis cache whose server is not there: the socket does not exist.
        down = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "unix:///nonexistent.sock"}
        with override_settings(CACHES={**settings.CACHES, "default": down}):
            response = client.get("/readyz")
        assert response.status_code == 503
        assert response.content == b"not ready: cache unreachable (ConnectionError)\n"

    def test_it_is_served_over_plain_http_when_https_is_enforced(self, client, db, settings):
        settings.SECURE_SSL_REDIRECT = True
        assert client.get("/readyz").status_code == 200
        assert client.get("/").status_code == 301

    def test_it_answers_only_get(self, client, db):
        assert client.post("/readyz").status_code == 405
