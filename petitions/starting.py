"""The starter's actions: start a petition on the site, confirm its email, and send it back
to the moderators after they asked for changes. Moderation itself is petitions/moderation.py."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from petitions import outbox
from petitions.abuse import review_reason
from petitions.models import RESERVED_SLUGS, OutgoingEmail, Petition, Recipient

log = logging.getLogger(__name__)

EDIT_SALT = "petitions.petition.edit-after-changes"
# The link in "changes asked for": long enough for a starter to find time to rework the text.
EDIT_LINK_MAX_AGE = 30 * 24 * 3600
# Room for "-123" after the title's words, within Petition.slug's 100 characters.
SLUG_BASE_LENGTH = 90


@dataclass(frozen=True)
class RecipientRow:
    name: str
    role: str


def unique_slug(title: str) -> str:
    """The title's slug, made unique with -2, -3, ...; never one of the site's own paths. A
    title with no Latin letters or digits (Chinese, say) becomes "petition"."""
    base = slugify(title)[:SLUG_BASE_LENGTH].strip("-_") or "petition"
    taken = set(Petition.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    taken |= RESERVED_SLUGS
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def start_petition(
    *,
    title: str,
    body: str,
    letter: str,
    starter_name: str,
    organizer_email: str,
    language: str,
    recipients: list[RecipientRow],
    closes_at=None,
    goal: int | None = None,
    client_ip: str = "",
) -> Petition | None:
    """Store the draft with its recipients and queue the email that asks its starter to
    confirm, all in one transaction. From a blocked email domain or address range nothing is
    stored and None is returned: the caller shows the same page either way, so that the
    blocklists stay unseen."""
    reason = review_reason(email=organizer_email, ip=client_ip)
    if reason:
        log.info("A petition was not started: %s", reason)
        return None
    for _attempt in range(3):  # another starter may take the same slug at the same moment
        petition = Petition(
            slug=unique_slug(title),
            title=title,
            body=body,
            letter=letter,
            starter_name=starter_name,
            organizer_email=organizer_email,
            language=language,
            closes_at=closes_at,
            goal=goal,
            state=Petition.State.DRAFT,
            review=Petition.Review.UNCONFIRMED,
        )
        try:
            with transaction.atomic():
                petition.save(force_insert=True)
                add_recipients(petition, recipients)
                outbox.queue(OutgoingEmail.Kind.STARTER_CONFIRM, petition=petition)
        except IntegrityError:
            if not Petition.objects.filter(slug=petition.slug).exists():
                raise
            continue
        return petition
    raise IntegrityError(f"no free slug for {title!r}")


def add_recipients(petition: Petition, recipients: list[RecipientRow]) -> None:
    Recipient.objects.bulk_create(
        Recipient(petition=petition, name=r.name, role=r.role, position=i)
        for i, r in enumerate(recipients)
    )


def confirm_token(petition: Petition) -> str:
    return signing.dumps(petition.pk, salt=Petition.STARTER_CONFIRM_SALT, compress=True)


def confirm_url(petition: Petition) -> str:
    return settings.SITE_URL + reverse("petitions:start-confirm", args=[confirm_token(petition)])


def from_confirm_token(token: str) -> Petition:
    """The draft a confirmation link names. Raises signing.SignatureExpired for an old link,
    signing.BadSignature for a forged one and Petition.DoesNotExist for a deleted one."""
    pk = signing.loads(
        token, salt=Petition.STARTER_CONFIRM_SALT, max_age=settings.CONFIRMATION_LINK_MAX_AGE
    )
    return Petition.objects.get(pk=pk)


def confirm_starter(petition: Petition) -> bool:
    """The starter proved their email: the draft joins the moderation queue. A conditional
    UPDATE, so that a double click (or two tabs) confirms once; False if it was not waiting
    for this."""
    now = timezone.now()
    confirmed = Petition.objects.filter(
        pk=petition.pk, state=Petition.State.DRAFT, review=Petition.Review.UNCONFIRMED
    ).update(review=Petition.Review.AWAITING, submitted_at=now, updated_at=now)
    if confirmed:
        petition.review, petition.submitted_at = Petition.Review.AWAITING, now
    return confirmed == 1


def edit_token(petition: Petition) -> str:
    return signing.dumps(petition.pk, salt=EDIT_SALT, compress=True)


def edit_url(petition: Petition) -> str:
    """The link in the moderator's "changes asked for" email: it opens the petition's form,
    filled in, and proves the starter's email as the confirmation link did."""
    return settings.SITE_URL + reverse("petitions:start-edit", args=[edit_token(petition)])


def from_edit_token(token: str) -> Petition:
    """The petition an edit link names; raises as from_confirm_token() does."""
    pk = signing.loads(token, salt=EDIT_SALT, max_age=EDIT_LINK_MAX_AGE)
    return Petition.objects.get(pk=pk)


def resubmit(
    petition: Petition,
    *,
    title: str,
    body: str,
    letter: str,
    starter_name: str,
    language: str,
    recipients: list[RecipientRow],
    closes_at=None,
    goal: int | None = None,
) -> bool:
    """Replace the draft's words and recipients with the starter's changes and put it back
    in the moderation queue. False, changing nothing, unless a moderator is waiting for
    changes (a second submit of the same form, or one after the moderator decided)."""
    with transaction.atomic():
        locked = Petition.objects.select_for_update().filter(
            pk=petition.pk, state=Petition.State.DRAFT, review=Petition.Review.CHANGES
        )
        if not locked.exists():
            return False
        petition.title, petition.body, petition.letter = title, body, letter
        petition.starter_name, petition.language = starter_name, language
        petition.closes_at, petition.goal = closes_at, goal
        petition.review, petition.submitted_at = Petition.Review.AWAITING, timezone.now()
        petition.save(
            update_fields=[
                "title",
                "body",
                "letter",
                "starter_name",
                "language",
                "closes_at",
                "goal",
                "review",
                "submitted_at",
                "updated_at",
            ]
        )
        petition.recipients.all().delete()
        add_recipients(petition, recipients)
    return True
