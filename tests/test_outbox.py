"""Email is stored with its signature and sent by the worker, retrying a failing provider."""

import datetime as dt

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from petitions import outbox
from petitions.models import OutgoingEmail, Signature
from tests.conftest import make_signature


class FlakyBackend(EmailBackend):
    """A provider that is down for its first `failures` sends, then delivers to locmem."""

    failures = 0

    def send_messages(self, messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise ConnectionError("provider unavailable")
        return super().send_messages(messages)


def test_a_new_signature_queues_its_email_in_the_same_transaction(petition, mailoutbox):
    signature = make_signature(petition)
    (queued,) = OutgoingEmail.objects.all()
    assert (queued.kind, queued.signature, queued.sent_at) == ("confirm", signature, None)
    assert mailoutbox == []  # nothing leaves until the worker sends it


def test_a_signature_that_fails_to_store_queues_nothing(petition):
    make_signature(petition, email="ada@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_signature(petition, email="ADA@example.org")
    assert OutgoingEmail.objects.count() == 1


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
