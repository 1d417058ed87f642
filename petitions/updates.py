"""Updates to supporters: publish one, email it through the outbox, follow and cancel it.

Publishing with email only marks the update; the worker (manage.py send_queued_emails)
queues its emails in batches, one OutgoingEmail per consenting signer, which the outbox then
sends at UPDATE_EMAILS_PER_SECOND. One email per signer and update is a database constraint
(one_update_email_per_signer), so queuing again after a crash adds none twice.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from petitions.models import OutgoingEmail, Petition, Update


class TooSoon(Exception):
    """Another update of this petition was emailed less than the minimum interval ago."""

    def __init__(self, allowed_at: dt.datetime):
        super().__init__(f"The next update can be emailed from {allowed_at:%Y-%m-%d %H:%M}.")
        self.allowed_at = allowed_at


def min_interval() -> dt.timedelta:
    return dt.timedelta(hours=settings.UPDATE_EMAIL_MIN_INTERVAL_HOURS)


def consenting_signers(petition: Petition):
    """Who an emailed update goes to: confirmed signers who agreed to hear from the
    organizer (and have not unsubscribed from its updates since)."""
    return petition.signatures.confirmed().filter(may_contact=True)


def next_email_allowed_at(petition: Petition, now: dt.datetime | None = None):
    """When this petition may email its next update; None if it may now."""
    now = now or timezone.now()
    last = petition.updates.aggregate(last=Max("emailed_at"))["last"]
    if last is not None and last + min_interval() > now:
        return last + min_interval()
    return None


def publish(update: Update, *, email: bool, now: dt.datetime | None = None) -> None:
    """Show the update on the petition's page and in its feed; with email, also send it
    to the consenting signers (TooSoon within the minimum interval of the last one)."""
    now = now or timezone.now()
    with transaction.atomic():
        # One publish at a time per petition: two cannot both pass the interval check.
        petition = Petition.objects.select_for_update().get(pk=update.petition_id)
        update = Update.objects.select_for_update().get(pk=update.pk)
        fields = []
        if update.published_at is None:
            update.published_at = now
            fields.append("published_at")
        if email and update.emailed_at is None:
            if allowed_at := next_email_allowed_at(petition, now):
                raise TooSoon(allowed_at)
            update.emailed_at = now
            update.email_total = consenting_signers(petition).count()
            fields += ["emailed_at", "email_total"]
        update.save(update_fields=fields)
        Petition.objects.filter(pk=petition.pk).touch()  # its page lists the update


def cancel(update: Update, now: dt.datetime | None = None) -> int:
    """Stop emailing the update: queue no more, and drop the queued emails not yet being
    sent. Returns how many were dropped; the ones already sent stay recorded."""
    with transaction.atomic():
        update = Update.objects.select_for_update().get(pk=update.pk)
        if update.emailed_at is None or update.cancelled_at is not None:
            return 0
        update.cancelled_at = now or timezone.now()
        update.save(update_fields=["cancelled_at"])
        dropped, _ = OutgoingEmail.objects.filter(
            update=update, sent_at__isnull=True, started_at__isnull=True
        ).delete()
        return dropped


def progress(update: Update) -> dict[str, int]:
    """How far its emailing is: signers when it began (total), emails queued so far, sent,
    and lost (a worker died while sending them: never retried, so never sent twice)."""
    counts = OutgoingEmail.objects.filter(update=update).aggregate(
        queued=Count("pk"),
        sent=Count("pk", filter=Q(sent_at__isnull=False)),
        lost=Count("pk", filter=Q(sent_at__isnull=True, started_at__isnull=False)),
    )
    return {"total": update.email_total, **counts}
