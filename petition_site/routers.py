"""With DATABASE_REPLICA_URL set: the public pages' reads from a read replica.

Only reads of the models that appeal and home pages show (petitions and their recipients) go
to the replica, and only when nothing asks for the primary: writes, anything inside a
transaction (it must read what it wrote), every request that is not a GET or HEAD, and the
admin, whose organizers expect to see what they just saved. Signatures and the email outbox
are always read from the primary. A replica lags by moments; the public pages already show a
counter up to APPEAL_STATE_MAX_AGE seconds old.

Two things keep a visitor from noticing the replica (docs/scaling.md, "A read replica"):

- Read your own writes: a POST that succeeds sets a short cookie, and for PIN_SECONDS the
  visitor's pages are read from the primary, so the thank-you page after confirming shows
  the count that includes them even while the replica lags behind.
- Replica down: a public page whose query fails on an unreachable database is run once more
  on the primary, and if the replica does not answer a new connection it is left alone for
  DOWN_SECONDS; then the next page tries it again.
"""

import contextlib
import logging
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from petition_site.outages import is_database_outage
from petition_site.postgresql.base import connection_failure

REPLICA = "replica"
REPLICA_MODELS = {("petitions", "petition"), ("petitions", "recipient")}
SAFE_METHODS = ("GET", "HEAD")
# Read your own writes: longer than the replica's lag has ever been measured (docs/scaling.md).
PIN_COOKIE = "primary"
PIN_SECONDS = 10
# How long an unreachable replica is left alone before a page tries it again.
DOWN_SECONDS = 5

pinned_to_primary: ContextVar[bool] = ContextVar("pinned_to_primary", default=False)
read_from_replica: ContextVar[bool] = ContextVar("read_from_replica", default=False)
replica_down_until = 0.0  # time.monotonic(); per process

log = logging.getLogger(__name__)


def replica_is_down() -> bool:
    return time.monotonic() < replica_down_until


def mark_replica_down() -> None:
    global replica_down_until
    replica_down_until = time.monotonic() + DOWN_SECONDS


def replica_failure() -> str | None:
    """What a new connection to the replica fails with, or None if it answers."""
    db = settings.DATABASES[REPLICA]
    params = {"dbname": db["NAME"], "user": db.get("USER"), "password": db.get("PASSWORD")}
    params.update(host=db.get("HOST") or None, port=db.get("PORT") or None)
    return connection_failure({k: v for k, v in params.items() if v})


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if (model._meta.app_label, model._meta.model_name) not in REPLICA_MODELS:
            return DEFAULT_DB_ALIAS
        if pinned_to_primary.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        instance = hints.get("instance")
        if instance is not None and instance._state.db == DEFAULT_DB_ALIAS:
            return DEFAULT_DB_ALIAS  # follow a relation from a row read on the primary
        if replica_is_down():
            return DEFAULT_DB_ALIAS
        read_from_replica.set(True)
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class PinToPrimaryMiddleware:
    """Sends every read of a request to the primary, unless it is a GET or HEAD outside the
    admin from a visitor who has not just written something (PIN_COOKIE)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        primary = (
            request.method not in SAFE_METHODS
            or request.path_info.startswith("/admin/")
            or PIN_COOKIE in request.COOKIES
        )
        token = pinned_to_primary.set(primary)
        used = read_from_replica.set(False)
        try:
            response = self.get_response(request)
        finally:
            read_from_replica.reset(used)
            pinned_to_primary.reset(token)
        if request.method not in SAFE_METHODS and response.status_code < 400:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=PIN_SECONDS,
                secure=request.is_secure(),
                httponly=True,
                samesite="Lax",
            )
        return response


class ReplicaFallbackMiddleware:
    """Last in MIDDLEWARE, so that it sees a view's database error before the 503 page does:
    a GET or HEAD that read from the replica and failed on an unreachable database is run
    once more with every read on the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if (
            request.method not in SAFE_METHODS
            or pinned_to_primary.get()
            or not read_from_replica.get()
            or not is_database_outage(exception)
        ):
            return None
        failure = replica_failure()
        if failure is not None:
            log.warning("replica unreachable, reading from the primary: %s", failure)
            mark_replica_down()
        with contextlib.suppress(DatabaseError):
            connections[REPLICA].close()  # a broken connection goes back, to be dropped
        token = pinned_to_primary.set(True)
        try:
            return self.get_response(request)
        finally:
            pinned_to_primary.reset(token)
