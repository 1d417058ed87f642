"""Milestone emails reach the organizer once each: 100, 1,000, ... supporters and the goal."""

import threading

import pytest
from django.db import connection

from petitions import milestones
from petitions.models import OutgoingEmail, Petition, Signature
from tests.conftest import make_petition, make_signature, reload


def set_counter(petition: Petition, n: int) -> None:
    """Pretend n supporters have confirmed (the rows do not matter to milestones)."""
    Petition.objects.filter(pk=petition.pk).update(supporter_count=n)


@pytest.fixture
def campaign(db) -> Petition:
    return make_petition(organizer_email="ada@example.org", goal=250)


def test_the_milestones_include_the_goal():
    assert milestones.milestones(250) == [100, 250, 1_000, 10_000, 100_000]
    assert milestones.milestones(1_000) == [100, 1_000, 10_000, 100_000]
    assert milestones.milestones(None) == [100, 1_000, 10_000, 100_000]


def test_the_hundredth_supporter_sends_one_email(
    campaign, sent_emails, django_capture_on_commit_callbacks
):
    set_counter(campaign, 99)
    with django_capture_on_commit_callbacks(execute=True):
        make_signature(campaign, confirmed=True)
    mail = [m for m in sent_emails() if m.to == ["ada@example.org"]]
    assert [m.subject for m in mail] == ["100 supporters for Free the river"]
    assert "now has 100 supporters" in mail[0].body
    assert "http://127.0.0.1:8000/free-the-river/" in mail[0].body
    assert reload(campaign).last_milestone == 100


def test_reaching_the_goal_says_so(campaign, sent_emails, django_capture_on_commit_callbacks):
    set_counter(campaign, 249)
    with django_capture_on_commit_callbacks(execute=True):
        make_signature(campaign, confirmed=True)
    (mail,) = [m for m in sent_emails() if m.to == ["ada@example.org"]]
    assert mail.subject == "Goal reached: 250 supporters for Free the river"
    assert "has reached its goal" in mail.alternatives[0][0]


def test_a_counter_that_falls_and_rises_again_does_not_resend(
    campaign, sent_emails, django_capture_on_commit_callbacks
):
    set_counter(campaign, 99)
    with django_capture_on_commit_callbacks(execute=True):
        signature = make_signature(campaign, confirmed=True)
        signature.moderate(Signature.Status.REMOVED)
        signature.moderate(Signature.Status.CONFIRMED)
        make_signature(campaign, confirmed=True)
    assert len([m for m in sent_emails() if m.to == ["ada@example.org"]]) == 1


def test_nothing_is_sent_between_milestones(
    campaign, sent_emails, django_capture_on_commit_callbacks
):
    set_counter(campaign, 100)
    Petition.objects.filter(pk=campaign.pk).update(last_milestone=100)
    with django_capture_on_commit_callbacks(execute=True):
        make_signature(campaign, confirmed=True)
    assert [m for m in sent_emails() if m.to == ["ada@example.org"]] == []


def test_without_an_organizer_email_the_milestone_is_claimed_silently(
    petition, sent_emails, django_capture_on_commit_callbacks
):
    set_counter(petition, 99)
    with django_capture_on_commit_callbacks(execute=True):
        make_signature(petition, confirmed=True)
    assert reload(petition).last_milestone == 100
    assert all(m.subject.startswith("Please confirm") for m in sent_emails())
    assert not OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.MILESTONE).exists()


def test_the_email_is_queued_with_the_confirmation_and_sent_by_the_worker(campaign, mailoutbox):
    set_counter(campaign, 99)
    make_signature(campaign, confirmed=True)
    (queued,) = OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.MILESTONE)
    assert (queued.petition_id, queued.milestone, queued.language) == (campaign.pk, 100, "en")
    assert mailoutbox == []  # nothing leaves before the worker runs


@pytest.mark.django_db(transaction=True)
def test_concurrent_confirmations_send_the_milestone_once(sent_emails):
    # Real threads, each on its own connection, confirm at the same moment across 100.
    petition = make_petition(organizer_email="ada@example.org")
    signatures = [make_signature(petition) for _ in range(4)]
    set_counter(petition, 98)
    start = threading.Barrier(len(signatures))
    errors = []

    def confirm(signature: Signature) -> None:
        try:
            start.wait(timeout=10)
            signature.confirm()
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=[s]) for s in signatures]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert reload(petition).supporter_count == 102
    sent = [m for m in sent_emails() if m.to == ["ada@example.org"]]
    assert [m.subject for m in sent] == ["100 supporters for Free the river"]
    assert reload(petition).last_milestone == 100
