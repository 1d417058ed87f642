"""Closing times and outcomes in the admin: closing by hand sets the closing time to now, and
reopening clears an outcome only once the organizer confirms it."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from petitions.models import Petition
from tests.conftest import change_form_data, reload
from tests.test_admin_petition_actions import CHANGELIST, act


def with_outcome(petition: Petition, **fields) -> Petition:
    fields = {"outcome": Petition.Outcome.VICTORY, "outcome_statement": "We won.", **fields}
    Petition.objects.filter(pk=petition.pk).update(**fields)
    return reload(petition)


def test_closing_by_hand_sets_the_closing_time_to_now(admin_client, petition):
    later = timezone.now() + dt.timedelta(days=5)
    Petition.objects.filter(pk=petition.pk).update(closes_at=later)
    before = timezone.now()
    act(admin_client, "close_petitions", petition)
    petition = reload(petition)
    assert petition.is_closed
    assert before <= petition.closed_at == petition.closes_at < later


def test_closing_by_hand_after_a_missed_closing_time_keeps_that_time(admin_client, petition):
    passed = timezone.now() - dt.timedelta(minutes=3)
    Petition.objects.filter(pk=petition.pk).update(closes_at=passed)
    act(admin_client, "close_petitions", petition)
    assert reload(petition).closed_at == passed  # signing stopped then


def test_reopening_a_petition_with_an_outcome_asks_first(admin_client, closed_petition):
    closed_petition = with_outcome(closed_petition)
    page = act(admin_client, "reopen_petitions", closed_petition)
    assert "Reopen and clear the outcome?" in page
    assert "A closed petition: Victory" in page
    assert '<input type="hidden" name="post" value="yes">' in page
    assert reload(closed_petition).is_closed  # nothing changed yet


def test_reopening_once_confirmed_clears_the_outcome_and_a_passed_closing_time(
    admin_client, closed_petition
):
    closed_petition = with_outcome(closed_petition, closes_at=closed_petition.closed_at)
    response = admin_client.post(
        CHANGELIST,
        {"action": "reopen_petitions", "_selected_action": [closed_petition.pk], "post": "yes"},
        follow=True,
    )
    assert "1 petition(s) reopened." in response.content.decode()
    petition = reload(closed_petition)
    assert petition.is_open and petition.closed_at is None and petition.closes_at is None
    assert (petition.outcome, petition.outcome_statement, petition.outcome_on) == ("none", "", None)


def test_reopening_keeps_a_closing_time_still_to_come(admin_client, closed_petition):
    later = timezone.now() + dt.timedelta(days=2)
    Petition.objects.filter(pk=closed_petition.pk).update(closes_at=later)
    assert "1 petition(s) reopened." in act(admin_client, "reopen_petitions", closed_petition)
    assert reload(closed_petition).closes_at == later


def test_the_form_edits_the_closing_time_and_the_outcome(admin_client, closed_petition):
    url = reverse("admin:petitions_petition_change", args=[closed_petition.pk])
    page = admin_client.get(url).content.decode()
    for name in ("closes_at_0", "outcome", "outcome_statement", "outcome_on"):
        assert f'name="{name}"' in page


def test_the_form_refuses_an_outcome_on_an_open_petition(admin_client, petition):
    url = reverse("admin:petitions_petition_change", args=[petition.pk])
    response = admin_client.post(url, change_form_data(petition, state="open", outcome="declined"))
    assert response.status_code == 200
    assert "Only a closed petition can have an outcome." in response.content.decode()
    assert reload(petition).outcome == "none"
