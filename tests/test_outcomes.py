"""What came of a closed petition: its outcome, the organizer's statement and its date, on the
appeal page and the home page; the database allows an outcome only on a closed petition."""

import datetime as dt

import pytest
from django.db import IntegrityError
from django.urls import reverse

from petitions.models import Petition
from tests.conftest import make_closed_petition

STATEMENT = "The council **agreed**.<script>alert(1)</script>"


@pytest.fixture
def victory(db) -> Petition:
    petition = make_closed_petition()
    Petition.objects.filter(pk=petition.pk).update(
        outcome=Petition.Outcome.VICTORY,
        outcome_statement=STATEMENT,
        outcome_on=dt.date(2013, 5, 3),
    )
    return petition


def test_the_appeal_page_shows_the_outcome_next_to_petition_closed(client, victory):
    html = client.get(reverse("petitions:appeal", args=[victory.slug])).content.decode()
    assert "<strong>Petition Closed</strong><br>April 8th, 2013</p>" in html
    assert '<strong>Victory</strong><br><time datetime="2013-05-03">May 3rd, 2013</time>' in html
    assert "What Ada Organizer says" in html


def test_the_statement_is_sanitised_markdown(client, victory):
    html = client.get(reverse("petitions:appeal", args=[victory.slug])).content.decode()
    assert "<p>The council <strong>agreed</strong>.</p>" in html
    assert "alert(1)" not in html


def test_the_home_page_lists_the_outcome(client, victory):
    html = client.get(reverse("petitions:home")).content.decode()
    assert '<strong>Victory</strong> · <time datetime="2013-05-03">May 3rd, 2013</time>' in html


def test_no_outcome_yet_shows_nothing_more(client, closed_petition):
    html = client.get(reverse("petitions:appeal", args=[closed_petition.slug])).content.decode()
    assert "outcome-banner" not in html and "outcome-heading" not in html


def test_the_outcome_is_translated(client, victory):
    url = reverse("petitions:appeal", args=[victory.slug])
    html = client.get(url, headers={"accept-language": "fr"}).content.decode()
    assert "<strong>Victoire</strong>" in html


def test_the_database_rejects_an_outcome_on_an_open_petition(petition):
    with pytest.raises(IntegrityError, match="outcome_only_when_closed"):
        Petition.objects.filter(pk=petition.pk).update(outcome=Petition.Outcome.DECLINED)


def test_the_database_rejects_a_statement_without_an_outcome(closed_petition):
    with pytest.raises(IntegrityError, match="outcome_statement_needs_outcome"):
        Petition.objects.filter(pk=closed_petition.pk).update(outcome_statement="We lost.")
