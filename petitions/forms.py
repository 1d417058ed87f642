import functools
import time
import unicodedata

import phonenumbers
from django import forms
from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.core import signing
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from petitions.models import EXTRA_FIELDS, Ask, Petition, Signature

FORM_SALT = "petitions.sign-form.started"
# Bidirectional embeddings, overrides and isolates: they can make a name read as another.
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
INVALID_EMAIL = _("Enter an email address like name@example.org.")
# django-localflavor's postcode field for each country it validates (tests/test_extra_fields.py
# checks that each imports); other countries' postcodes are kept as typed, trimmed. Imported
# when first needed: most sign forms never ask for a postcode.
POSTCODE_FIELDS = {
    "AR": "localflavor.ar.forms.ARPostalCodeField",
    "AT": "localflavor.at.forms.ATZipCodeField",
    "AU": "localflavor.au.forms.AUPostCodeField",
    "BE": "localflavor.be.forms.BEPostalCodeField",
    "BR": "localflavor.br.forms.BRZipCodeField",
    "BY": "localflavor.by.forms.BYPostalCodeField",
    "CA": "localflavor.ca.forms.CAPostalCodeField",
    "CH": "localflavor.ch.forms.CHZipCodeField",
    "CN": "localflavor.cn.forms.CNPostCodeField",
    "CU": "localflavor.cu.forms.CUPostalCodeField",
    "CZ": "localflavor.cz.forms.CZPostalCodeField",
    "DE": "localflavor.de.forms.DEZipCodeField",
    "DK": "localflavor.dk.forms.DKPostalCodeField",
    "EE": "localflavor.ee.forms.EEZipCodeField",
    "ES": "localflavor.es.forms.ESPostalCodeField",
    "FI": "localflavor.fi.forms.FIZipCodeField",
    "FR": "localflavor.fr.forms.FRZipCodeField",
    "GB": "localflavor.gb.forms.GBPostcodeField",
    "GR": "localflavor.gr.forms.GRPostalCodeField",
    "HR": "localflavor.hr.forms.HRPostalCodeField",
    "ID": "localflavor.id_.forms.IDPostCodeField",
    "IL": "localflavor.il.forms.ILPostalCodeField",
    "IN": "localflavor.in_.forms.INZipCodeField",
    "IR": "localflavor.ir.forms.IRPostalCodeField",
    "IT": "localflavor.it.forms.ITZipCodeField",
    "JP": "localflavor.jp.forms.JPPostalCodeField",
    "LT": "localflavor.lt.forms.LTPostalCodeField",
    "LV": "localflavor.lv.forms.LVPostalCodeField",
    "MA": "localflavor.ma.forms.MAPostalCodeField",
    "MT": "localflavor.mt.forms.MTPostalCodeField",
    "MX": "localflavor.mx.forms.MXZipCodeField",
    "NL": "localflavor.nl.forms.NLZipCodeField",
    "NO": "localflavor.no.forms.NOZipCodeField",
    "NZ": "localflavor.nz.forms.NZPostCodeField",
    "PK": "localflavor.pk.forms.PKPostCodeField",
    "PL": "localflavor.pl.forms.PLPostalCodeField",
    "PT": "localflavor.pt.forms.PTZipCodeField",
    "RO": "localflavor.ro.forms.ROPostalCodeField",
    "RU": "localflavor.ru.forms.RUPostalCodeField",
    "SE": "localflavor.se.forms.SEPostalCodeField",
    "SG": "localflavor.sg.forms.SGPostCodeField",
    "SK": "localflavor.sk.forms.SKPostalCodeField",
    "TR": "localflavor.tr.forms.TRPostalCodeField",
    "UA": "localflavor.ua.forms.UAPostalCodeField",
    "US": "localflavor.us.forms.USZipCodeField",
    "ZA": "localflavor.za.forms.ZAPostCodeField",
}


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


def postcode_in(country: str, value: str) -> str:
    """The postcode as localflavor writes it for the country (SW1A 1AA), where it knows the
    country's format; elsewhere as typed."""
    if country not in POSTCODE_FIELDS:
        return value
    try:
        return import_string(POSTCODE_FIELDS[country])(required=False).clean(value)
    except forms.ValidationError as error:
        # Some fields add a length error to the format's: the format says it all.
        raise forms.ValidationError(
            [e for e in error.error_list if e.code == "invalid"] or error.error_list
        ) from None


def phone_in(country: str, value: str) -> str:
    """The number in E.164 (+442079460958), read as dialled from the country unless it starts
    with its own country code."""
    try:
        number = phonenumbers.parse(value, country)
        valid = phonenumbers.is_valid_number(number)
    except phonenumbers.NumberParseException:
        valid = False
    if not valid:
        raise invalid_phone(country)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def invalid_phone(country: str) -> forms.ValidationError:
    """The error, with an example of a number as dialled in the country where there is one."""
    example = phonenumbers.example_number(country)  # None for a few territories
    if example is None:
        return forms.ValidationError(
            _("Enter a phone number with its country code, like +44 20 7946 0958."),
            code="invalid_phone",
        )
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    return forms.ValidationError(
        _("Enter a phone number that can be dialled, like %(example)s."),
        code="invalid_phone",
        params={"example": national},
    )


PHONE_HELP = _("For a number outside the country you chose, start with + and its country code.")


class TelInput(forms.TextInput):
    input_type = "tel"


# The extra fields a petition may ask for: their labels when required and when optional,
# what a browser fills them with, and the message when a required one is missing.
EXTRA_FORM_FIELDS = {
    "postcode": (_("Postcode"), _("Postcode (optional)"), "postal-code", _("Enter your postcode.")),
    "organisation": (
        _("Organisation"),
        _("Organisation (optional)"),
        "organization",
        _("Enter your organisation."),
    ),
    "job_title": (
        _("Job title"),
        _("Job title (optional)"),
        "organization-title",
        _("Enter your job title."),
    ),
    "phone": (
        _("Phone number"),
        _("Phone number (optional)"),
        "tel",
        _("Enter your phone number."),
    ),
}


def extra_field(name: str, ask: str) -> forms.Field:
    label, optional_label, autocomplete, missing = EXTRA_FORM_FIELDS[name]
    required = ask == Ask.REQUIRED
    widget = TelInput if name == "phone" else forms.TextInput
    return model_field(
        name,
        required=required,
        label=label if required else optional_label,
        help_text=PHONE_HELP if name == "phone" else "",
        widget=widget(attrs={"autocomplete": autocomplete}),
        error_messages={"required": missing},
    )


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

    def __init__(self, *args, petition: Petition, **kwargs):
        """The form for this petition: with the extra fields it asks for, after the
        country (their postcode and phone number are read by the country's rules)."""
        super().__init__(*args, **kwargs)
        asked = {name: extra_field(name, petition.asks(name)) for name in petition.asked_fields}
        if asked:
            fields = list(self.fields.items())
            at = list(self.fields).index("country") + 1
            self.fields = dict([*fields[:at], *asked.items(), *fields[at:]])

    def clean_name(self) -> str:
        return clean_text(" ".join(self.cleaned_data["name"].split()))

    def clean_organisation(self) -> str:
        return clean_text(" ".join(self.cleaned_data["organisation"].split()))

    def clean_job_title(self) -> str:
        return clean_text(" ".join(self.cleaned_data["job_title"].split()))

    def clean_postcode(self) -> str:
        return clean_text(" ".join(self.cleaned_data["postcode"].split()))

    def clean_phone(self) -> str:
        return clean_text(self.cleaned_data["phone"].strip())

    def clean_comment(self) -> str:
        return clean_text(self.cleaned_data["comment"], multiline=True).strip()

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])

    def clean(self):
        self.clean_by_country()
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

    def clean_by_country(self) -> None:
        """The postcode and the phone number, read by the rules of the signer's country."""
        country = self.cleaned_data.get("country")
        if not country:  # its own error says what to do first
            return
        for name, clean in (("postcode", postcode_in), ("phone", phone_in)):
            if self.cleaned_data.get(name):
                try:
                    self.cleaned_data[name] = clean(country, self.cleaned_data[name])
                except forms.ValidationError as error:
                    self.add_error(name, error)

    def renew_bot_checks(self) -> None:
        """Before showing a sent form again: a fresh timestamp and an empty trap."""
        self.data = self.data.copy()
        self.data["started"] = form_timestamp()
        self.data["website"] = ""

    def signature_fields(self) -> dict:
        """What sign_petition() takes: the cleaned data without the bot checks, and the
        extra fields the petition does not ask for empty."""
        fields = {k: v for k, v in self.cleaned_data.items() if k not in ("website", "started")}
        return {**dict.fromkeys(EXTRA_FIELDS, ""), **fields}


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
