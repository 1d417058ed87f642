"""Keeping as little personal data as the site needs, for as short a time."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from petitions.models import OutgoingEmail, Signature


def purge_personal_data(now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    hash_cutoff = now - dt.timedelta(days=settings.ADDRESS_HASH_RETENTION_DAYS)
    pending_cutoff = now - dt.timedelta(days=settings.UNCONFIRMED_SIGNATURE_RETENTION_DAYS)
    with transaction.atomic():
        hashes = (
            Signature.objects.filter(created_at__lt=hash_cutoff)
            .exclude(ip_hash="", network_hash="")
            .update(ip_hash="", network_hash="")
        )
        # Unconfirmed signatures never counted, so deleting them leaves every counter as is.
        unconfirmed, _ = Signature.objects.pending().filter(created_at__lt=pending_cutoff).delete()
        emails, _ = OutgoingEmail.objects.filter(sent_at__lt=hash_cutoff).delete()
    return {"hashes": hashes, "unconfirmed": unconfirmed, "emails": emails}


def erase_person(email: str) -> int:
    """Delete every signature made with this address, on every petition; the counters follow.
    Returns how many rows were deleted, queued emails included."""
    with transaction.atomic():
        deleted, _ = Signature.objects.by_email(email).delete()
    return deleted
