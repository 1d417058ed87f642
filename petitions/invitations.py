"""Organizers by invitation: an editor invites an address with a role, the link in the email
makes them an organizer once, and a petition always keeps at least one editor."""

import datetime as dt
import logging

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from petitions import outbox
from petitions.accounts import user_for_email
from petitions.models import Invitation, Organizer, OutgoingEmail, Petition

log = logging.getLogger(__name__)

LINK_MAX_AGE = dt.timedelta(days=14)
# Accepting an invitation never lowers a role the organizer has already.
RANK = {Organizer.Role.VIEWER: 0, Organizer.Role.EDITOR: 1}


class Refused(Exception):
    """An organizers' change the rules refuse; its message says why, for the page."""


class AlreadyAccepted(Exception):
    pass


def invite(petition: Petition, email: str, role: str, *, by) -> Invitation:
    """Invite the address to organize the petition, and queue its email in the same
    transaction. A pending invitation of the same address is replaced: its link stops
    working, so that only the latest role can be accepted."""
    email = email.strip()
    if Organizer.objects.filter(petition=petition, user__email__iexact=email).exists():
        raise Refused(f"{email} already organizes this petition.")
    with transaction.atomic():
        petition.invitations.filter(email__iexact=email, accepted_at=None).delete()
        invitation = Invitation.objects.create(
            petition=petition, email=email, role=role, invited_by=by
        )
        outbox.queue(OutgoingEmail.Kind.INVITATION, invitation=invitation, petition=petition)
    return invitation


def accept_url(invitation: Invitation) -> str:
    token = signing.dumps(invitation.pk, salt=Invitation.SALT)
    return settings.SITE_URL + reverse("invitation-accept", args=[token])


def invitation_for_token(token: str) -> Invitation:
    """The invitation of an accept link; raises signing.SignatureExpired after LINK_MAX_AGE,
    signing.BadSignature for a forged one, Invitation.DoesNotExist once revoked."""
    pk = signing.loads(token, salt=Invitation.SALT, max_age=LINK_MAX_AGE)
    if not isinstance(pk, int):
        raise signing.BadSignature("not an invitation")
    return Invitation.objects.select_related("petition").get(pk=pk)


def accept(invitation: Invitation) -> Organizer:
    """Make the invited address an organizer, with an account if it has none. The claim is
    a conditional UPDATE: of two acceptances, even at once, the second waits for the first's
    row lock, then finds it accepted and raises AlreadyAccepted."""
    with transaction.atomic():
        now = timezone.now()
        claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at=None)
        if not claimed.update(accepted_at=now):
            raise AlreadyAccepted
        # Made only once the claim is ours: two acceptances never both create the account.
        user = user_for_email(invitation.email)
        Invitation.objects.filter(pk=invitation.pk).update(accepted_by=user)
        organizer, created = Organizer.objects.select_for_update().get_or_create(
            petition_id=invitation.petition_id, user=user, defaults={"role": invitation.role}
        )
        if not created and RANK[invitation.role] > RANK[organizer.role]:
            organizer.role = invitation.role
            organizer.save(update_fields=["role"])
    invitation.accepted_at, invitation.accepted_by = now, user
    return organizer


def revoke(invitation: Invitation, *, by) -> bool:
    """Withdraw a pending invitation: its link stops working and its email, if not yet
    sent, is dropped with it. False if it was accepted in the meantime."""
    deleted, _ = Invitation.objects.filter(pk=invitation.pk, accepted_at=None).delete()
    if deleted:
        log.info("%s revoked an invitation to %s", by, invitation.petition_id)
    return bool(deleted)


def remove(organizer: Organizer, *, by) -> None:
    """Remove an organizer, unless they are the petition's last editor."""
    with transaction.atomic():
        current = locked_organizer(organizer)
        if current is None:
            return  # removed by someone else meanwhile
        if current.role == Organizer.Role.EDITOR:
            refuse_if_last_editor(current)
        current.delete()
    log.info("%s removed %s from petition %s", by, organizer.user_id, organizer.petition_id)


def change_role(organizer: Organizer, role: str, *, by) -> Organizer:
    """Give an organizer another role; the petition's last editor stays an editor."""
    with transaction.atomic():
        current = locked_organizer(organizer)
        if current is None:
            raise Refused("This organizer was removed meanwhile.")
        if current.role == Organizer.Role.EDITOR and role != Organizer.Role.EDITOR:
            refuse_if_last_editor(current)
        current.role = role
        current.save(update_fields=["role"])
    log.info("%s made %s a %s of petition %s", by, current.user_id, role, current.petition_id)
    return current


def locked_organizer(organizer: Organizer) -> Organizer | None:
    """The organizer as it is now, read under its petition's row lock: every change to a
    petition's organizers takes that lock first, so two removals of its last two editors
    run one after the other and the second sees the first."""
    list(Petition.objects.select_for_update().filter(pk=organizer.petition_id).values_list("pk"))
    return Organizer.objects.filter(pk=organizer.pk).select_related("user").first()


def refuse_if_last_editor(organizer: Organizer) -> None:
    others = Organizer.objects.filter(
        petition_id=organizer.petition_id, role=Organizer.Role.EDITOR
    ).exclude(pk=organizer.pk)
    if not others.exists():
        raise Refused(
            f"{organizer.user} is this petition's last editor: make another organizer an "
            "editor first."
        )
