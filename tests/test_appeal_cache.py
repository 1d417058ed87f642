"""The appeal page is cached for everyone, with the per-visitor parts filled in per request."""

import re

from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from petitions.models import Recipient, Signature
from tests.conftest import make_signature

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


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


def test_each_visitor_gets_a_working_csrf_token_of_their_own(petition, sign_data):
    alice, bob = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    alice_token = TOKEN.search(alice.get(url(petition)).content.decode()).group(1)
    bob_token = TOKEN.search(bob.get(url(petition)).content.decode()).group(1)
    assert "csrf-slot" not in alice_token
    assert alice.cookies["csrftoken"].value != bob.cookies["csrftoken"].value
    sign = reverse("petitions:sign", args=[petition.slug])
    response = bob.post(sign, {**sign_data, "csrfmiddlewaretoken": bob_token})
    assert response.status_code == 302
    assert Signature.objects.count() == 1


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
