"""Email is stored before it is sent: queue() adds a row in the caller's transaction, and
the worker (manage.py send_queued_emails) sends due rows, retrying with backoff."""

import datetime as dt
import logging
import threading

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from petitions import emails
from petitions.models import Invitation, OutgoingEmail, Petition, Signature

log = logging.getLogger(__name__)

SENDERS = {
    OutgoingEmail.Kind.CONFIRM: lambda email: emails.send_confirmation_request(email.signature),
    OutgoingEmail.Kind.ALREADY_SIGNED: lambda email: emails.send_already_signed(email.signature),
    OutgoingEmail.Kind.MILESTONE: lambda email: emails.send_milestone_reached(
        email.petition, email.milestone
    ),
    OutgoingEmail.Kind.UPDATE: lambda email: emails.send_update(email.update, email.signature),
    OutgoingEmail.Kind.CLOSING_REMINDER: lambda email: emails.send_closing_reminder(email.petition),
    OutgoingEmail.Kind.CLOSED_SUMMARY: lambda email: emails.send_closed_summary(email.petition),
    OutgoingEmail.Kind.STARTER_CONFIRM: lambda email: emails.send_starter_confirmation(
        email.petition
    ),
    OutgoingEmail.Kind.PUBLISHED: lambda email: emails.send_published(email.petition),
    OutgoingEmail.Kind.REJECTED: lambda email: emails.send_rejected(email.petition),
    OutgoingEmail.Kind.CHANGES_ASKED: lambda email: emails.send_changes_asked(email.petition),
    OutgoingEmail.Kind.INVITATION: lambda email: emails.send_invitation(email.invitation),
}
# A claimed email is the worker's for this long; if the worker dies, another sends it after.
LEASE = dt.timedelta(minutes=5)


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, ... up to an hour between tries."""
    return dt.timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def queue(
    kind: OutgoingEmail.Kind,
    *,
    signature: Signature | None = None,
    petition: Petition | None = None,
    milestone: int | None = None,
    invitation: Invitation | None = None,
    language: str | None = None,
) -> OutgoingEmail:
    """Store an email to send, in the caller's transaction; written in `language`, by
    default the language of the page that caused it."""
    return OutgoingEmail.objects.create(
        kind=kind,
        signature=signature,
        petition=petition,
        milestone=milestone,
        invitation=invitation,
        language=translation.get_language() or "" if language is None else language,
    )


def claim_due(batch: int, now: dt.datetime) -> list[OutgoingEmail]:
    """Take up to `batch` due emails, transactional ones before updates (in the order of
    outgoing_email_due_idx); concurrent workers never take the same one."""
    with transaction.atomic():
        ids = list(
            OutgoingEmail.objects.due(now)
            .order_by("bulk", "send_after")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:batch]
        )
        OutgoingEmail.objects.filter(id__in=ids).update(send_after=now + LEASE)
    claimed = OutgoingEmail.objects.filter(id__in=ids)
    return list(claimed.select_related("signature__petition", "petition", "update__petition"))


def send_due(
    batch: int = 50, now: dt.datetime | None = None, stop: threading.Event | None = None
) -> tuple[int, int]:
    """Send what is due; return how many were sent and how many failed (and wait to retry).
    Once `stop` is set, the email being sent is finished and the rest are released."""
    if stop is not None and stop.is_set():
        return 0, 0
    now = now or timezone.now()
    claimed = claim_due(batch, now)
    sent = failed = 0
    for i, email in enumerate(claimed):
        if stop is not None and stop.is_set():
            release(claimed[i:], leased_until=now + LEASE)
            break
        if email.bulk and not start(email):
            continue  # another worker took it over when this one's lease ran out
        if send(email, now):
            sent += 1
        else:
            failed += 1
    return sent, failed


def send(email: OutgoingEmail, now: dt.datetime) -> bool:
    """Send one claimed email and record it as sent, or as failed with its next try (a
    bulk email is started first)."""
    try:
        if email.is_wanted():
            with translation.override(email.language or settings.LANGUAGE_CODE):
                SENDERS[email.kind](email)
    except Exception as error:  # any provider failure: keep the email and try again later
        email.started_at = None  # the provider refused it: it was not sent
        email.attempts += 1
        email.send_after = now + backoff(email.attempts)
        email.last_error = f"{type(error).__name__}: {error}"[:2000]
        email.save(update_fields=["started_at", "attempts", "send_after", "last_error"])
        log.warning("email %s failed (attempt %d): %s", email.pk, email.attempts, error)
        return False
    email.sent_at = timezone.now()
    email.save(update_fields=["sent_at"])
    return True


def start(email: OutgoingEmail) -> bool:
    """Mark a bulk email as being sent, unless a worker already did, in a statement of its
    own (the worker runs in autocommit): if the worker dies while sending it, the email is
    lost rather than sent twice."""
    email.started_at = timezone.now()
    started = OutgoingEmail.objects.filter(pk=email.pk, started_at=None, sent_at=None)
    return started.update(started_at=email.started_at) == 1


def release(emails: list[OutgoingEmail], *, leased_until: dt.datetime) -> int:
    """Give back claimed emails this worker will not send: due again at once, for another
    worker or the next start. Only those still under this worker's lease: one whose lease
    ran out may be another worker's by now; and never a bulk email once started."""
    return OutgoingEmail.objects.filter(
        id__in=[email.pk for email in emails],
        sent_at=None,
        started_at=None,
        send_after=leased_until,
    ).update(send_after=timezone.now())
