"""Decision makers' responses: recorded on their Recipient, shown next to them on the appeal
page, and offered to the organizer as an update to send to supporters."""

from urllib.parse import urlencode

from django import forms
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext

from petitions.models import Recipient

PDF_MAGIC = b"%PDF-"


class RecipientForm(forms.ModelForm):
    """The recipient's admin form: the model checks the extension and that a response has
    its date (response_has_its_date); this also looks inside the file, so that a renamed
    document is not published as a PDF."""

    class Meta:
        model = Recipient
        fields = [
            "petition",
            "position",
            "role",
            "name",
            "responded_on",
            "response",
            "response_url",
            "response_file",
        ]

    response_url = forms.URLField(
        label="Link to the response", required=False, assume_scheme="https", max_length=200
    )

    def clean_response_file(self):
        upload = self.cleaned_data.get("response_file")
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            start = upload.read(len(PDF_MAGIC))
            upload.seek(0)
            if start != PDF_MAGIC:
                raise forms.ValidationError("Upload a PDF document: this file is not one.")
        return upload


def update_prefill_url(recipient: Recipient) -> str:
    """The admin's "add update" form, filled in from the response, in the petition's
    language; empty without a response or without the updates' admin."""
    if not recipient.has_response:
        return ""
    try:
        path = reverse("admin:petitions_update_add")
    except NoReverseMatch:
        return ""
    with translation.override(recipient.petition.language):
        title = gettext("Response from %(recipient)s") % {"recipient": recipient}
    body = recipient.response
    if recipient.response_url:
        body = f"{body}\n\n{recipient.response_url}".strip()
    query = urlencode({"petition": recipient.petition_id, "title": title, "body": body})
    return f"{path}?{query}"
