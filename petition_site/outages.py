import logging

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

log = logging.getLogger(__name__)

RETRY_AFTER = 30  # seconds


def is_database_outage(error: Exception) -> bool:
    """PostgreSQL unreachable: refused or dropped connections, or none left in the pool."""
    if isinstance(error, (OperationalError, InterfaceError)):
        return True
    cause = error.__cause__
    return isinstance(error, DatabaseError) and type(cause).__name__ in (
        "PoolTimeout",
        "TooManyRequests",
    )


class DatabaseOutageMiddleware:
    """When the database cannot be reached, a 503 page in the site's design instead of a
    500. Nothing is half-written: each change is one transaction, which did not commit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_outage(exception):
            return None
        log.error("database unreachable: %s", exception)
        # Rendered without the request: its context processors might reach for the database.
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
