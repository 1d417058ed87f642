"""Wiring only: each receiver hands an event to a named function.

The counter moves inside the transaction that changes or deletes a signature, so it can
never disagree with the rows; email leaves only once the signature has been committed.
"""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from petitions import emails, milestones
from petitions.models import Petition, Signature, signature_status_changed


@receiver(post_save, sender=Signature, dispatch_uid="petitions.send_confirmation_request")
def on_signature_created(sender, instance: Signature, created: bool, raw=False, **kwargs):
    if created and not raw and instance.status == Signature.Status.PENDING:
        transaction.on_commit(partial(emails.send_confirmation_request, instance))


def supporter_delta(old: str, new: str) -> int:
    confirmed = Signature.Status.CONFIRMED
    return (new == confirmed) - (old == confirmed)


@receiver(signature_status_changed, dispatch_uid="petitions.count_status_change")
def on_signature_status_changed(sender, signature: Signature, old: str, **kwargs):
    if delta := supporter_delta(old, signature.status):
        Petition.objects.filter(pk=signature.petition_id).add_supporters(delta)


# Connected after the counter's receiver, so it runs after the counter has moved.
@receiver(signature_status_changed, dispatch_uid="petitions.announce_milestone")
def on_supporter_added(sender, signature: Signature, old: str, **kwargs):
    if supporter_delta(old, signature.status) > 0:
        milestones.announce_milestone(petition_id=signature.petition_id)


@receiver(post_delete, sender=Signature, dispatch_uid="petitions.uncount_deleted_signature")
def on_signature_deleted(sender, instance: Signature, origin=None, **kwargs):
    # When the whole petition is being deleted there is no counter left to keep.
    if instance.is_confirmed and not isinstance(origin, Petition):
        Petition.objects.filter(pk=instance.petition_id).add_supporters(-1)
