from django import forms
from django.contrib.auth.base_user import BaseUserManager
from django.utils.translation import gettext_lazy as _

from petitions.models import Signature

INVALID_EMAIL = _("Enter an email address like name@example.org.")


def normalize_email(value: str) -> str:
    """Trimmed, with the domain lower-cased (the local part may be case-sensitive)."""
    return BaseUserManager.normalize_email(value.strip())


class SignForm(forms.ModelForm):
    class Meta:
        model = Signature
        fields = ["name", "email", "country", "comment", "is_public", "may_contact"]
        labels = {
            "name": _("Full name"),
            "email": _("Email"),
            "country": _("Country"),
            "comment": _("Why are you signing? (optional)"),
            "is_public": _("Show my name and comment on this petition"),
            "may_contact": _("Let the petition's organizer email me about this campaign"),
        }
        help_texts = {"email": _("We send you a link to confirm your signature.")}
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "country": forms.Select(attrs={"autocomplete": "country"}),
            "comment": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "name": {"required": _("Enter your full name.")},
            "email": {
                "required": _("Enter your email address."),
                "invalid": INVALID_EMAIL,
            },
            "country": {"required": _("Choose your country.")},
        }

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])


class NewLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter the email address you signed with."),
            "invalid": INVALID_EMAIL,
        },
    )

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])
