"""Moderation of petitions started on the site: publish, reject, or ask the starter for
changes. Only a petition awaiting moderation may be decided, once: each decision is a
conditional UPDATE on that state, so of two moderators deciding at once the second changes
nothing, queues no email and learns who decided first (AlreadyDecided)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from petitions import accounts, outbox
from petitions.models import Organizer, OutgoingEmail, Petition

# How many similar petitions the moderator sees beside the one in review.
SIMILAR_SHOWN = 5


class AlreadyDecided(Exception):
    """The petition is no longer awaiting moderation: another moderator (or an edit in the
    admin) decided it first."""

    def __init__(self, petition: Petition):
        self.petition = petition
        super().__init__(describe_decision(petition))


def describe_decision(petition: Petition) -> str:
    """ "Already decided by alice at 2 Dec 2026, 09:14 UTC: published." from the row as it is
    now in the database."""
    outcome = {
        Petition.State.OPEN: "published",
        Petition.State.CLOSED: "published (and since closed)",
        Petition.State.REJECTED: "rejected",
    }.get(petition.state)
    if outcome is None:
        outcome = {
            Petition.Review.CHANGES: "changes asked for",
            Petition.Review.UNCONFIRMED: "its starter has not confirmed their email",
        }.get(petition.review, "not awaiting moderation")
    if petition.reviewed_at is None:
        return f"It is no longer awaiting moderation: {outcome}."
    who = petition.reviewed_by.get_username() if petition.reviewed_by else "a deleted user"
    when = timezone.localtime(petition.reviewed_at).strftime("%d %b %Y, %H:%M %Z")
    return f"Already decided by {who} at {when}: {outcome}."


def email_language(petition: Petition) -> str:
    """The starter's emails are in the petition's language when the site has it."""
    codes = {code for code, _name in settings.LANGUAGES}
    return petition.language if petition.language in codes else settings.LANGUAGE_CODE


def decide(petition: Petition, moderator, kind: OutgoingEmail.Kind, **changes) -> None:
    """Apply a decision to a petition still awaiting moderation and queue its email to the
    starter, in one transaction; raises AlreadyDecided if it was no longer awaiting."""
    now = timezone.now()
    changes = {"reviewed_at": now, "reviewed_by": moderator, "updated_at": now, **changes}
    awaiting = Petition.objects.filter(
        pk=petition.pk, state=Petition.State.DRAFT, review=Petition.Review.AWAITING
    )
    # The UPDATE takes the row lock: a concurrent decision waits for it, then finds the
    # row no longer awaiting and changes nothing.
    if not awaiting.update(**changes):
        petition.refresh_from_db()
        raise AlreadyDecided(petition)
    for field, value in changes.items():
        setattr(petition, field, value)
    if petition.organizer_email:
        outbox.queue(kind, petition=petition, language=email_language(petition))


def publish(petition: Petition, moderator) -> None:
    """Make the petition public; its starter becomes its organizer (an editor), with an
    account made for their email if they have none, and is told how to sign in."""
    if petition.is_past_closing_time():
        raise ValidationError("Its closing date has passed: ask the starter for a new one.")
    with transaction.atomic():
        decide(
            petition,
            moderator,
            OutgoingEmail.Kind.PUBLISHED,
            state=Petition.State.OPEN,
            review=Petition.Review.NONE,
            moderation_note="",
        )
        if petition.organizer_email:
            user = accounts.user_for_email(petition.organizer_email)
            Organizer.objects.get_or_create(
                petition=petition, user=user, defaults={"role": Organizer.Role.EDITOR}
            )


def reject(petition: Petition, moderator, reason: str, note: str = "") -> None:
    """Refuse the petition for one of Petition.RejectionReason; "other" needs a note, which
    the starter reads."""
    if reason not in Petition.RejectionReason.values:
        raise ValidationError("Choose one of the reasons for rejecting it.")
    note = note.strip()
    if reason == Petition.RejectionReason.OTHER and not note:
        raise ValidationError("Say why in the note: the starter reads it.")
    with transaction.atomic():
        decide(
            petition,
            moderator,
            OutgoingEmail.Kind.REJECTED,
            state=Petition.State.REJECTED,
            review=Petition.Review.NONE,
            rejection_reason=reason,
            moderation_note=note,
        )


def ask_for_changes(petition: Petition, moderator, note: str) -> None:
    """Send the petition back to its starter with the changes to make; it stays a draft
    until they resubmit it."""
    note = note.strip()
    if not note:
        raise ValidationError("Say which changes to make: the starter reads it.")
    with transaction.atomic():
        decide(
            petition,
            moderator,
            OutgoingEmail.Kind.CHANGES_ASKED,
            review=Petition.Review.CHANGES,
            moderation_note=note,
        )


def similar_petitions(petition: Petition, limit: int = SIMILAR_SHOWN) -> list[Petition]:
    """Other petitions, public or in review, that share words of this one's title, most
    alike first: the duplicates a moderator should know of."""
    in_review = Q(
        state=Petition.State.DRAFT, review__in=[Petition.Review.AWAITING, Petition.Review.CHANGES]
    )
    others = Petition.objects.filter(Q(state__in=Petition.PUBLIC_STATES) | in_review)
    return list(others.exclude(pk=petition.pk).like(petition.title)[:limit])
