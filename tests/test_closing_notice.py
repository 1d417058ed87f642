"""How long is left: "Closes in 12 days", "Closes tomorrow", "Closes today at 18:00", with the
time in full in the site's time zone."""

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from petitions.templatetags.petitions_tags import closing_notice
from tests.conftest import make_petition

# A fixed 'now': nine in the morning, in the site's time zone (UTC in the tests).
NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def notice(closes_at: dt.datetime, now=NOW, **fields) -> str:
    petition = make_petition(closes_at=closes_at, **fields)
    html = render_to_string("petitions/_closes.html", closing_notice(petition, now))
    return " ".join(html.split())


def test_it_counts_the_days_left(db):
    html = notice(dt.datetime(2026, 6, 13, 18, 0, tzinfo=dt.UTC))
    assert "<strong>Closes in 12 days</strong>" in html
    assert '<time datetime="2026-06-13T18:00:00+0000">June 13th, 2026, 18:00</time>' in html
    assert "Times are in the UTC time zone." in html


def test_it_says_tomorrow_for_the_next_calendar_day(db):
    html = notice(dt.datetime(2026, 6, 2, 0, 30, tzinfo=dt.UTC))
    assert "<strong>Closes tomorrow</strong>" in html
    assert '<time datetime="2026-06-02T00:30:00+0000">' in html


def test_it_says_the_time_today(db):
    html = notice(dt.datetime(2026, 6, 1, 18, 0, tzinfo=dt.UTC))
    assert (
        '<strong>Closes today at <time datetime="2026-06-01T18:00:00+0000">18:00</time></strong>'
        in html
    )


def test_the_days_are_calendar_days_in_the_sites_time_zone(db, settings):
    settings.TIME_ZONE = "Asia/Shanghai"  # eight hours ahead: it is five in the afternoon
    with timezone.override("Asia/Shanghai"):
        html = notice(dt.datetime(2026, 6, 1, 17, 0, tzinfo=dt.UTC))  # one in the morning
    assert "<strong>Closes tomorrow</strong>" in html
    assert "2026-06-02T01:00:00+0800" in html
    assert "Times are in the Asia/Shanghai time zone." in html


def test_it_says_nothing_once_the_time_has_passed_or_without_one(db):
    assert notice(NOW - dt.timedelta(minutes=1), slug="passed") == ""
    assert notice(None, slug="endless") == ""
    assert notice(NOW + dt.timedelta(days=3), state="closed", closed_at=NOW, slug="shut") == ""


@pytest.mark.parametrize(
    ("language", "text"),
    [("fr", "Ferme dans 12 jours"), ("zh-hans", "还有 12 天截止")],
)
def test_it_is_in_the_readers_language(db, language, text):
    with translation.override(language):
        assert text in notice(dt.datetime(2026, 6, 13, 18, 0, tzinfo=dt.UTC))


def test_the_appeal_and_home_pages_say_how_long_is_left(client, petition, frozen_now):
    # Noon, 12 calendar days from today in the site's time zone (the pages' today too).
    closes_at = frozen_now + dt.timedelta(days=12)
    type(petition).objects.filter(pk=petition.pk).update(closes_at=closes_at)
    for url in (reverse("petitions:appeal", args=[petition.slug]), reverse("petitions:home")):
        assert "<strong>Closes in 12 days</strong>" in client.get(url).content.decode()
