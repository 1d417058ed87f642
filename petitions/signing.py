"""The supporter's actions: sign, ask for a new link. Confirmation is Signature.confirm()."""

from django.db import IntegrityError, connection, transaction
from django.db.models.expressions import DatabaseDefault
from django.utils import timezone, translation

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
    postcode: str = "",
    organisation: str = "",
    job_title: str = "",
    phone: str = "",
    client_ip: str = "",
) -> Signature:
    """Store an unconfirmed signature and queue its confirmation email, or find the one this
    email made before and tell its owner by email.

    Either way the caller learns nothing it could show: a visitor must not find out whether
    an address has signed.
    """
    if not petition.is_open:
        raise PetitionNotOpen(petition.slug)
    ip_hash, network_hash = address_hashes(client_ip)
    signature = Signature(
        petition=petition,
        name=name,
        email=email,
        country=country,
        comment=comment,
        is_public=is_public,
        may_contact=may_contact,
        postcode=postcode,
        organisation=organisation,
        job_title=job_title,
        phone=phone,
        review_reason=review_reason(email=email, ip=client_ip),
        ip_hash=ip_hash,
        network_hash=network_hash,
    )
    # Raises PetitionNotOpen if the petition closed since it was read.
    while not store_new_signature(signature):
        existing = petition.signatures.by_email(email).first()
        if existing is not None:  # else withdrawn since the INSERT met it: try again
            queue_signing_email(existing)
            return existing
    return signature


# The signature and its confirmation email in one statement, as store_new_signature() does
# through the ORM on other databases. The petition must accept signatures in this statement,
# as Petition.is_open says: a sign POST a moment after the closing time is refused however
# stale the caller's copy of the petition. ON CONFLICT: the unique constraint on the petition
# and the email decides whether this email has signed, so concurrent duplicates cannot both
# be stored, and a duplicate stores no email either.
INSERT_SIGNATURE_AND_EMAIL = """
WITH open_petition AS (
    SELECT id FROM petitions_petition
    WHERE id = %(petition_id)s AND state = 'open'
        AND (closes_at IS NULL OR closes_at > %(now)s)
),
signature AS (
    INSERT INTO petitions_signature (
        petition_id, name, email, country, comment, is_public, may_contact, postcode,
        organisation, job_title, phone, status, created_at, review_reason, ip_hash,
        network_hash
    )
    SELECT
        id, %(name)s, %(email)s, %(country)s, %(comment)s, %(is_public)s,
        %(may_contact)s, %(postcode)s, %(organisation)s, %(job_title)s, %(phone)s,
        %(status)s, %(created_at)s, %(review_reason)s, %(ip_hash)s, %(network_hash)s
    FROM open_petition
    ON CONFLICT DO NOTHING
    RETURNING id
),
email AS (
    INSERT INTO petitions_outgoingemail (
        kind, signature_id, language, created_at, send_after, attempts, last_error
    )
    SELECT %(kind)s, id, %(language)s, %(now)s, %(now)s, 0, '' FROM signature
    RETURNING signature_id
)
SELECT EXISTS (SELECT FROM open_petition), (SELECT signature_id FROM email)
"""


def store_new_signature(signature: Signature) -> bool:
    """Store a new, pending signature with the email that asks to confirm it, both or
    neither; False, storing nothing, if its email has signed the petition before. Raises
    PetitionNotOpen, storing nothing, if the petition no longer accepts signatures.

    On PostgreSQL in one statement: the sign POST is the hottest write of a viral petition,
    and save() plus the email's INSERT in a transaction cost several times its CPU
    (docs/performance.md has the figures).
    """
    language = translation.get_language() or ""
    if connection.vendor != "postgresql":
        try:
            with transaction.atomic():
                petitions = Petition.objects.select_for_update().accepting_signatures()
                if not petitions.filter(pk=signature.petition_id).exists():
                    raise PetitionNotOpen(signature.petition_id)
                signature.save(force_insert=True)
                outbox.queue(OutgoingEmail.Kind.CONFIRM, signature=signature, language=language)
        except IntegrityError:
            return False
        return True
    stored = vars(signature)  # the values as assigned: the country's code, not a Country
    values = {
        field.attname: field.db_default  # left to its database default (a plain value)
        if isinstance(stored[field.attname], DatabaseDefault)
        else stored[field.attname]
        for field in Signature._meta.concrete_fields
        if not field.primary_key
    }
    with connection.cursor() as cursor:
        cursor.execute(
            INSERT_SIGNATURE_AND_EMAIL,
            {
                **values,
                "now": timezone.now(),
                "kind": OutgoingEmail.Kind.CONFIRM,
                "language": language,
            },
        )
        is_open, pk = cursor.fetchone()
    if not is_open:
        raise PetitionNotOpen(signature.petition_id)
    if pk is None:
        return False
    vars(signature).update(values, id=pk)
    signature._state.adding, signature._state.db = False, connection.alias
    return True


def request_new_link(*, petition: Petition, email: str) -> None:
    """Resend the confirmation link for this email's signature, if there is one. Raises
    PetitionNotOpen once the petition has closed: a link could only say so."""
    if not petition.is_open:
        raise PetitionNotOpen(petition.slug)
    signature = petition.signatures.by_email(email).first()
    if signature is not None:
        queue_signing_email(signature)
