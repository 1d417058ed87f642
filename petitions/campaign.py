"""The campaign panel on a petition's admin page: aggregate queries, exact to the signature.

Each number is one GROUP BY or COUNT in the database (no Python loop over the rows), served
by an index on Signature (see Signature.Meta.indexes).
"""

import datetime as dt

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django_countries import countries

from petitions.exports import day_start
from petitions.models import Petition, Signature

DAYS_CHARTED = 60
TOP_COUNTRIES = 10
LATEST_SIGNATURES = 10
# The chart's drawing area, in SVG user units.
CHART_WIDTH, CHART_HEIGHT = 600, 240


def status_counts(petition: Petition) -> dict[str, int]:
    """Signatures per status, every status present (signature_recent_idx)."""
    rows = petition.signatures.order_by().values_list("status").annotate(n=Count("pk"))
    found = dict(rows)
    return {status: found.get(status, 0) for status in Signature.Status.values}


def chart_end(petition: Petition) -> dt.date:
    """The last day charted: today, or the day a closed petition closed."""
    if petition.closed_at:
        return timezone.localdate(petition.closed_at)
    return timezone.localdate()


def confirmations_per_day(petition: Petition, *, days: int = DAYS_CHARTED) -> list[tuple]:
    """(day, confirmations) for each of the last `days` days, zeros included."""
    end = chart_end(petition)
    start = end - dt.timedelta(days=days - 1)
    rows = (
        petition.signatures.confirmed()
        .filter(
            confirmed_at__gte=day_start(start),
            confirmed_at__lt=day_start(end + dt.timedelta(days=1)),
        )
        .annotate(day=TruncDate("confirmed_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values_list("day")
        .annotate(n=Count("pk"))
    )
    found = dict(rows)
    return [(day, found.get(day, 0)) for day in (start + dt.timedelta(n) for n in range(days))]


def chart(points: list[tuple]) -> dict:
    """Bar geometry for the server-rendered SVG chart."""
    peak = max((n for _, n in points), default=0)
    step = CHART_WIDTH / max(len(points), 1)
    bars = []
    for i, (day, n) in enumerate(points):
        height = round(n / peak * CHART_HEIGHT, 1) if peak else 0
        bars.append(
            {
                "day": day,
                "n": n,
                "x": round(i * step + 1, 1),
                "y": round(CHART_HEIGHT - height, 1),
                "width": round(max(step - 2, 1), 1),
                "height": height,
            }
        )
    return {
        "bars": bars,
        "peak": peak,
        "total": sum(n for _, n in points),
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "first": points[0][0] if points else None,
        "last": points[-1][0] if points else None,
    }


def top_countries(petition: Petition, *, limit: int = TOP_COUNTRIES) -> list[dict]:
    """Where confirmed supporters are, most first (signature_country_idx)."""
    rows = (
        petition.signatures.confirmed()
        .order_by()
        .values_list("country")
        .annotate(n=Count("pk"))
        .order_by("-n", "country")[:limit]
    )
    names = dict(countries)
    return [{"code": code, "name": names.get(code, code), "n": n} for code, n in rows]


def latest_signatures(petition: Petition, *, limit: int = LATEST_SIGNATURES) -> list[Signature]:
    """The newest signatures whatever their status (signature_signed_idx)."""
    return list(petition.signatures.order_by("-created_at", "-id")[:limit])


def campaign_panel(petition: Petition, *, show_signatures: bool) -> dict:
    """Everything the panel shows; the latest signatures only to who may see signatures."""
    counts = status_counts(petition)
    countries_ = top_countries(petition)
    for country in countries_:
        country["percent"] = round(country["n"] * 100 / counts["confirmed"], 1)
        country["bar"] = round(country["n"] * 100 / countries_[0]["n"])  # the first is 100
    return {
        "counts": counts,
        "total": sum(counts.values()),
        "drift": petition.supporters - counts["confirmed"],
        "chart": chart(confirmations_per_day(petition)),
        "countries": countries_,
        "latest": latest_signatures(petition) if show_signatures else None,
    }
