"""The read-only JSON API under /api/: public petitions, their counters, where their supporters
are and how they grew, as the OpenAPI document at /api/openapi.json describes them.

Nothing personal in any of it: of signers only counts, of the organizer only the public
starter name. Every response is the same whatever the reader's language (plain JSON numbers,
labels and country names in the site's default language, messages in English), so that one
cached copy serves everyone; it is open to scripts on any site, and cached briefly by anyone.
"""

import datetime as dt
import functools
import re
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import caches
from django.core.paginator import EmptyPage, Paginator
from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDay, TruncHour
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import (
    cc_delim_re,
    get_conditional_response,
    patch_cache_control,
    set_response_etag,
)
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt

from petitions.models import Petition, Recipient, Update
from petitions.openapi import STATES, openapi_document

PAGE_SIZE, MAX_PAGE_SIZE = 20, 100
MAX_PAGE = 1_000_000
MAX_QUERY_LENGTH = 200
# The hourly history covers the last 90 days of a petition's life (2,160 points at most);
# the daily one its whole life.
HOURLY_DAYS = 90
INTERVALS = {"hour": (TruncHour, dt.timedelta(hours=1)), "day": (TruncDay, dt.timedelta(days=1))}
METHODS = "GET, HEAD, OPTIONS"
WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


class ApiError(Exception):
    """Answered as {"error": message} with this status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def endpoint(view):
    """An API view: GET and HEAD, OPTIONS for a CORS preflight, readable from any origin
    (no credentials), its data in the site's default language whatever the reader's,
    cacheable by anyone for API_CACHE_SECONDS with an ETag to revalidate; errors as JSON."""

    # Read-only and cookieless: a POST gets its JSON 405, not the CSRF failure page.
    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = METHODS
            response["Access-Control-Allow-Headers"] = "*"
            response["Access-Control-Max-Age"] = "86400"
        elif request.method not in ("GET", "HEAD"):
            response = error(405, f"Only {METHODS} are allowed here.")
            response["Allow"] = METHODS
        else:
            response = respond(request, view, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        # Its data may be read by scripts of any site (CORS), so also loaded by them.
        response["Cross-Origin-Resource-Policy"] = "cross-origin"
        response.language_neutral = True  # see LanguageNeutralMiddleware
        return response

    return wrapper


def respond(request: HttpRequest, view, *args, **kwargs) -> HttpResponse:
    try:
        with translation.override(settings.LANGUAGE_CODE):
            data = view(request, *args, **kwargs)
    except ApiError as e:
        return error(e.status, str(e))
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    patch_cache_control(response, public=True, max_age=settings.API_CACHE_SECONDS)
    response["Access-Control-Expose-Headers"] = "ETag"
    set_response_etag(response)
    return get_conditional_response(request, etag=response["ETag"], response=response)


def error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


class LanguageNeutralMiddleware:
    """LocaleMiddleware, below this one, marks every response as varying with
    Accept-Language and names its language: not the API's, which are the same in every
    language, so that a shared cache keeps one copy of each."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(response, "language_neutral", False):
            vary = [v for v in cc_delim_re.split(response.get("Vary", "")) if v]
            kept = [v for v in vary if v.lower() != "accept-language"]
            if kept:
                response["Vary"] = ", ".join(kept)
            else:
                response.headers.pop("Vary", None)
            response.headers.pop("Content-Language", None)
        return response


def param(request: HttpRequest, name: str, default: str = "") -> str:
    """A query parameter given at most once (?state=open&state=closed is refused)."""
    values = request.GET.getlist(name)
    if len(values) > 1:
        raise ApiError(400, f"Give the parameter “{name}” at most once.")
    value = values[0] if values else default
    if "\x00" in value:
        raise ApiError(400, f"The parameter “{name}” contains a NUL character.")
    return value


def whole_number(request: HttpRequest, name: str, default: int, *, high: int) -> int:
    raw = param(request, name, str(default))
    if not WHOLE_NUMBER.fullmatch(raw) or not 1 <= int(raw) <= high:
        raise ApiError(400, f"The parameter “{name}” must be a whole number from 1 to {high}.")
    return int(raw)


def public_petition(slug: str) -> Petition:
    petition = Petition.objects.public().filter(slug=slug).first()
    if petition is None:
        raise ApiError(404, f"There is no public petition “{slug}”.")
    return petition


@contextmanager
def one_snapshot():
    """Every read inside sees the database as of one moment (REPEATABLE READ), so that the
    counts different statements read agree: those by country sum to the counter, which
    moves in the same transaction as each signature's status."""
    outermost = not connection.in_atomic_block  # else the isolation level is set already
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def absolute(url: str) -> str:
    return settings.SITE_URL + url if url.startswith("/") else url


def api_url(name: str, *args) -> str:
    return settings.SITE_URL + reverse(f"api:{name}", args=args)


def petition_summary(petition: Petition) -> dict:
    """What the list shows of each petition, and the detail starts with."""
    return {
        "slug": petition.slug,
        "title": petition.title,
        "summary": petition.preview_text,
        "language": petition.language,
        "url": petition.absolute_url,
        "api_url": api_url("petition", petition.slug),
        # Open while it accepts signatures: one past its closing time counts as closed.
        "state": "open" if petition.is_open else "closed",
        "created_at": petition.created_at,
        "closes_at": petition.closes_at,
        "closed_at": petition.closed_at,
        "goal": petition.goal,
        "signature_count": petition.supporters,
        "outcome": {
            "value": petition.outcome,
            "label": str(petition.get_outcome_display()),
            "statement_html": petition.outcome_statement_html,
            "date": petition.outcome_on,
        },
    }


def recipient_data(recipient: Recipient) -> dict:
    response = None
    if recipient.has_response:
        file = recipient.response_file
        response = {
            "date": recipient.responded_on,
            "text_html": recipient.response_html,
            "url": recipient.response_url or None,
            "file_url": absolute(file.url) if file else None,
        }
    deliveries = [
        {
            "date": d.delivered_on,
            "method": d.method,
            "signatures": d.signatures,
            "paper_signatures": d.paper_signatures,
        }
        for d in recipient.deliveries.all()
    ]
    return {
        "name": recipient.name,
        "role": recipient.role,
        "deliveries": deliveries,
        "response": response,
    }


def update_data(update: Update) -> dict:
    return {
        "number": update.number,
        "title": update.title,
        "published_at": update.published_at,
        "url": update.absolute_url,
        "body_html": update.body_html,
    }


def in_state(petitions, state: str):
    if state not in STATES:
        raise ApiError(400, f"The parameter “state” must be one of: {', '.join(STATES)}.")
    accepting = Q(pk__in=Petition.objects.accepting_signatures().values("pk"))
    if state == "open":
        return petitions.filter(accepting)
    if state == "closed":
        return petitions.exclude(accepting)
    return petitions.filter(outcome=state)


def page_link(request: HttpRequest, number: int) -> str:
    """The address of another page of the same list (the same filters and page size)."""
    kept = {name: request.GET[name] for name in ("state", "q", "page_size") if name in request.GET}
    return f"{api_url('petitions')}?{urlencode({**kept, 'page': number})}"


@endpoint
def petitions(request: HttpRequest) -> dict:
    found = Petition.objects.public()
    if state := param(request, "state"):
        found = in_state(found, state)
    if len(words := param(request, "q").strip()) > MAX_QUERY_LENGTH:
        raise ApiError(400, f"The parameter “q” is longer than {MAX_QUERY_LENGTH} characters.")
    if words:
        found = found.search(words)
    size = whole_number(request, "page_size", PAGE_SIZE, high=MAX_PAGE_SIZE)
    number = whole_number(request, "page", 1, high=MAX_PAGE)
    try:
        page = Paginator(found.order_by("-created_at", "-pk"), size).page(number)
    except EmptyPage:
        raise ApiError(404, f"There is no page {number}.") from None
    return {
        "count": page.paginator.count,
        "next": page_link(request, number + 1) if page.has_next() else None,
        "previous": page_link(request, number - 1) if page.has_previous() else None,
        "results": [petition_summary(p) for p in page],
    }


@endpoint
def petition(request: HttpRequest, slug: str) -> dict:
    # As fresh as the petition's page (APPEAL_STATE_MAX_AGE): under load, made once per
    # process and period, as its Markdown and the GROUP BY by country cost the most.
    return caches["pages"].get_or_set(
        f"api-petition:{slug}", lambda: petition_detail(slug), settings.APPEAL_STATE_MAX_AGE
    )


def petition_detail(slug: str) -> dict:
    with one_snapshot():
        petition = public_petition(slug)
        recipients = petition.recipients.prefetch_related("deliveries")
        return {
            **petition_summary(petition),
            "starter_name": petition.starter_name,
            "paper_signature_count": petition.paper_count,
            "recipients": [recipient_data(r) for r in recipients],
            "updates": [update_data(u) for u in petition.updates.published()],
            "signatures_by_country": [
                {"code": code, "name": name, "count": n}
                for code, name, n in petition.signatures_by_country()
            ],
        }


def read_count(slug: str) -> tuple[int, dt.datetime]:
    """The petition's counter and when it was read, at most APPEAL_STATE_MAX_AGE old, as
    fresh as its page's: polled by many, it costs one query per process and period."""
    return caches["pages"].get_or_set(
        f"api-count:{slug}",
        lambda: (public_petition(slug).supporters, timezone.now()),
        settings.APPEAL_STATE_MAX_AGE,
    )


@endpoint
def count(request: HttpRequest, slug: str) -> dict:
    signature_count, read_at = read_count(slug)
    return {"signature_count": signature_count, "read_at": read_at}


@endpoint
def history(request: HttpRequest, slug: str) -> dict:
    interval = param(request, "interval", "day")
    if interval not in INTERVALS:
        raise ApiError(400, "The parameter “interval” must be “hour” or “day”.")
    petition = public_petition(slug)
    return {"interval": interval, "points": confirmations_per(petition, interval)}


def confirmations_per(petition: Petition, interval: str) -> list[dict]:
    """Confirmed signatures per hour or day (UTC) by when they were confirmed, from the
    first interval with one to the last, zeros included; hourly, the last HOURLY_DAYS days
    to now or to its closing. One GROUP BY on signature_recent_idx."""
    trunc, step = INTERVALS[interval]
    confirmed = petition.signatures.confirmed().filter(confirmed_at__isnull=False)
    if interval == "hour":
        end = petition.closed_at or timezone.now()
        confirmed = confirmed.filter(confirmed_at__gt=end - dt.timedelta(days=HOURLY_DAYS))
    rows = (
        confirmed.annotate(start=trunc("confirmed_at", tzinfo=dt.UTC))
        .order_by()
        .values_list("start")
        .annotate(n=Count("pk"))
    )
    found = dict(rows)
    if not found:
        return []
    points, start, last = [], min(found), max(found)
    while start <= last:
        points.append({"start": start, "count": found.get(start, 0)})
        start += step
    return points


@endpoint
def openapi(request: HttpRequest) -> dict:
    return openapi_document()


@endpoint
def not_found(request: HttpRequest) -> dict:
    raise ApiError(404, "There is no such API address; /api/openapi.json lists them.")
