import secrets

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    """The process is alive and serving Django: no database, no cache. Also the minimal
    view that bench/load.py measures the appeal page against."""
    return HttpResponse("ok\n", content_type="text/plain")


@never_cache
@require_GET
def readyz(request):
    """Ready for traffic: the database answers, the cache works, every migration is applied.
    503 with the first problem found, so a load balancer holds traffic back (during a deploy,
    until the migrate job has run)."""
    problem = database_problem() or cache_problem() or migrations_problem()
    if problem:
        return HttpResponse(f"not ready: {problem}\n", content_type="text/plain", status=503)
    return HttpResponse("ok\n", content_type="text/plain")


def database_problem() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:  # its message says why (petition_site/postgresql/)
        return f"database unreachable ({type(error).__name__}: {error})"
    return None


def cache_problem() -> str | None:
    token = secrets.token_hex(8)
    key = f"readyz:{token}"
    try:
        cache.set(key, token, timeout=10)
        ok = cache.get(key) == token
        cache.delete(key)
    except Exception as error:  # each backend raises its own errors
        return f"cache unreachable ({type(error).__name__})"
    return None if ok else "cache does not keep values"


# Once this process has seen every migration applied it stops looking: building the
# migration graph reads every migration module, too slow for a probe every few seconds, and
# applied migrations are not unapplied under a running release.
migrations_applied = False


def migrations_problem() -> str | None:
    global migrations_applied
    if migrations_applied:
        return None
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        return f"migration state unreadable ({type(error).__name__})"
    if plan:
        return f"{len(plan)} migration(s) not applied"
    migrations_applied = True
    return None
