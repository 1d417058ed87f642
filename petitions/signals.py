"""Wiring only: each receiver hands an event to a named function.

The counter moves inside the transaction that changes or deletes a signature, so it can
never disagree with the rows. Signature has no delete receivers, on purpose: a deleted
signature's counter moves through supporters_changed (SignatureQuerySet.delete), and with
a receiver Django's collector would load and signal every signature of a deleted petition.
(A new signature's confirmation email is stored with it, by
petitions.signing.store_new_signature, and sent by the worker once both have committed.)
"""

from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from petitions import milestones
from petitions.abuse import forget_blocklists
from petitions.models import (
    BlockedEmailDomain,
    BlockedNetwork,
    Delivery,
    PaperSignatures,
    Petition,
    Recipient,
    Signature,
    Update,
    signature_status_changed,
    supporter_delta,
    supporters_changed,
)


@receiver(signature_status_changed, dispatch_uid="petitions.count_status_change")
def on_signature_status_changed(sender, signature: Signature, old: str, **kwargs):
    if delta := supporter_delta(old, signature.status):
        milestones.count_supporters(signature.petition, delta)


@receiver(supporters_changed, dispatch_uid="petitions.count_changes")
def on_supporters_changed(sender, deltas: dict[int, int], **kwargs):
    milestones.count_supporters_each(deltas)


@receiver(post_save, sender=Recipient, dispatch_uid="petitions.recipient_saved")
@receiver(post_delete, sender=Recipient, dispatch_uid="petitions.recipient_deleted")
def on_recipient_changed(sender, instance: Recipient, origin=None, **kwargs):
    if not isinstance(origin, Petition):
        Petition.objects.filter(pk=instance.petition_id).touch()


@receiver(post_save, sender=PaperSignatures, dispatch_uid="petitions.paper_saved")
@receiver(post_delete, sender=PaperSignatures, dispatch_uid="petitions.paper_deleted")
def on_paper_signatures_changed(sender, instance: PaperSignatures, origin=None, **kwargs):
    # The appeal page shows the paper count: its cached copy is of the old version.
    if not isinstance(origin, Petition):
        Petition.objects.filter(pk=instance.petition_id).touch()


@receiver(post_save, sender=Delivery, dispatch_uid="petitions.delivery_saved")
@receiver(post_delete, sender=Delivery, dispatch_uid="petitions.delivery_deleted")
def on_delivery_changed(sender, instance: Delivery, origin=None, **kwargs):
    # Shown next to its recipient on the appeal page.
    if not isinstance(origin, (Petition, Recipient)):
        Petition.objects.filter(recipients=instance.recipient_id).touch()


@receiver(post_save, sender=Update, dispatch_uid="petitions.update_saved")
@receiver(post_delete, sender=Update, dispatch_uid="petitions.update_deleted")
def on_update_changed(sender, instance: Update, origin=None, **kwargs):
    # The petition's page lists its published updates; a draft is not on it.
    if instance.is_published and not isinstance(origin, Petition):
        Petition.objects.filter(pk=instance.petition_id).touch()


@receiver(post_save, sender=Petition, dispatch_uid="petitions.petition_saved")
def on_petition_saved(sender, instance: Petition, **kwargs):
    # This process shows the edit at once; others within APPEAL_STATE_MAX_AGE.
    transaction.on_commit(lambda: caches["pages"].delete(f"petition:{instance.slug}"))


@receiver(post_save, sender=BlockedEmailDomain, dispatch_uid="petitions.domain_saved")
@receiver(post_delete, sender=BlockedEmailDomain, dispatch_uid="petitions.domain_deleted")
@receiver(post_save, sender=BlockedNetwork, dispatch_uid="petitions.network_saved")
@receiver(post_delete, sender=BlockedNetwork, dispatch_uid="petitions.network_deleted")
def on_blocklist_changed(sender, **kwargs):
    # This process applies the change at once; others within BLOCKLIST_CACHE_SECONDS.
    transaction.on_commit(forget_blocklists)
