"""With DATABASE_REPLICA_URL set: the public pages' reads from a read replica.

Only reads of the models that appeal and home pages show (petitions and their recipients) go
to the replica, and only when nothing asks for the primary: writes, anything inside a
transaction (it must read what it wrote), every request that is not a GET or HEAD, and the
admin, whose organizers expect to see what they just saved. Signatures and the email outbox
are always read from the primary. A replica lags by moments; the public pages already show a
counter up to APPEAL_STATE_MAX_AGE seconds old.
"""

from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
REPLICA_MODELS = {("petitions", "petition"), ("petitions", "recipient")}

pinned_to_primary: ContextVar[bool] = ContextVar("pinned_to_primary", default=False)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if (model._meta.app_label, model._meta.model_name) not in REPLICA_MODELS:
            return DEFAULT_DB_ALIAS
        if pinned_to_primary.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        instance = hints.get("instance")
        if instance is not None and instance._state.db == DEFAULT_DB_ALIAS:
            return DEFAULT_DB_ALIAS  # follow a relation from a row read on the primary
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class PinToPrimaryMiddleware:
    """Sends every read of a request to the primary, unless it is a GET or HEAD outside the
    admin."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        primary = request.method not in ("GET", "HEAD") or request.path_info.startswith("/admin/")
        token = pinned_to_primary.set(primary)
        try:
            return self.get_response(request)
        finally:
            pinned_to_primary.reset(token)
