"""Deliveries: the letter and the signatures handed to the decision makers, recorded with the
counts delivered, so that the page can say "Delivered by hand on 2 May 2013, with 12,345
signatures" even after more people sign."""

import datetime as dt

from django import forms
from django.db import transaction
from django.utils import timezone

from petitions.models import Delivery, Petition, Recipient


class DeliveryForm(forms.Form):
    """The admin's "Record a delivery" form; only validates."""

    recipients = forms.ModelMultipleChoiceField(
        queryset=Recipient.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one recipient."},
    )
    delivered_on = forms.DateField(
        label="Delivered on", widget=forms.DateInput(attrs={"type": "date"})
    )
    method = forms.ChoiceField(label="How", choices=Delivery.Method.choices)
    note = forms.CharField(label="Note", max_length=200, required=False)
    # When the delivery pack that was handed over was made, passed on from its header.
    pack_made_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, petition: Petition, **kwargs):
        super().__init__(*args, **kwargs)
        recipients = petition.recipients.all()
        self.fields["recipients"].queryset = recipients
        self.fields["recipients"].initial = list(recipients)
        self.fields["delivered_on"].initial = timezone.localdate()

    def clean_delivered_on(self) -> dt.date:
        delivered_on = self.cleaned_data["delivered_on"]
        if delivered_on > timezone.localdate():
            raise forms.ValidationError("A delivery cannot be recorded before it happens.")
        return delivered_on

    def clean_pack_made_at(self) -> dt.datetime | None:
        made_at = self.cleaned_data["pack_made_at"]
        if made_at is not None and made_at > timezone.now():
            raise forms.ValidationError("The delivery pack's time is in the future.")
        return made_at


def record_deliveries(
    *,
    petition: Petition,
    recipients: list[Recipient],
    delivered_on: dt.date,
    method: str,
    note: str = "",
    pack_made_at: dt.datetime | None = None,
) -> list[Delivery]:
    """One Delivery per recipient, with the petition's online and paper counts as they are
    now: what was handed over stays recorded as more people sign."""
    with transaction.atomic():
        online, paper = petition.supporters, petition.paper_count
        deliveries = Delivery.objects.bulk_create(
            Delivery(
                recipient=recipient,
                delivered_on=delivered_on,
                method=method,
                signatures=online,
                paper_signatures=paper,
                pack_made_at=pack_made_at,
                note=note,
            )
            for recipient in recipients
        )
        # bulk_create sends no signals: the appeal page shows deliveries, so renew it here.
        Petition.objects.filter(pk=petition.pk).touch()
    return deliveries
