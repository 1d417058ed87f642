import functools
import time
import unicodedata

from django import forms
from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.core import signing
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from petitions.models import Signature

FORM_SALT = "petitions.sign-form.started"
# Bidirectional embeddings, overrides and isolates: they can make a name read as another.
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
INVALID_EMAIL = _("Enter an email address like name@example.org.")


def normalize_email(value: str) -> str:
    """Trimmed, with the domain lower-cased (the local part may be case-sensitive)."""
    return BaseUserManager.normalize_email(value.strip())


def clean_text(value: str, *, multiline: bool = False) -> str:
    """NFC-normalised text without control characters or bidirectional overrides."""
    value = unicodedata.normalize("NFC", value)
    allowed = {"\n", "\t"} if multiline else set()
    value = value.replace("\r\n", "\n") if multiline else value
    for char in value:
        if char in BIDI_CONTROLS or (unicodedata.category(char) == "Cc" and char not in allowed):
            raise forms.ValidationError(
                _("Remove the invisible control characters (U+%(code)04X) from this text."),
                code="control_character",
                params={"code": ord(char)},
            )
    return value


def form_timestamp(now: float | None = None) -> str:
    """A signed note of when the form was served, checked when it comes back."""
    return signed_second(int(now if now is not None else time.time()), settings.SECRET_KEY)


@functools.lru_cache(maxsize=4)
def signed_second(second: int, secret_key: str) -> str:
    # The same for every form served in that second: signed once, not for every page view.
    return signing.dumps(second, key=secret_key, salt=FORM_SALT)


def country_choices() -> list[tuple[str, str]]:
    return [("", _("Choose your country")), *countries]


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
        label=_("Full name"),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Enter your full name.")},
    )
    email = model_field(
        "email",
        label=_("Email"),
        help_text=_("We send you a link to confirm your signature."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": INVALID_EMAIL,
        },
    )
    country = CountryField(
        label=_("Country"),
        widget=forms.Select(attrs={"autocomplete": "country"}),
        error_messages={"required": _("Choose your country.")},
    )
    comment = model_field(
        "comment",
        label=_("Why are you signing? (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    is_public = model_field("is_public", label=_("Show my name and comment on this petition"))
    may_contact = model_field(
        "may_contact", label=_("Let the petition's organizer email me about this campaign")
    )

    # Bots fill every field; people never see this one (see .trap in site.css).
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    # When the form was served, signed: see clean().
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_name(self) -> str:
        return clean_text(" ".join(self.cleaned_data["name"].split()))

    def clean_comment(self) -> str:
        return clean_text(self.cleaned_data["comment"], multiline=True).strip()

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])

    def clean(self):
        # Bot checks come back as errors on the whole form: a person sees them in the
        # summary, with a fresh form to send again.
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(
                _(
                    "Your browser filled in a field that should stay empty. Please send the "
                    "form again."
                ),
                code="honeypot",
            )
        try:
            started = signing.loads(self.cleaned_data.get("started", ""), salt=FORM_SALT)
        except signing.BadSignature:
            raise forms.ValidationError(
                _("Your form was incomplete. Please send it again."), code="form_tampered"
            ) from None
        if time.time() - started > settings.SIGN_FORM_MAX_AGE:
            raise forms.ValidationError(
                _(
                    "This page was opened a long time ago. Please check your details and send "
                    "the form again."
                ),
                code="form_expired",
            )
        if time.time() - started < settings.SIGN_FORM_MIN_SECONDS:
            raise forms.ValidationError(
                _(
                    "That was quicker than we expected from a person. Please check your "
                    "details and send the form again."
                ),
                code="too_fast",
            )
        return self.cleaned_data

    def renew_bot_checks(self) -> None:
        """Before showing a sent form again: a fresh timestamp and an empty trap."""
        self.data = self.data.copy()
        self.data["started"] = form_timestamp()
        self.data["website"] = ""

    def signature_fields(self) -> dict:
        """What sign_petition() takes: the cleaned data without the bot checks."""
        return {k: v for k, v in self.cleaned_data.items() if k not in ("website", "started")}


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
