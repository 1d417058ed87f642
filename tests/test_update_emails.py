"""An update published with email goes to every confirmed signer who agreed to hear from the
organizer: queued by the worker in batches, paced, once per signer, with one-click
unsubscribe, and never sent twice even when a worker is killed mid-send."""

import datetime as dt
from itertools import pairwise

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from petitions import emails, outbox, updates
from petitions.models import OutgoingEmail, Signature, Update
from tests.conftest import email_link, load_bench, make_petition, make_signature, reload
from tests.test_worker_shutdown import Worker


class StopAfter:
    """A stop asked for after n checks: the worker stopping between two batches."""

    def __init__(self, n: int):
        self.n = n

    def is_set(self) -> bool:
        self.n -= 1
        return self.n < 0


def make_update(petition, **fields) -> Update:
    defaults = {"title": "The council will hear us", "body": "A **public hearing** on 3 March."}
    return Update.objects.create(petition=petition, **{**defaults, **fields})


def consenting(petition, n: int) -> list[Signature]:
    """n confirmed signers who agreed to hear from the organizer, their confirmation
    requests through the outbox (moot, so sent to nobody): only update emails remain."""
    signers = [make_signature(petition, confirmed=True, may_contact=True) for _ in range(n)]
    outbox.send_due(batch=1000)
    return signers


def emailed(update: Update, **fields) -> Update:
    updates.publish(update, email=True, **fields)
    return reload(update)


def queued_signatures(update: Update) -> list[int]:
    return list(update.emails.order_by("signature").values_list("signature", flat=True))


def later() -> dt.datetime:
    """Past every paced send_after of a test's few emails."""
    return timezone.now() + dt.timedelta(minutes=1)


# queue_emails() inserts with PostgreSQL's one statement per batch there, and with the ORM's
# bulk_create on SQLite (make run's database): the tests marked both_databases run both.


@pytest.mark.both_databases
def test_publishing_with_email_queues_one_email_per_consenting_confirmed_signer(petition):
    wanted = consenting(petition, 2)
    make_signature(petition, confirmed=True, may_contact=False)
    make_signature(petition, may_contact=True)  # pending
    make_signature(petition, confirmed=True, may_contact=True).moderate(Signature.Status.HELD)
    update = emailed(make_update(petition))
    assert update.email_total == 2
    assert update.emails.count() == 0  # the worker queues them, not the publish

    assert updates.queue_emails() == 2
    assert queued_signatures(update) == [s.pk for s in wanted]
    assert set(update.emails.values_list("kind", "bulk", "language")) == {("update", True, "en")}
    assert reload(update).queued_at is not None


def test_an_update_published_without_email_queues_nothing(petition):
    consenting(petition, 2)
    updates.publish(make_update(petition), email=False)
    assert updates.queue_emails() == 0
    assert not OutgoingEmail.objects.filter(kind="update").exists()


def test_the_emails_are_written_in_the_petitions_language(db):
    petition = make_petition(language="fr")
    consenting(petition, 1)
    update = emailed(make_update(petition))
    updates.queue_emails()
    assert list(update.emails.values_list("language", flat=True)) == ["fr"]


@pytest.mark.both_databases
def test_queuing_in_batches_resumes_after_a_stop_midway_with_no_duplicates(petition):
    signers = consenting(petition, 5)
    update = emailed(make_update(petition))
    assert updates.queue_emails(batch=2, stop=StopAfter(1)) == 2  # stopped after one batch
    update.refresh_from_db()
    assert (update.queued_through, update.queued_at) == (signers[1].pk, None)

    assert updates.queue_emails(batch=2) == 3  # the restart resumes after queued_through
    assert queued_signatures(update) == [s.pk for s in signers]
    assert reload(update).queued_at is not None


@pytest.mark.both_databases
def test_both_ways_queue_the_same_rows(petition, settings):
    settings.UPDATE_EMAILS_PER_SECOND = 2
    signers = consenting(petition, 3)
    update = emailed(make_update(petition))
    updates.queue_emails(batch=2)
    rows = list(update.emails.order_by("signature").values())
    assert [r["signature_id"] for r in rows] == [s.pk for s in signers]
    assert {
        (r["kind"], r["bulk"], r["language"], r["attempts"], r["last_error"], r["sent_at"])
        for r in rows
    } == {("update", True, "en", 0, "", None)}
    steps = [(b["send_after"] - a["send_after"]).total_seconds() for a, b in pairwise(rows)]
    assert steps == [0.5, 0.5]
    assert all(r["created_at"] <= r["send_after"] for r in rows)


@pytest.mark.both_databases
def test_a_second_queue_run_adds_nothing(petition):
    consenting(petition, 3)
    update = emailed(make_update(petition))
    updates.queue_emails(batch=2)
    assert updates.queue_emails() == 0
    # Even queued again from the start, as if its progress were lost, none goes in twice.
    Update.objects.filter(pk=update.pk).update(queued_through=0, queued_at=None)
    updates.queue_emails(batch=2)
    assert update.emails.count() == 3


def test_the_constraint_rejects_a_second_email_of_one_update_to_one_signer(petition):
    (signature,) = consenting(petition, 1)
    update = emailed(make_update(petition))
    fields = {"kind": OutgoingEmail.Kind.UPDATE, "update": update, "signature": signature}
    OutgoingEmail.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        OutgoingEmail.objects.create(**fields)


def test_the_emails_are_spread_at_the_configured_rate(petition, settings):
    settings.UPDATE_EMAILS_PER_SECOND = 4
    consenting(petition, 5)
    before = timezone.now()
    update = emailed(make_update(petition))
    updates.queue_emails(batch=2)  # the pace runs on across batches
    times = list(update.emails.order_by("signature").values_list("send_after", flat=True))
    assert before <= times[0] <= timezone.now()
    assert [(b - a).total_seconds() for a, b in pairwise(times)] == [0.25] * 4


def test_a_second_update_is_paced_after_the_first(petition, settings):
    settings.UPDATE_EMAILS_PER_SECOND = 10
    other = make_petition(slug="other")
    consenting(petition, 3)
    consenting(other, 2)
    first, second = emailed(make_update(petition)), emailed(make_update(other))
    updates.queue_emails()
    last_of_first = max(first.emails.values_list("send_after", flat=True))
    start_of_second = min(second.emails.values_list("send_after", flat=True))
    assert (start_of_second - last_of_first).total_seconds() == pytest.approx(0.1)


def test_cancel_drops_the_unsent_emails_and_stops_the_queuing(petition):
    consenting(petition, 5)
    update = emailed(make_update(petition))
    updates.queue_emails(batch=2, stop=StopAfter(1))
    assert updates.cancel(update) == 2
    assert updates.queue_emails(batch=2) == 0
    assert not update.emails.exists()
    assert updates.cancel(update) == 0  # once


def test_cancel_keeps_the_emails_already_sent(petition, mailoutbox):
    consenting(petition, 3)
    update = emailed(make_update(petition))
    updates.queue_emails()
    first = update.emails.order_by("send_after").first()
    outbox.send_due(batch=1, now=first.send_after)
    assert updates.cancel(update) == 2
    assert updates.progress(reload(update)) == {"total": 3, "queued": 1, "sent": 1, "lost": 0}


def test_sending_skips_signers_who_unsubscribed_or_were_held_since_queuing(petition, mailoutbox):
    stays, leaves, held = consenting(petition, 3)
    emailed(make_update(petition))
    updates.queue_emails()
    leaves.stop_updates()
    held.moderate(Signature.Status.HELD)
    outbox.send_due(batch=100, now=later())
    assert [m.to for m in mailoutbox] == [[stays.email]]
    assert not OutgoingEmail.objects.due(later()).exists()


def test_transactional_emails_are_sent_before_due_updates(petition):
    consenting(petition, 2)
    update = emailed(make_update(petition))
    updates.queue_emails()
    make_signature(petition)  # its confirmation request is queued after the update's emails
    (claimed,) = outbox.claim_due(1, later())
    assert claimed.kind == OutgoingEmail.Kind.CONFIRM
    assert update.emails.count() == 2


def test_a_started_update_email_is_never_sent_again(petition, mailoutbox):
    consenting(petition, 1)
    update = emailed(make_update(petition))
    updates.queue_emails()
    # A worker marked it started, then was killed before it could mark it sent.
    update.emails.update(started_at=timezone.now())
    assert outbox.send_due(now=later() + outbox.LEASE) == (0, 0)
    assert mailoutbox == []
    assert updates.progress(update) == {"total": 1, "queued": 1, "sent": 0, "lost": 1}


def test_an_update_email_the_provider_refused_is_retried_later(petition, settings, mailoutbox):
    from tests.test_outbox import FlakyBackend

    settings.EMAIL_BACKEND = "tests.test_outbox.FlakyBackend"
    consenting(petition, 1)
    update = emailed(make_update(petition))
    updates.queue_emails()
    FlakyBackend.failures = 1
    now = later()
    assert outbox.send_due(now=now) == (0, 1)
    email = update.emails.get()
    assert (email.started_at, email.attempts) == (None, 1)  # not sent: may be tried again
    assert outbox.send_due(now=now + dt.timedelta(seconds=31)) == (1, 0)
    assert len(mailoutbox) == 1


def test_progress_counts_total_queued_sent_and_lost(petition, mailoutbox):
    consenting(petition, 4)
    update = emailed(make_update(petition))
    assert updates.progress(update) == {"total": 4, "queued": 0, "sent": 0, "lost": 0}
    updates.queue_emails(batch=3, stop=StopAfter(1))
    assert updates.progress(update) == {"total": 4, "queued": 3, "sent": 0, "lost": 0}
    updates.queue_emails()
    outbox.send_due(batch=100, now=later())
    assert updates.progress(update) == {"total": 4, "queued": 4, "sent": 4, "lost": 0}


@override_settings(SITE_URL="https://petitions.example.org")
def test_the_update_email_carries_one_click_unsubscribe_and_its_headers(petition, mailoutbox):
    (signature,) = consenting(petition, 1)
    update = make_update(petition, body="We **won** a hearing.")
    emails.send_update(update, signature)
    (message,) = mailoutbox
    link, opened = email_link(message.body, "unsubscribe")
    assert opened == signature
    assert link.startswith("https://petitions.example.org/free-the-river/unsubscribe/")
    headers = message.message()
    assert headers["List-Unsubscribe"] == f"<{link}>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers["Message-ID"].endswith("@petitions.example.org>")
    assert message.subject == "The council will hear us (Free the river)"
    assert "We **won** a hearing." in message.body  # the Markdown as written
    assert email_link(message.body, "withdraw")[1] == signature  # withdrawing is apart
    html, _ = message.alternatives[0]
    assert "We <strong>won</strong> a hearing." in html
    assert f'href="{link}"' in html


@override_settings(SITE_URL="https://petitions.example.org")
def test_every_email_has_the_sites_message_id_and_is_auto_submitted(petition, mailoutbox):
    make_signature(petition)
    emails.send_confirmation_request(Signature.objects.get())
    headers = mailoutbox[-1].message()
    assert headers["Message-ID"].endswith("@petitions.example.org>")
    assert headers["Auto-Submitted"] == "auto-generated"
    assert "List-Unsubscribe" not in headers  # not a list: a confirmation request


def test_the_organizers_test_email_unsubscribes_nobody(petition, mailoutbox):
    (signature,) = consenting(petition, 1)
    update = make_update(petition)
    emails.send_update_test(update, "ada@example.org")
    (message,) = mailoutbox
    assert message.to == ["ada@example.org"]
    assert message.subject == "[Test] The council will hear us (Free the river)"
    assert "/unsubscribe/" not in message.body and "/withdraw/" not in message.body
    assert petition.absolute_url in message.body
    assert "List-Unsubscribe" not in message.message()
    assert reload(signature).may_contact is True
    assert not OutgoingEmail.objects.filter(kind="update").exists()


def test_the_worker_command_queues_and_sends_an_update(petition, mailoutbox, settings, monkeypatch):
    from django.core.management import call_command

    settings.UPDATE_EMAILS_PER_SECOND = 1000
    consenting(petition, 2)
    update = emailed(make_update(petition))
    call_command("send_queued_emails", "--once")
    # Past the second email's send_after (1 ms after the first's) without waiting for it.
    moment = later()
    monkeypatch.setattr(timezone, "now", lambda: moment)
    call_command("send_queued_emails", "--once")
    assert updates.progress(reload(update))["sent"] == 2
    assert len(mailoutbox) == 2


@pytest.fixture
def sink():
    with load_bench("updates").SmtpSink() as sink:
        yield sink


@pytest.mark.system  # two worker processes and an SMTP sink; the rest of the module is fast
def test_an_update_is_sent_once_per_signer_when_two_workers_run_and_one_is_killed(
    petition, transactional_db, sink
):
    total = 60
    signers = {s.email for s in consenting(petition, total)}
    update = emailed(make_update(petition))
    env = {**sink.env(), "UPDATE_EMAILS_PER_SECOND": "20"}  # 3 s of sending
    first, second = Worker("--interval", "0.1", **env), Worker("--interval", "0.1", **env)
    bench = load_bench("updates")
    try:
        bench.wait_until(lambda: len(sink.received) >= total // 3, 60, "a third of the emails")
        first.close()  # SIGKILL, mid-send or between two
        # Its claimed emails are due again once its lease runs out; here at once.
        bench.end_leases_of_killed_worker()
        first = Worker("--interval", "0.1", **env)

        def done():
            counts = updates.progress(update)
            return counts["sent"] + counts["lost"] == total

        bench.wait_until(done, 60, "every email sent or lost")
    finally:
        first.close()
        second.close()
    received = [rcpt for rcpt, _ in sink.received]
    assert sink.duplicates() == 0, received
    assert set(received) <= signers
    counts = updates.progress(update)
    assert counts["lost"] <= 1  # only the one being sent when the worker was killed
    # A lost email may have reached the provider before the kill: at the sink, not sent.
    assert counts["sent"] <= len(received) <= counts["sent"] + counts["lost"]


def test_publishing_refreshes_the_callers_update_so_a_later_save_keeps_it(petition):
    update = make_update(petition)
    updates.publish(update, email=True)
    update.title = "A typo fixed"
    update.save()
    stored = reload(update)
    assert stored.published_at is not None and stored.emailed_at is not None
    assert stored.title == "A typo fixed"
