"""The appeal page is the same for every visitor of a language, cached in each process with
the parts that change with every signature filled in per request, and by caches in front."""

import re

from django.core import signing
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from petitions.forms import FORM_SALT
from petitions.models import Recipient
from tests.conftest import make_signature


def url(petition):
    return reverse("petitions:appeal", args=[petition.slug])


def test_a_warm_page_costs_three_queries_at_most(client, petition, django_assert_num_queries):
    # Read per request here (APPEAL_STATE_MAX_AGE = 0): the petition with its counter, its
    # recent supporters and where supporters are.
    client.get(url(petition))
    with django_assert_num_queries(3):
        response = client.get(url(petition))
    assert "Free the river" in response.content.decode()


def test_under_load_a_warm_page_costs_no_query_and_its_counter_lags_a_little(
    client, petition, settings, django_assert_num_queries
):
    settings.APPEAL_STATE_MAX_AGE = 1
    client.get(url(petition))
    make_signature(petition, confirmed=True)
    with django_assert_num_queries(0):
        html = client.get(url(petition)).content.decode()
    assert '<strong class="count">0</strong> supporters.' in html
    caches["pages"].delete(f"petition:{petition.slug}")  # what a second's expiry does
    assert (
        '<strong class="count">1</strong> supporter.' in client.get(url(petition)).content.decode()
    )


def test_an_edit_shows_at_once_in_this_process_even_under_load(
    client, petition, settings, django_capture_on_commit_callbacks
):
    settings.APPEAL_STATE_MAX_AGE = 60
    client.get(url(petition))
    petition.title = "Free the river today"
    with django_capture_on_commit_callbacks(execute=True):
        petition.save()
    assert "<h1>Free the river today</h1>" in client.get(url(petition)).content.decode()


def test_the_page_counts_signatures_only_where_supporters_are(client, petition):
    # One GROUP BY on signature_country_idx, read at most
    # once per APPEAL_STATE_MAX_AGE (0 here).
    with CaptureQueriesContext(connection) as queries:
        client.get(url(petition))
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1
    assert "GROUP BY 1" in counts[0] and "\"status\" = 'confirmed'" in counts[0]


def test_every_visitor_of_a_language_gets_the_same_bytes_for_shared_caches(petition, monkeypatch):
    monkeypatch.setattr("petitions.forms.time.time", lambda: 1_800_000_001.0)
    alice, bob, claire = Client(), Client(), Client(headers={"accept-language": "fr"})
    first, second = alice.get(url(petition)), bob.get(url(petition))
    french = claire.get(url(petition))
    assert first.content == second.content
    assert french.content != first.content and '<html lang="fr">' in french.content.decode()
    for response in (first, french):
        assert response["Cache-Control"] == "public, max-age=5"
        assert not response.cookies  # no CSRF cookie, no session
        assert "Cookie" not in response.get("Vary", "")
        assert "csrfmiddlewaretoken" not in response.content.decode()


def test_its_form_timestamp_is_shared_by_an_interval_and_dated_after_it(petition, monkeypatch):
    # Served in [1_800_000_000, 1_800_000_005), a copy may reach a visitor until 5 s later.
    started = re.compile(r'name="started" value="([^"]+)"')
    stamps = set()
    for now in (1_800_000_000.0, 1_800_000_004.9):
        monkeypatch.setattr("petitions.forms.time.time", lambda now=now: now)
        stamps.add(started.search(Client().get(url(petition)).content.decode()).group(1))
    (stamp,) = stamps
    assert signing.loads(stamp, salt=FORM_SALT) == 1_800_000_010


def test_the_counter_is_live_on_a_cached_page(client, petition):
    client.get(url(petition))
    make_signature(petition, confirmed=True)
    assert (
        '<strong class="count">1</strong> supporter.' in client.get(url(petition)).content.decode()
    )


def test_an_edit_shows_at_once(client, petition):
    client.get(url(petition))
    petition.title = "Free the river today"
    petition.save()
    assert "<h1>Free the river today</h1>" in client.get(url(petition)).content.decode()


def test_a_new_recipient_shows_at_once(client, petition):
    client.get(url(petition))
    Recipient.objects.create(petition=petition, role="Governor", name="Lee Delta", position=5)
    assert "Lee Delta" in client.get(url(petition)).content.decode()


def test_closing_shows_at_once(client, petition):
    client.get(url(petition))
    petition.close()
    html = client.get(url(petition)).content.decode()
    assert "Petition Closed" in html
    assert 'name="email"' not in html
