"""A petition's closing time: signing and confirming stop at it, whatever the worker does, and
the worker closes the petition as of that time."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from petitions.models import OutgoingEmail, Petition, Signature
from petitions.signing import PetitionNotOpen, sign_petition
from tests.conftest import make_petition, make_signature, reload


def a_moment_ago() -> dt.datetime:
    return timezone.now() - dt.timedelta(milliseconds=10)


def test_a_sign_post_a_moment_after_the_closing_time_is_refused(client, petition, sign_data):
    Petition.objects.filter(pk=petition.pk).update(closes_at=a_moment_ago())
    response = client.post(reverse("petitions:sign", args=[petition.slug]), sign_data)
    assert response.status_code == 403
    html = response.content.decode()
    assert "This petition is closed" in html and "It no longer accepts signatures." in html
    assert not Signature.objects.exists()


def test_a_sign_post_after_a_close_the_pages_copy_missed_shows_it_closed(
    client, petition, sign_data, settings
):
    settings.APPEAL_STATE_MAX_AGE = 60  # the view's copy of the petition stays as read
    client.get(reverse("petitions:appeal", args=[petition.slug]))
    Petition.objects.filter(pk=petition.pk).update(closes_at=a_moment_ago())
    response = client.post(reverse("petitions:sign", args=[petition.slug]), sign_data)
    assert response.status_code == 403
    assert "It no longer accepts signatures." in response.content.decode()
    assert not Signature.objects.exists()


@pytest.mark.both_databases  # PostgreSQL's one statement, and the ORM's path on SQLite
def test_the_database_refuses_a_signature_for_a_stale_copy(petition):
    # The page's copy of the petition is up to a second old: it still has no closing time.
    Petition.objects.filter(pk=petition.pk).update(closes_at=a_moment_ago())
    with pytest.raises(PetitionNotOpen):
        sign_petition(petition=petition, name="Ada", email="ada@example.org", country="GB")
    assert not Signature.objects.exists()
    assert not OutgoingEmail.objects.exists()


@pytest.mark.both_databases
def test_the_database_refuses_a_signature_for_a_petition_closed_since_it_was_read(petition):
    Petition.objects.filter(pk=petition.pk).update(
        state=Petition.State.CLOSED, closed_at=timezone.now()
    )
    with pytest.raises(PetitionNotOpen):
        sign_petition(petition=petition, name="Ada", email="ada@example.org", country="GB")
    assert not Signature.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_a_petition_before_its_closing_time_is_signed(petition):
    Petition.objects.filter(pk=petition.pk).update(closes_at=timezone.now() + dt.timedelta(hours=1))
    sign_petition(petition=reload(petition), name="Ada", email="ada@example.org", country="GB")
    assert Signature.objects.count() == 1


def test_a_confirmation_after_the_closing_time_is_refused(client, petition):
    signature = make_signature(petition)
    Petition.objects.filter(pk=petition.pk).update(closes_at=a_moment_ago())
    url = reverse("petitions:confirm", args=[petition.slug, signature.confirmation_token()])
    response = client.post(url)
    assert response.status_code == 410
    assert "This petition has closed" in response.content.decode()
    assert reload(signature).status == Signature.Status.PENDING


def test_the_database_refuses_a_confirmation_for_a_stale_copy(petition):
    signature = make_signature(petition)
    Petition.objects.filter(pk=petition.pk).update(closes_at=a_moment_ago())
    assert signature.confirm() is False  # its copy of the petition has no closing time
    assert reload(signature).status == Signature.Status.PENDING
    assert reload(petition).supporter_count == 0


def test_close_due_closes_exactly_the_due_ones_at_their_closing_time(db):
    now = timezone.now()
    due = make_petition(slug="due", closes_at=now - dt.timedelta(minutes=1))
    on_the_dot = make_petition(slug="on-the-dot", closes_at=now)
    later = make_petition(slug="later", closes_at=now + dt.timedelta(seconds=1))
    endless = make_petition(slug="endless")
    draft = make_petition(slug="draft", state="draft", closes_at=now - dt.timedelta(days=1))
    assert Petition.objects.close_due(now) == 2
    for petition in (due, on_the_dot):
        petition = reload(petition)
        assert petition.is_closed and petition.closed_at == petition.closes_at
    assert reload(later).is_open and reload(endless).is_open
    assert reload(draft).state == Petition.State.DRAFT
    assert Petition.objects.close_due(now) == 0


def test_the_worker_closes_due_petitions(db):
    petition = make_petition(closes_at=a_moment_ago())
    call_command("send_queued_emails", "--once")
    assert reload(petition).is_closed
