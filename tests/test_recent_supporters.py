import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from petitions.models import Signature
from tests.conftest import make_signature


def appeal(client, petition) -> str:
    return client.get(reverse("petitions:appeal", args=[petition.slug])).content.decode()


def test_it_shows_public_supporters_as_first_name_and_initial(client, petition):
    make_signature(
        petition,
        confirmed=True,
        is_public=True,
        name="Marie Salomea Curie",
        country="PL",
        comment="Rivers should run free.",
    )
    html = appeal(client, petition)
    assert "<strong>Marie C.</strong>, Poland" in html
    assert "Rivers should run free." in html
    assert "Curie" not in html
    assert "Recent supporters" in html


def test_it_shows_nothing_of_supporters_who_chose_not_to_be_public(client, petition):
    make_signature(petition, confirmed=True, name="Hidden Person", comment="A private reason")
    html = appeal(client, petition)
    assert "Hidden" not in html and "A private reason" not in html
    assert "Recent supporters" not in html


def test_it_shows_only_confirmed_supporters(client, petition):
    make_signature(petition, is_public=True, name="Pending Person")
    held = make_signature(petition, confirmed=True, is_public=True, name="Held Person")
    held.moderate(Signature.Status.HELD)
    html = appeal(client, petition)
    assert "Pending" not in html and "Held" not in html


def test_the_newest_come_first_and_at_most_ten(client, petition):
    now = timezone.now()
    for i in range(12):
        signature = make_signature(petition, confirmed=True, is_public=True, name=f"Person{i} X")
        Signature.objects.filter(pk=signature.pk).update(
            confirmed_at=now - dt.timedelta(minutes=60 - i)
        )
    html = appeal(client, petition)
    assert html.index("Person11 X.") < html.index("Person10 X.")
    assert "Person2 X." in html and "Person1 X." not in html


def test_a_one_word_name_shows_as_it_is():
    assert Signature(name="Cher").public_name == "Cher"
    assert Signature(name="Jean de la Fontaine").public_name == "Jean F."


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's query plan")
def test_they_come_from_one_query_on_the_recent_signers_index(petition):
    make_signature(petition, confirmed=True, is_public=True)
    with connection.cursor() as cursor:
        # On a table this small the planner would rather scan it, or sort what another index
        # gives, depending on statistics left by earlier tests: ask what it can use without.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    plan = petition.recent_supporters().explain()
    assert "signature_recent_idx" in plan, plan
