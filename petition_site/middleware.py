"""A request id on every request, its response and every log line written while serving it.

The proxy in front may send one (X-Request-ID, as nginx's $request_id or Heroku's router do),
so one id follows a request from the proxy's log through Django's to gunicorn's access line.
Anything that is not a plain token is replaced: the id lands in logs, where a forged value
could inject lines.
"""

import json
import logging
import re
import uuid
from contextvars import ContextVar

from django.core.signals import request_finished

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:=+-]{8,128}")


class RequestIDMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        # Kept past this middleware: Django logs 4xx and 5xx responses after the middleware
        # chain returns; request_finished clears it once the response is sent.
        request_id_var.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


def forget_request_id(**kwargs):
    request_id_var.set("-")


request_finished.connect(forget_request_id, dispatch_uid="petition_site.forget_request_id")


class RequestIDFilter(logging.Filter):
    """Adds record.request_id: the current request's id, or "-" outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JSONFormatter(logging.Formatter):
    """One JSON object per line: what log collectors parse without configuration."""

    time_format = "%Y-%m-%dT%H:%M:%S%z"

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, self.time_format),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class AccessLogFormatter(JSONFormatter):
    """gunicorn's access line (gunicorn.conf.py) as JSON, from the atoms gunicorn passes as
    the record's args (gunicorn/glogging.py, Logger.access): its own access_log_format would
    only put a backslash before each double quote, and a request line can hold anything."""

    def format(self, record: logging.LogRecord) -> str:
        atoms = record.args  # gunicorn's SafeAtoms: "-" for a missing one

        def atom(key: str):
            # SafeAtoms put a backslash before each double quote; every quote has one, so
            # taking them away gives back exactly what the client sent.
            value = atoms[key]
            return value.replace('\\"', '"') if isinstance(value, str) else value

        status = str(atom("s"))
        entry = {
            "remote": atom("h"),
            "time": self.formatTime(record, self.time_format),
            "request": atom("r"),
            "status": int(status) if status.isdigit() else status,
            "bytes": atom("B"),
            "referrer": atom("f"),
            "agent": atom("a"),
            "ms": atom("M"),
            "request_id": atom("{x-request-id}o"),
        }
        return json.dumps(entry, ensure_ascii=False)
