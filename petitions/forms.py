import datetime as dt
import functools
import time
import unicodedata

import phonenumbers
from django import forms
from django.conf import global_settings, settings
from django.contrib.auth.base_user import BaseUserManager
from django.core import signing
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from petitions.models import EXTRA_FIELDS, Ask, Petition, Recipient, Signature
from petitions.starting import RecipientRow

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


def form_timestamp(now: float | None = None, *, shared: bool = False) -> str:
    """A signed note of the latest time the form can have reached its visitor, checked when
    it comes back. A form served to one visitor says when it was served. One in a page that
    shared caches keep (shared) is the same for every visitor of an interval of
    PUBLIC_PAGE_MAX_AGE seconds, and a cache may serve it for that long after the interval
    ends: its note names that moment, so that no copy can be sent back sooner than
    SIGN_FORM_MIN_SECONDS after its visitor received it."""
    now = time.time() if now is None else now
    interval = settings.PUBLIC_PAGE_MAX_AGE
    if shared and interval:
        now = (now // interval + 2) * interval
    return signed_second(int(now), settings.SECRET_KEY)


@functools.lru_cache(maxsize=4)
def signed_second(second: int, secret_key: str) -> str:
    # The same for every form served in that second: signed once, not for every page view.
    return signing.dumps(second, key=secret_key, salt=FORM_SALT)


def check_bot_fields(cleaned_data: dict) -> None:
    """The trap field and the signed timestamp of a public form (its `website` and `started`
    fields). They come back as errors on the whole form: a person sees them in the summary,
    with a fresh form to send again."""
    if cleaned_data.get("website"):
        raise forms.ValidationError(
            _("Your browser filled in a field that should stay empty. Please send the form again."),
            code="honeypot",
        )
    try:
        started = signing.loads(cleaned_data.get("started", ""), salt=FORM_SALT)
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
        check_bot_fields(self.cleaned_data)
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


# A petition started on the site: step one's title, then step two's whole petition.
START_TITLE_LABEL = _("What do you want to change, and who can do it?")
# The petition form's closing date: at most this far ahead, so that petitions end.
MAX_CLOSING_DAYS = 365
# The largest goal accepted: beyond any petition, and within the column's integers.
MAX_GOAL = 100_000_000
# Recipient rows the form starts with, and the most a petition may name.
BLANK_RECIPIENT_ROWS = 3
MAX_RECIPIENTS = 20


def petition_field(name: str, **kwargs) -> forms.Field:
    """The form field for a Petition field, so that lengths have one source."""
    return Petition._meta.get_field(name).formfield(**kwargs)


def language_choices() -> list[tuple[str, str]]:
    """Every language a petition may be written in, each named in itself (Français)."""
    return [
        (code, get_language_info(code)["name_local"]) for code, _name in global_settings.LANGUAGES
    ]


class StartTitleForm(forms.Form):
    """Step one: the title alone, to look for petitions like it before writing one."""

    title = petition_field(
        "title",
        label=START_TITLE_LABEL,
        help_text=_("This is your petition's title, e.g. “Free the river in Riverton”."),
        error_messages={"required": _("Enter what you want to change.")},
    )

    def clean_title(self) -> str:
        return clean_text(" ".join(self.cleaned_data["title"].split()))


class StartForm(forms.Form):
    """Step two: the petition as its starter writes it. The starter's email is left out
    when they edit it from a moderator's link, which proved it."""

    title = petition_field(
        "title",
        label=_("Title"),
        help_text=START_TITLE_LABEL,
        error_messages={"required": _("Enter what you want to change.")},
    )
    body = petition_field(
        "body",
        label=_("Why is it important?"),
        help_text=_("Blank lines separate paragraphs; write [text](https://…) for a link."),
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Say why it is important.")},
    )
    letter = petition_field(
        "letter",
        label=_("The letter to the decision makers"),
        help_text=_("Every signature adds its name to this letter."),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write the letter to the decision makers.")},
    )
    name = petition_field(
        "starter_name",
        label=_("Your name"),
        help_text=_("Shown on the petition as the person who started it."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Enter your name.")},
    )
    email = forms.EmailField(
        label=_("Your email"),
        max_length=254,
        help_text=_("We send you a link to confirm your petition. It is never shown."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": _("Enter your email address."), "invalid": INVALID_EMAIL},
    )
    language = forms.ChoiceField(
        label=_("Written in"),
        choices=language_choices,
        help_text=_("The language of your title, text and letter."),
        error_messages={"required": _("Choose the language of your petition.")},
    )
    closes_on = forms.DateField(
        required=False,
        label=_("Closing date (optional)"),
        help_text=_("Signing stops at the end of this day. At most a year from today."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date like 2030-12-31.")},
    )
    goal = forms.IntegerField(
        required=False,
        label=_("Goal (optional)"),
        help_text=_("The number of supporters to aim for."),
        min_value=1,
        max_value=MAX_GOAL,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": _("Enter a whole number of supporters, or leave it empty."),
            "min_value": _("Enter a goal of at least 1 supporter."),
            "max_value": _("Enter a goal of at most %(limit_value)s supporters."),
        },
    )
    # Bots fill every field; people never see this one (see .trap in site.css).
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["email"]

    def text_fields(self) -> list[forms.BoundField]:
        """The petition's words, shown before its recipients."""
        return [self[name] for name in ("title", "body", "letter")]

    def starter_fields(self) -> list[forms.BoundField]:
        """The rest, shown after the recipients: the starter and the petition's settings."""
        shown_before = {"title", "body", "letter", "website", "started"}
        return [self[name] for name in self.fields if name not in shown_before]

    def clean_title(self) -> str:
        return clean_text(" ".join(self.cleaned_data["title"].split()))

    def clean_body(self) -> str:
        return clean_text(self.cleaned_data["body"], multiline=True).strip()

    def clean_letter(self) -> str:
        return clean_text(self.cleaned_data["letter"], multiline=True).strip()

    def clean_name(self) -> str:
        return clean_text(" ".join(self.cleaned_data["name"].split()))

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])

    def clean_closes_on(self):
        closes_on = self.cleaned_data["closes_on"]
        today = timezone.localdate()
        if closes_on is not None and closes_on <= today:
            raise forms.ValidationError(_("Choose a closing date after today."), code="past")
        if closes_on is not None and closes_on > today + dt.timedelta(days=MAX_CLOSING_DAYS):
            raise forms.ValidationError(
                _("Choose a closing date at most a year from today."), code="too_far"
            )
        return closes_on

    def clean(self):
        check_bot_fields(self.cleaned_data)
        return self.cleaned_data

    def renew_bot_checks(self) -> None:
        """Before showing a sent form again: a fresh timestamp and an empty trap."""
        self.data = self.data.copy()
        self.data["started"] = form_timestamp()
        self.data["website"] = ""

    def petition_fields(self) -> dict:
        """What start_petition() and resubmit() take; the closing date becomes the end of
        that day in the site's time zone."""
        data = self.cleaned_data
        closes_on = data["closes_on"]
        closes_at = None
        if closes_on is not None:
            closes_at = timezone.make_aware(dt.datetime.combine(closes_on, dt.time(23, 59)))
        fields = {
            "title": data["title"],
            "body": data["body"],
            "letter": data["letter"],
            "starter_name": data["name"],
            "language": data["language"],
            "closes_at": closes_at,
            "goal": data["goal"],
        }
        if "email" in data:
            fields["organizer_email"] = data["email"]
        return fields

    @classmethod
    def initial_from(cls, petition: Petition) -> dict:
        """The form filled in with a petition, to edit it."""
        closes_at = petition.closes_at
        return {
            "title": petition.title,
            "body": petition.body,
            "letter": petition.letter,
            "name": petition.starter_name,
            "language": petition.language,
            "closes_on": timezone.localdate(closes_at) if closes_at else None,
            "goal": petition.goal,
            "started": form_timestamp(),
        }


class RecipientForm(forms.Form):
    """One decision maker the letter goes to; a row left empty is ignored."""

    name = Recipient._meta.get_field("name").formfield(
        label=_("Name"),
        help_text=_("e.g. Jo Bank"),
        error_messages={"required": _("Enter the name of this decision maker.")},
    )
    role = Recipient._meta.get_field("role").formfield(
        label=_("Role"),
        help_text=_("e.g. Mayor of Riverton"),
        error_messages={"required": _("Enter the role of this decision maker.")},
    )

    def clean_name(self) -> str:
        return clean_text(" ".join(self.cleaned_data["name"].split()))

    def clean_role(self) -> str:
        return clean_text(" ".join(self.cleaned_data["role"].split()))


class BaseRecipientFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": _("Name at most %(num)d decision makers."),
        "missing_management_form": _("Your form was incomplete. Please send it again."),
    }

    def initial_form_count(self) -> int:
        # Every row may be left empty, also those filled in from the petition or from the
        # previous page: a row counts only once it has a name or a role.
        return 0

    def clean(self):
        if any(self.errors) or not self.management_form.is_valid():  # those errors first
            return
        if not self.rows():
            raise forms.ValidationError(
                _("Name at least one decision maker who can make the change."),
                code="no_recipient",
            )

    def rows(self) -> list[RecipientRow]:
        return [
            RecipientRow(name=f.cleaned_data["name"], role=f.cleaned_data["role"])
            for f in self.forms
            if f.cleaned_data
        ]


RecipientFormSet = forms.formset_factory(
    RecipientForm,
    formset=BaseRecipientFormSet,
    extra=0,
    max_num=MAX_RECIPIENTS,
    absolute_max=MAX_RECIPIENTS,
    validate_max=True,
)


def recipient_formset(data=None, *, rows: list[dict] = (), blank: int = BLANK_RECIPIENT_ROWS):
    """The recipients' rows: bound to a POST, or filled in with `rows` and followed by
    `blank` empty ones, up to MAX_RECIPIENTS."""
    if data is not None:
        return RecipientFormSet(data, prefix="recipients")
    formset = RecipientFormSet(initial=list(rows), prefix="recipients")
    formset.extra = min(len(rows) + blank, MAX_RECIPIENTS)
    return formset


def posted_recipient_rows(data) -> list[dict]:
    """The recipients' rows as posted, unchecked, to show again with one more."""
    try:
        total = min(int(data.get("recipients-TOTAL_FORMS", 0)), MAX_RECIPIENTS)
    except ValueError:
        total = 0
    return [
        {
            "name": data.get(f"recipients-{i}-name", "")[:200],
            "role": data.get(f"recipients-{i}-role", "")[:200],
        }
        for i in range(total)
    ]
