"""The organizer's emails around closing: a reminder CLOSING_REMINDER_DAYS before the closing
time, once per closing time, and a summary when the petition closes, queued as it closes."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from petitions.models import OutgoingEmail, PaperSignatures, Petition
from tests.conftest import make_petition, make_signature, reload
from tests.test_admin_petition_actions import act

REMINDER, SUMMARY = OutgoingEmail.Kind.CLOSING_REMINDER, OutgoingEmail.Kind.CLOSED_SUMMARY


def queued(kind: str) -> list[int]:
    return list(OutgoingEmail.objects.filter(kind=kind).values_list("petition", flat=True))


@pytest.fixture
def campaign(db, settings) -> Petition:
    settings.CLOSING_REMINDER_DAYS = 3
    return make_petition(
        organizer_email="ada@example.org", closes_at=timezone.now() + dt.timedelta(days=2)
    )


def test_the_reminder_goes_once_per_closing_time(campaign, sent_emails):
    assert Petition.objects.remind_closing() == 1
    assert Petition.objects.remind_closing() == 0
    assert queued(REMINDER) == [campaign.pk]
    assert reload(campaign).reminded_for == campaign.closes_at
    (mail,) = sent_emails()
    assert mail.to == ["ada@example.org"]
    assert mail.subject == "2 days left to sign Free the river"
    assert "http://127.0.0.1:8000/free-the-river/" in mail.body


def test_a_new_closing_time_re_arms_it(campaign):
    Petition.objects.remind_closing()
    campaign.closes_at += dt.timedelta(hours=12)
    campaign.save()
    assert Petition.objects.remind_closing() == 1
    assert queued(REMINDER) == [campaign.pk, campaign.pk]


def test_it_waits_until_the_closing_time_is_near(campaign):
    Petition.objects.filter(pk=campaign.pk).update(closes_at=timezone.now() + dt.timedelta(days=4))
    assert Petition.objects.remind_closing() == 0
    assert reload(campaign).reminded_for is None


def test_there_is_no_reminder_without_an_organizer_email_or_for_a_closed_petition(campaign):
    Petition.objects.filter(pk=campaign.pk).update(organizer_email="")
    make_petition(
        slug="closed",
        organizer_email="bo@example.org",
        state="closed",
        closed_at=timezone.now(),
        closes_at=timezone.now() + dt.timedelta(days=1),
    )
    assert Petition.objects.remind_closing() == 0
    assert not queued(REMINDER)


def test_a_reminder_is_not_sent_once_the_petition_has_closed(campaign, sent_emails):
    Petition.objects.remind_closing()
    reload(campaign).close()
    assert [m.subject for m in sent_emails()] == ["Free the river has closed with 0 signatures"]


def test_closing_in_the_admin_queues_the_summary_with_the_counts(
    admin_client, campaign, sent_emails
):
    make_signature(campaign, confirmed=True, country="FR")
    make_signature(campaign, confirmed=True, country="FR")
    make_signature(campaign, confirmed=True, country="DE")
    make_signature(campaign)  # unconfirmed: not counted
    PaperSignatures.objects.create(petition=campaign, received_on=dt.date.today(), count=100)
    act(admin_client, "close_petitions", campaign)
    assert queued(SUMMARY) == [campaign.pk]
    (mail,) = [m for m in sent_emails() if m.to == ["ada@example.org"]]
    assert mail.subject == "Free the river has closed with 103 signatures"
    assert "Signed online: 3\nOn paper: 100\nIn total: 103" in mail.body
    assert "- France: 2\n- Germany: 1" in mail.body
    assert f"/admin/petitions/petition/{campaign.pk}/delivery-pack/" in mail.body
    assert "<strong>103</strong>" in mail.alternatives[0][0]


def test_close_due_queues_each_summary_as_it_closes(campaign):
    Petition.objects.filter(pk=campaign.pk).update(closes_at=timezone.now())
    silent = make_petition(slug="silent", closes_at=timezone.now())  # no organizer email
    assert Petition.objects.close_due() == 2
    assert reload(silent).is_closed
    assert queued(SUMMARY) == [campaign.pk]
    assert Petition.objects.close_due() == 0
    assert queued(SUMMARY) == [campaign.pk]


def test_closing_twice_sends_one_summary(campaign, sent_emails):
    campaign.close()
    campaign.close()
    Petition.objects.close_due()
    assert queued(SUMMARY) == [campaign.pk]
    assert len(sent_emails()) == 1


def test_the_worker_reminds_closes_and_sends(campaign, mailoutbox):
    ending = make_petition(
        slug="ending", organizer_email="bo@example.org", closes_at=timezone.now()
    )
    call_command("send_queued_emails", "--once")
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == [
        ("ada@example.org", "2 days left to sign Free the river"),
        ("bo@example.org", "Free the river has closed with 0 signatures"),
    ]
    assert reload(ending).is_closed
