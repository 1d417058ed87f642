"""The campaign panel on a petition's admin page: aggregate queries, exact to the signature.

Each number is one GROUP BY or COUNT in the database (no Python loop over the rows), served
by an index on Signature (see Signature.Meta.indexes).
"""

import datetime as dt

from django.db.models import Count, DateField, Min
from django.db.models.functions import Trunc
from django.utils import dateformat, timezone
from django_countries import countries

from petitions.exports import day_start
from petitions.models import Petition, Signature

DAYS_CHARTED = 60
# The chart covers the petition's whole life in bars of a day, else a week, a month or a
# year: the shortest that keeps it to this many bars, each wide enough to read.
MAX_BARS = 90
UNITS = ("day", "week", "month", "year")
TOP_COUNTRIES = 10
LATEST_SIGNATURES = 10
# The chart's drawing area, in SVG user units.
CHART_WIDTH, CHART_HEIGHT = 600, 240
# How a bar's period is named: in its tooltip, and on the axis at both ends.
BAR_LABELS = {"day": "D j M Y", "week": "j M Y", "month": "F Y", "year": "Y"}
AXIS_LABELS = {"day": "j M", "week": "j M Y", "month": "M Y", "year": "Y"}


def status_summary(petition: Petition) -> tuple[dict[str, int], dt.datetime | None]:
    """Signatures per status, every status present, and the first confirmation: one
    GROUP BY (signature_recent_idx)."""
    rows = (
        petition.signatures.order_by()
        .values_list("status")
        .annotate(n=Count("pk"), first=Min("confirmed_at"))
    )
    found = {status: (n, first) for status, n, first in rows}
    counts = {status: found.get(status, (0, None))[0] for status in Signature.Status.values}
    return counts, found.get(Signature.Status.CONFIRMED, (0, None))[1]


def status_counts(petition: Petition) -> dict[str, int]:
    """Signatures per status, every status present (signature_recent_idx)."""
    return status_summary(petition)[0]


def chart_end(petition: Petition) -> dt.date:
    """The last day charted: today, or the day a closed petition closed."""
    if petition.closed_at:
        return timezone.localdate(petition.closed_at)
    return timezone.localdate()


def bucket_start(day: dt.date, unit: str) -> dt.date:
    """The first day of the bar that holds this day (a week starts on Monday, as in SQL)."""
    if unit == "week":
        return day - dt.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "year":
        return day.replace(month=1, day=1)
    return day


def next_bucket(day: dt.date, unit: str) -> dt.date:
    """The first day of the bar after the one that starts on this day."""
    if unit == "week":
        return day + dt.timedelta(days=7)
    if unit == "month":
        return (day + dt.timedelta(days=31)).replace(day=1)
    if unit == "year":
        return day.replace(year=day.year + 1)
    return day + dt.timedelta(days=1)


def buckets(start: dt.date, end: dt.date, unit: str) -> list[dt.date]:
    """The first day of each bar, from the one holding start to the one holding end."""
    days = [bucket_start(start, unit)]
    while (day := next_bucket(days[-1], unit)) <= end:
        days.append(day)
    return days


def life_unit(start: dt.date, end: dt.date) -> str:
    """The shortest bar that charts start to end in at most MAX_BARS bars."""
    return next((u for u in UNITS if len(buckets(start, end, u)) <= MAX_BARS), UNITS[-1])


def confirmations(petition: Petition, start: dt.date, end: dt.date, unit: str) -> list[tuple]:
    """(first day of the bar, confirmations) for each bar from start to end, zeros
    included: one GROUP BY, the bars cut in the site's time zone."""
    days = buckets(start, end, unit)
    rows = (
        petition.signatures.confirmed()
        .filter(
            confirmed_at__gte=day_start(days[0]),
            confirmed_at__lt=day_start(end + dt.timedelta(days=1)),
        )
        .annotate(
            bar=Trunc(
                "confirmed_at",
                unit,
                output_field=DateField(),
                tzinfo=timezone.get_current_timezone(),
            )
        )
        .order_by()
        .values_list("bar")
        .annotate(n=Count("pk"))
    )
    found = dict(rows)
    return [(day, found.get(day, 0)) for day in days]


def confirmations_per_day(petition: Petition, *, days: int = DAYS_CHARTED) -> list[tuple]:
    """(day, confirmations) for each of the last `days` days, zeros included."""
    end = chart_end(petition)
    return confirmations(petition, end - dt.timedelta(days=days - 1), end, "day")


def confirmations_over_life(
    petition: Petition, first_confirmed: dt.datetime | None
) -> tuple[list[tuple], str]:
    """Confirmations from the first one (or the petition's creation) to its closing day or
    today, per day, week, month or year as life_unit chooses; and that unit."""
    end = chart_end(petition)
    start = timezone.localdate(first_confirmed or petition.created_at)
    start = min(start, end)
    unit = life_unit(start, end)
    return confirmations(petition, start, end, unit), unit


def bar_label(day: dt.date, unit: str) -> str:
    text = dateformat.format(day, BAR_LABELS[unit])
    return f"week of {text}" if unit == "week" else text


def chart(points: list[tuple], unit: str = "day") -> dict:
    """Bar geometry for the server-rendered SVG chart, each bar `unit` long."""
    peak = max((n for _, n in points), default=0)
    step = CHART_WIDTH / max(len(points), 1)
    bars = []
    for i, (day, n) in enumerate(points):
        height = round(n / peak * CHART_HEIGHT, 1) if peak else 0
        bars.append(
            {
                "day": day,
                "label": bar_label(day, unit),
                "n": n,
                "x": round(i * step + 1, 1),
                "y": round(CHART_HEIGHT - height, 1),
                "width": round(max(step - 2, 1), 1),
                "height": height,
            }
        )
    first = points[0][0] if points else None
    last = points[-1][0] if points else None
    return {
        "bars": bars,
        "unit": unit,
        "peak": peak,
        "total": sum(n for _, n in points),
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "first": first,
        "last": last,
        "first_label": dateformat.format(first, AXIS_LABELS[unit]) if first else "",
        "last_label": dateformat.format(last, AXIS_LABELS[unit]) if last else "",
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
    counts, first_confirmed = status_summary(petition)
    countries_ = top_countries(petition)
    for country in countries_:
        country["percent"] = round(country["n"] * 100 / counts["confirmed"], 1)
        country["bar"] = round(country["n"] * 100 / countries_[0]["n"])  # the first is 100
    return {
        "counts": counts,
        "total": sum(counts.values()),
        "drift": petition.supporters - counts["confirmed"],
        "chart": chart(*confirmations_over_life(petition, first_confirmed)),
        "countries": countries_,
        "latest": latest_signatures(petition) if show_signatures else None,
    }
