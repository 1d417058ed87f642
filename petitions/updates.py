"""Updates to supporters: publish one, email it through the outbox, follow and cancel it.

Publishing with email only marks the update; the worker (manage.py send_queued_emails)
queues its emails in batches, one OutgoingEmail per consenting signer, which the outbox then
sends at UPDATE_EMAILS_PER_SECOND. One email per signer and update is a database constraint
(one_update_email_per_signer), so queuing again after a crash adds none twice.
"""

import datetime as dt
import threading

from django.conf import settings
from django.db import connection, transaction
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
    to the consenting signers (TooSoon within the minimum interval of the last one). The
    caller's `update` is refreshed, so that saving it later keeps the publication."""
    now = now or timezone.now()
    with transaction.atomic():
        # One publish at a time per petition: two cannot both pass the interval check.
        petition = Petition.objects.select_for_update().get(pk=update.petition_id)
        locked = Update.objects.select_for_update().get(pk=update.pk)
        fields = []
        if locked.published_at is None:
            locked.published_at = now
            fields.append("published_at")
        if email and locked.emailed_at is None:
            if allowed_at := next_email_allowed_at(petition, now):
                raise TooSoon(allowed_at)
            locked.emailed_at = now
            locked.email_total = consenting_signers(petition).count()
            fields += ["emailed_at", "email_total"]
        locked.save(update_fields=fields)
        Petition.objects.filter(pk=petition.pk).touch()  # its page lists the update
    update.refresh_from_db()


def queue_emails(batch: int = 2000, stop: threading.Event | None = None) -> int:
    """The worker's step: queue the emails of every update being emailed, oldest first,
    `batch` signers per transaction, until all are queued or `stop` is set (between two
    batches, which loses nothing: the next run resumes after queued_through). Returns how
    many were queued."""
    queued = 0
    pending = Update.objects.filter(
        emailed_at__isnull=False, queued_at__isnull=True, cancelled_at__isnull=True
    )
    for pk in pending.order_by("emailed_at", "pk").values_list("pk", flat=True):
        done = False
        while not done and not (stop is not None and stop.is_set()):
            n, done = queue_batch(pk, batch)
            queued += n
    return queued


def queue_batch(pk: int, batch: int) -> tuple[int, bool]:
    """Queue the next `batch` consenting signers of the update, by id after
    queued_through (keyset: only ids are read, never all signers at once), and move
    queued_through in the same short transaction. Returns how many were queued, and
    whether the update is now fully queued (or cancelled)."""
    with transaction.atomic():
        # Locked: a cancel waits for this batch, and two workers never queue the same one.
        update = (
            Update.objects.select_for_update(of=("self",))
            .select_related("petition")
            .filter(pk=pk, queued_at__isnull=True, cancelled_at__isnull=True)
            .first()
        )
        if update is None:
            return 0, True
        petition = update.petition
        ids = list(
            consenting_signers(petition)
            .filter(pk__gt=update.queued_through)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        now = timezone.now()
        step = dt.timedelta(seconds=1 / settings.UPDATE_EMAILS_PER_SECOND)
        start = max(now, last_send_after(update) + step)
        language = petition.language or settings.LANGUAGE_CODE
        insert_emails(update, ids, language=language, start=start, step=step, now=now)
        # Not save(): the progress of its emailing changes nothing on the update's pages.
        progress = {"queued_through": ids[-1]} if ids else {}
        if len(ids) < batch:
            progress["queued_at"] = now
        Update.objects.filter(pk=pk).update(**progress)
    return len(ids), "queued_at" in progress


# One statement per batch on PostgreSQL: building and binding a model per email costs more
# than the database's own work.
INSERT_SQL = (
    "INSERT INTO petitions_outgoingemail"
    " (kind, bulk, update_id, signature_id, language, send_after, created_at, attempts,"
    " last_error)"
    " SELECT %s, true, %s, s.id, %s, %s + (s.n - 1) * %s, %s, 0, ''"
    " FROM unnest(%s::bigint[]) WITH ORDINALITY AS s(id, n)"
    " ON CONFLICT DO NOTHING"
)


def insert_emails(
    update: Update,
    ids: list[int],
    *,
    language: str,
    start: dt.datetime,
    step: dt.timedelta,
    now: dt.datetime,
) -> None:
    """The update's emails to these signers, the i-th due at start + i * step; none for a
    signer who has it already (one_update_email_per_signer)."""
    if connection.vendor == "postgresql":
        kind = OutgoingEmail.Kind.UPDATE
        with connection.cursor() as cursor:
            cursor.execute(INSERT_SQL, [kind, update.pk, language, start, step, now, ids])
        return
    OutgoingEmail.objects.bulk_create(
        [
            OutgoingEmail(
                kind=OutgoingEmail.Kind.UPDATE,
                bulk=True,
                update=update,
                signature_id=signature_id,
                language=language,
                send_after=start + i * step,
                created_at=now,
            )
            for i, signature_id in enumerate(ids)
        ],
        ignore_conflicts=True,
    )


def last_send_after(update: Update) -> dt.datetime:
    """When the last email queued so far is due: this update's last one (found by its
    unique index), else the last of any update, so that all of them together keep to
    UPDATE_EMAILS_PER_SECOND. A claimed email's send_after is its worker's lease, so the
    next update may start up to a lease late, never early."""
    if update.queued_through:
        last = OutgoingEmail.objects.filter(update=update, signature_id=update.queued_through)
        if (send_after := last.values_list("send_after", flat=True).first()) is not None:
            return send_after
    unsent = OutgoingEmail.objects.filter(bulk=True, sent_at__isnull=True)
    return unsent.aggregate(last=Max("send_after"))["last"] or dt.datetime.min.replace(
        tzinfo=dt.UTC
    )


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
