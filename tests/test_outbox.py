"""Email is stored with its signature and sent by the worker, retrying a failing provider."""

import datetime as dt

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.utils import timezone

from petitions import outbox
from petitions.models import OutgoingEmail, Signature
from petitions.signing import store_new_signature
from tests.conftest import make_signature


class FlakyBackend(EmailBackend):
    """A provider that is down for its first `failures` sends, then delivers to locmem."""

    failures = 0

    def send_messages(self, messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise ConnectionError("provider unavailable")
        return super().send_messages(messages)


# store_new_signature() takes PostgreSQL's one statement there, and the ORM's path on SQLite
# (make run's database): the tests marked both_databases run both (scripts/run_tests.py).


@pytest.mark.both_databases
def test_a_new_signature_is_stored_with_its_email_in_one_go(petition, mailoutbox):
    signature = Signature(petition=petition, name="Ada", email="ada@example.org", country="GB")
    assert store_new_signature(signature) is True
    (queued,) = OutgoingEmail.objects.all()
    assert (queued.kind, queued.signature, queued.sent_at) == ("confirm", signature, None)
    stored = Signature.objects.get()
    assert (stored.pk, stored.status, stored.review_reason) == (signature.pk, "pending", "")
    assert signature.review_reason == "" and not signature._state.adding
    assert mailoutbox == []  # nothing leaves until the worker sends it


@pytest.mark.both_databases
def test_a_signature_that_is_not_stored_queues_nothing(petition):
    ada = Signature(petition=petition, name="Ada", email="ada@example.org", country="GB")
    assert store_new_signature(ada)
    again = Signature(petition=petition, name="Ada", email="ADA@example.org", country="GB")
    assert store_new_signature(again) is False  # the same email, whatever its case
    assert again._state.adding
    assert (Signature.objects.count(), OutgoingEmail.objects.count()) == (1, 1)


@pytest.mark.both_databases
def test_both_ways_store_the_same_row(petition):
    # The same values on either database: the ones given, and the fields' defaults.
    fields = {"name": "Zoë", "country": "NZ", "comment": "Why", "is_public": True, "ip_hash": "h"}
    before = timezone.now()
    signature = Signature(petition=petition, email="zoe@example.org", **fields)
    store_new_signature(signature)
    stored = Signature.objects.values().get()
    assert stored.pop("id") == signature.pk
    assert before <= stored.pop("created_at") <= timezone.now()
    assert stored == {
        "petition_id": petition.pk,
        "email": "zoe@example.org",
        **fields,
        "may_contact": False,
        "postcode": "",
        "organisation": "",
        "job_title": "",
        "phone": "",
        "status": "pending",
        "confirmed_at": None,
        "review_reason": "",
        "network_hash": "",
    }


def test_the_worker_sends_each_email_once(petition, sent_emails):
    make_signature(petition)
    make_signature(petition)
    assert len(sent_emails()) == 2
    assert len(sent_emails()) == 2  # a second pass sends nothing again
    assert not OutgoingEmail.objects.due().exists()


def test_a_failing_provider_is_retried_with_backoff_until_each_email_is_sent_once(
    petition, settings
):
    settings.EMAIL_BACKEND = "tests.test_outbox.FlakyBackend"
    FlakyBackend.failures = 3
    for _ in range(2):
        make_signature(petition)
    now = timezone.now()
    assert outbox.send_due(now=now) == (0, 2)
    assert outbox.send_due(now=now) == (0, 0)  # not due again yet
    queued = OutgoingEmail.objects.order_by("pk")
    assert [e.attempts for e in queued] == [1, 1]
    assert "provider unavailable" in queued[0].last_error
    assert outbox.send_due(now=now + dt.timedelta(seconds=31)) == (1, 1)
    assert outbox.send_due(now=now + dt.timedelta(minutes=2)) == (1, 0)
    assert len(mail.outbox) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        Signature.objects.values_list("email", flat=True)
    )


def test_an_email_claimed_by_a_worker_that_died_is_sent_after_the_lease(petition, mailoutbox):
    make_signature(petition)
    now = timezone.now()
    outbox.claim_due(10, now)  # a worker took it, then died
    assert outbox.send_due(now=now) == (0, 0)
    assert outbox.send_due(now=now + outbox.LEASE + dt.timedelta(seconds=1)) == (1, 0)
    assert len(mailoutbox) == 1


def test_a_confirmation_request_is_not_sent_once_confirmed(petition, sent_emails):
    make_signature(petition, confirmed=True)
    assert sent_emails() == []
    assert not OutgoingEmail.objects.due().exists()


def test_backoff_doubles_up_to_an_hour():
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 8, 20)] == [
        30,
        60,
        120,
        3600,
        3600,
    ]


def test_the_worker_command_sends_what_is_due(petition, mailoutbox):
    make_signature(petition)
    call_command("send_queued_emails", "--once")
    assert len(mailoutbox) == 1
