from django import forms
from django.contrib.auth.base_user import BaseUserManager
from django_countries import countries

from petitions.models import Signature


def normalize_email(value: str) -> str:
    """Trimmed, with the domain lower-cased (the local part may be case-sensitive)."""
    return BaseUserManager.normalize_email(value.strip())


def country_choices() -> list[tuple[str, str]]:
    return [("", "Choose your country"), *countries]


class CountryField(forms.ChoiceField):
    """django-countries' choices in the active language, checked by a dict lookup rather
    than a scan of all 250. Callable choices are also what keeps forms cheap to build."""

    def __init__(self, **kwargs):
        super().__init__(choices=country_choices, **kwargs)

    def valid_value(self, value) -> bool:
        return value in countries


def model_field(name: str, **kwargs) -> forms.Field:
    """The form field for a Signature field, so that lengths and labels have one source."""
    return Signature._meta.get_field(name).formfield(**kwargs)


class SignForm(forms.Form):
    # A plain form: the sign action stores the signature, and the database enforces what a
    # form cannot know (one signature per email).
    name = model_field(
        "name",
        label="Full name",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Enter your full name."},
    )
    email = model_field(
        "email",
        label="Email",
        help_text="We send you a link to confirm your signature.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address like name@example.org.",
        },
    )
    country = CountryField(
        label="Country",
        widget=forms.Select(attrs={"autocomplete": "country"}),
        error_messages={"required": "Choose your country."},
    )
    comment = model_field(
        "comment", label="Why are you signing? (optional)", widget=forms.Textarea(attrs={"rows": 3})
    )
    is_public = model_field("is_public", label="Show my name and comment on this petition")
    may_contact = model_field(
        "may_contact", label="Let the petition's organizer email me about this campaign"
    )

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])


class NewLinkForm(forms.Form):
    email = forms.EmailField(
        label="Your email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter the email address you signed with.",
            "invalid": "Enter an email address like name@example.org.",
        },
    )

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])
