"""Scale-out settings are off by default and switched on one variable at a time; the replica
router sends only the public pages' plain reads to the replica."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.test import RequestFactory

from petition_site import routers
from petition_site.routers import (
    PIN_COOKIE,
    PIN_SECONDS,
    REPLICA,
    PinToPrimaryMiddleware,
    ReplicaRouter,
)
from petitions.models import OutgoingEmail, Petition, Recipient, Signature
from tests import test_settings

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {**test_settings.PRODUCTION, "DATABASE_URL": "postgres://u@db.example/petitions"}


def settings_with(code: str, **env) -> list[str]:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env={**PRODUCTION, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@pytest.fixture(scope="module")
def scaled_out() -> list[str]:
    # One process with every variable set: starting Django costs a second each time.
    code = (
        "from django.conf import settings as s; from django.core.cache import caches;"
        "from django.core.files.storage import storages; r = s.DATABASES['replica'];"
        "d = storages['default'];"
        "print(type(caches['default']).__module__, s.SESSION_ENGINE,"
        "s.CACHES['default']['LOCATION'], type(caches['pages']).__name__,"
        "r['HOST'], r['OPTIONS']['pool']['max_size'], r['TEST']['MIRROR'],"
        "s.DATABASE_ROUTERS[0], s.MIDDLEWARE[1],"
        "type(d).__name__, d.bucket_name, d.endpoint_url)"
    )
    return settings_with(
        code,
        REDIS_URL="redis://redis:6379/0",
        DATABASE_REPLICA_URL="postgres://u@replica.example/petitions",
        AWS_STORAGE_BUCKET_NAME="petition-uploads",
        AWS_S3_ENDPOINT_URL="https://s3.example",
    )


class TestScaleOutSettings:
    def test_without_them_nothing_changes(self):
        # In development: production needs REDIS_URL for its rate limits.
        code = (
            "from django.conf import settings as s;"
            "print(s.CACHES['default']['BACKEND'], s.SESSION_ENGINE, len(s.DATABASES),"
            "s.DATABASE_ROUTERS, s.STORAGES['default']['BACKEND'], s.MIDDLEWARE[1])"
        )
        assert settings_with(code, DEBUG="true", REDIS_URL="") == [
            "django.core.cache.backends.locmem.LocMemCache",
            "django.contrib.sessions.backends.db",
            "1",
            "[]",
            "django.core.files.storage.FileSystemStorage",
            "django.middleware.security.SecurityMiddleware",
        ]

    def test_redis_url_shares_the_cache_and_keeps_sessions_in_it(self, scaled_out):
        assert scaled_out[:4] == [
            "django_redis.cache",
            "django.contrib.sessions.backends.cached_db",
            "redis://redis:6379/0",
            "LocMemCache",  # rendered pages stay in each process, by design
        ]

    def test_a_replica_url_adds_the_replica_and_its_router(self, scaled_out):
        assert scaled_out[4:9] == [
            "replica.example",
            "4",  # the primary's pool settings
            "default",
            "petition_site.routers.ReplicaRouter",
            "petition_site.routers.PinToPrimaryMiddleware",
        ]

    def test_a_bucket_name_stores_uploads_in_s3(self, scaled_out):
        assert scaled_out[9:] == ["S3Storage", "petition-uploads", "https://s3.example"]


class TestReplicaRouter:
    router = ReplicaRouter()

    def test_public_pages_reads_go_to_the_replica(self):
        assert self.router.db_for_read(Petition) == REPLICA
        assert self.router.db_for_read(Recipient) == REPLICA

    def test_signatures_and_the_outbox_are_read_from_the_primary(self):
        assert self.router.db_for_read(Signature) == "default"
        assert self.router.db_for_read(OutgoingEmail) == "default"

    def test_every_write_goes_to_the_primary(self):
        for model in (Petition, Recipient, Signature, OutgoingEmail):
            assert self.router.db_for_write(model) == "default"

    def test_reads_inside_a_transaction_stay_on_the_primary(self, db):
        with transaction.atomic():
            assert self.router.db_for_read(Petition) == "default"

    def test_a_relation_followed_from_a_primary_row_stays_on_the_primary(self, petition):
        assert petition._state.db == "default"
        assert self.router.db_for_read(Recipient, instance=petition) == "default"

    def test_only_the_primary_is_migrated(self):
        assert self.router.allow_migrate("default", "petitions")
        assert not self.router.allow_migrate(REPLICA, "petitions")

    def route_during(self, method: str, path: str) -> str:
        seen = []
        middleware = PinToPrimaryMiddleware(
            lambda r: seen.append(self.router.db_for_read(Petition)) or HttpResponse()
        )
        middleware(RequestFactory().generic(method, path))
        return seen[0]

    def test_a_public_get_reads_from_the_replica(self):
        assert self.route_during("GET", "/free-the-river/") == REPLICA
        assert self.route_during("HEAD", "/") == REPLICA

    def test_a_post_reads_from_the_primary(self):
        assert self.route_during("POST", "/free-the-river/sign/") == "default"

    def test_the_admin_reads_from_the_primary(self):
        assert self.route_during("GET", "/admin/petitions/petition/") == "default"

    def test_the_pin_ends_with_the_request(self):
        self.route_during("POST", "/free-the-river/sign/")
        assert self.router.db_for_read(Petition) == REPLICA

    def test_a_visitor_who_just_wrote_reads_from_the_primary(self):
        request = RequestFactory().get("/free-the-river/thank-you/")
        request.COOKIES[PIN_COOKIE] = "1"
        seen = []
        PinToPrimaryMiddleware(lambda r: seen.append(self.router.db_for_read(Petition)))(request)
        assert seen == ["default"]

    def test_a_successful_post_pins_the_visitor_for_a_few_seconds(self):
        request = RequestFactory().post("/free-the-river/sign/")
        response = PinToPrimaryMiddleware(lambda r: HttpResponseRedirect("/"))(request)
        assert response.cookies[PIN_COOKIE]["max-age"] == PIN_SECONDS
        assert response.cookies[PIN_COOKIE]["httponly"]

    def test_a_refused_post_does_not_pin(self):
        request = RequestFactory().post("/free-the-river/sign/")
        response = PinToPrimaryMiddleware(lambda r: HttpResponse(status=400))(request)
        assert PIN_COOKIE not in response.cookies

    def test_a_replica_found_down_is_left_alone_for_a_while(self, monkeypatch):
        monkeypatch.setattr(routers, "replica_down_until", 0.0)
        routers.mark_replica_down()
        assert self.router.db_for_read(Petition) == "default"
        monkeypatch.setattr(routers, "replica_down_until", 0.0)
        assert self.router.db_for_read(Petition) == REPLICA
