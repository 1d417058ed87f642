"""The campaign panel's chart covers the petition's whole life, in bars of a day, a week, a
month or a year: as few as keep it readable."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from petitions import campaign
from petitions.models import Petition, Signature
from tests.conftest import make_petition, make_signature


def confirmed_on(petition: Petition, *days: dt.date) -> None:
    """Confirmed signatures, one per day given (at noon in the site's time zone)."""
    for day in days:
        signature = make_signature(petition, confirmed=True)
        noon = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
        Signature.objects.filter(pk=signature.pk).update(confirmed_at=noon)


def closed_on(petition: Petition, day: dt.date) -> Petition:
    closed_at = timezone.make_aware(dt.datetime.combine(day, dt.time(18)))
    Petition.objects.filter(pk=petition.pk).update(state="closed", closed_at=closed_at)
    return Petition.objects.get(pk=petition.pk)


def panel_chart(petition: Petition) -> dict:
    return campaign.campaign_panel(petition, show_signatures=False)["chart"]


def test_a_petition_years_old_is_charted_per_month_over_its_life(db):
    petition = make_petition()
    confirmed_on(petition, dt.date(2011, 3, 5), dt.date(2011, 3, 20), dt.date(2012, 7, 1))
    petition = closed_on(petition, dt.date(2013, 4, 8))
    chart = panel_chart(petition)
    assert chart["unit"] == "month"
    assert chart["first"] == dt.date(2011, 3, 1) and chart["last"] == dt.date(2013, 4, 1)
    assert len(chart["bars"]) == 26 <= campaign.MAX_BARS
    counted = {bar["label"]: bar["n"] for bar in chart["bars"] if bar["n"]}
    assert counted == {"March 2011": 2, "July 2012": 1}
    assert chart["total"] == 3


def test_a_petition_of_some_months_is_charted_per_week_from_monday(db):
    petition = make_petition()
    start = dt.date(2013, 1, 2)  # a Wednesday
    confirmed_on(petition, start, start + dt.timedelta(days=1), start + dt.timedelta(days=150))
    petition = closed_on(petition, start + dt.timedelta(days=200))
    chart = panel_chart(petition)
    assert chart["unit"] == "week"
    assert chart["first"] == dt.date(2012, 12, 31)
    assert all(bar["day"].weekday() == 0 for bar in chart["bars"])
    assert chart["bars"][0]["n"] == 2 and chart["total"] == 3
    assert chart["bars"][0]["label"] == "week of 31 Dec 2012"


def test_a_short_life_is_charted_per_day(db, frozen_now):
    petition = make_petition()
    today = frozen_now.date()
    confirmed_on(petition, today - dt.timedelta(days=4), today)
    chart = panel_chart(petition)
    assert chart["unit"] == "day"
    assert [bar["n"] for bar in chart["bars"]] == [1, 0, 0, 0, 1]


def test_the_bar_is_the_shortest_that_keeps_ninety_bars_or_fewer():
    start = dt.date(2020, 1, 1)
    assert campaign.life_unit(start, start + dt.timedelta(days=89)) == "day"
    assert campaign.life_unit(start, start + dt.timedelta(days=90)) == "week"
    assert campaign.life_unit(start, dt.date(2027, 6, 1)) == "month"
    assert campaign.life_unit(start, dt.date(2030, 1, 1)) == "year"


def test_a_petition_without_confirmations_is_charted_from_its_creation(db, frozen_now):
    chart = panel_chart(make_petition())
    assert chart["unit"] == "day" and chart["total"] == 0
    assert chart["first"] == frozen_now.date()


def test_the_panel_says_which_bars_it_draws(admin_client, db):
    petition = make_petition()
    confirmed_on(petition, dt.date(2011, 3, 5))
    closed_on(petition, dt.date(2013, 4, 8))
    page = admin_client.get(
        reverse("admin:petitions_petition_change", args=[petition.pk])
    ).content.decode()
    assert "Confirmations per month over the petition's life" in page
    assert "<title>March 2011: 1</title>" in page
    assert ">Mar 2011</text>" in page
