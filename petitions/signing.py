"""The supporter's actions: sign, ask for a new link. Confirmation is Signature.confirm()."""

from django.db import IntegrityError, transaction

from petitions import outbox
from petitions.abuse import address_hashes, review_reason
from petitions.models import OutgoingEmail, Petition, Signature


class PetitionNotOpen(Exception):
    """Only open petitions accept signatures."""


def queue_signing_email(signature: Signature) -> None:
    """What someone who signs (again) needs: the link, or news that they had already signed."""
    if signature.status == Signature.Status.PENDING:
        outbox.queue(OutgoingEmail.Kind.CONFIRM, signature=signature)
    else:
        outbox.queue(OutgoingEmail.Kind.ALREADY_SIGNED, signature=signature)


def sign_petition(
    *,
    petition: Petition,
    name: str,
    email: str,
    country: str,
    comment: str = "",
    is_public: bool = False,
    may_contact: bool = False,
    client_ip: str = "",
) -> Signature:
    """Store an unconfirmed signature, or find the one this email made before.

    Either way the signer gets an email and the caller learns nothing it could show: a
    visitor must not find out whether an address has signed. A new signature's email is
    queued by the post_save wiring, in the same transaction; a repeat's is queued here.
    """
    if not petition.is_open:
        raise PetitionNotOpen(petition.slug)
    ip_hash, network_hash = address_hashes(client_ip)
    try:
        # Insert first and let the unique constraint decide whether this email has signed:
        # a new signature costs one INSERT, and concurrent duplicates cannot both succeed.
        with transaction.atomic():
            return Signature.objects.create(
                petition=petition,
                name=name,
                email=email,
                country=country,
                comment=comment,
                is_public=is_public,
                may_contact=may_contact,
                review_reason=review_reason(email=email, ip=client_ip),
                ip_hash=ip_hash,
                network_hash=network_hash,
            )
    except IntegrityError:
        signature = petition.signatures.by_email(email).first()
        if signature is None:  # some other constraint failed
            raise
    queue_signing_email(signature)
    return signature


def request_new_link(*, petition: Petition, email: str) -> None:
    """Resend the confirmation link for this email's signature, if there is one."""
    signature = petition.signatures.by_email(email).first()
    if signature is not None:
        queue_signing_email(signature)
