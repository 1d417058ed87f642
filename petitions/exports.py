"""Signatures as CSV, for the admin's download and for manage.py export_signatures; and the
printable delivery pack.

One generator serves both. It reads the rows through a server-side cursor (values_list with
iterator()) and yields the file a few thousand rows at a time, so a download starts at once
and memory stays flat whatever the petition's size. The file opens cleanly in spreadsheets:
UTF-8 with a byte-order mark, quoting by the csv module, and every cell a spreadsheet would
run as a formula neutralised with a leading single quote (OWASP, "CSV Injection").
"""

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django import forms
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django_countries import countries

from petitions.models import Petition, Signature

BOM = "\ufeff"
# Rows fetched from the server-side cursor, and written, per chunk.
CHUNK_ROWS = 2_000
# Signers per numbered list in the delivery pack (a page or so each when printed).
SIGNERS_PER_LIST = 150
# A cell starting with one of these is a formula to a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = [
    "name",
    "email",
    "country",
    "country_name",
    "comment",
    "signed_at",
    "confirmed_at",
    "is_public",
    "may_contact",
    "status",
]


def neutralise(value: str) -> str:
    """The cell as text a spreadsheet shows rather than runs."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def iso(value: dt.datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else ""


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def streamed(rows) -> Iterator[tuple]:
    """A values_list query's rows through a server-side cursor, CHUNK_ROWS at a time.

    In a transaction the cursor streams; outside one (autocommit) Django declares it WITH
    HOLD, and PostgreSQL would first copy the whole result before sending the first row.
    """
    with transaction.atomic():
        yield from rows.iterator(chunk_size=CHUNK_ROWS)


class Chunk:
    """A pseudo-buffer for csv.writer: keeps what is written until taken."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        return text


@dataclass(frozen=True, kw_only=True)
class SignatureExport:
    """Which signatures of a petition to export, and whether with their email addresses."""

    petition: Petition
    confirmed_only: bool = False
    since: dt.date | None = None
    until: dt.date | None = None
    country: str = ""
    include_email: bool = False

    @property
    def columns(self) -> list[str]:
        return [c for c in COLUMNS if c != "email" or self.include_email]

    @property
    def filename(self) -> str:
        return f"{self.petition.slug}-signatures-{timezone.localdate().isoformat()}.csv"

    def signatures(self):
        """The signatures to export, in signing order (the signature_signed_idx index)."""
        signatures = Signature.objects.filter(petition=self.petition)
        if self.confirmed_only:
            signatures = signatures.confirmed()
        if self.since:
            signatures = signatures.filter(created_at__gte=day_start(self.since))
        if self.until:
            signatures = signatures.filter(
                created_at__lt=day_start(self.until + dt.timedelta(days=1))
            )
        if self.country:
            signatures = signatures.filter(country=self.country)
        return signatures.order_by("created_at", "id")

    def rows(self) -> Iterator[list[str]]:
        """The cells of each signature, in the order of self.columns."""
        names = dict(countries)
        fields = ["name", "country", "comment", "created_at", "confirmed_at"]
        fields += ["is_public", "may_contact", "status", *(["email"] if self.include_email else [])]
        for name, country, comment, signed, confirmed, public, contact, status, *email in streamed(
            self.signatures().values_list(*fields)
        ):
            yield [
                neutralise(name),
                *map(neutralise, email),
                country,
                names.get(country, ""),
                neutralise(comment),
                iso(signed),
                iso(confirmed),
                "yes" if public else "no",
                "yes" if contact else "no",
                status,
            ]

    def chunks(self) -> Iterator[str]:
        """The CSV file, BOM and header first, then CHUNK_ROWS rows per chunk."""
        buffer = Chunk()
        writer = csv.writer(buffer)
        writer.writerow(self.columns)
        yield BOM + buffer.take()
        for n, row in enumerate(self.rows(), start=1):
            writer.writerow(row)
            if n % CHUNK_ROWS == 0:
                yield buffer.take()
        if tail := buffer.take():
            yield tail


def delivery_pack(petition: Petition) -> Iterator[str]:
    """The printable delivery pack as HTML: the letter and its recipients, then every
    confirmed signer's name and country in signing order, streamed in numbered lists of
    SIGNERS_PER_LIST so that even a petition of millions prints without a page in memory."""
    context = {"petition": petition, "recipients": petition.recipients.all()}
    yield render_to_string("admin/petitions/petition/delivery_pack_start.html", context)
    names = dict(countries)
    rows = streamed(
        petition.signatures.confirmed().order_by("created_at", "id").values_list("name", "country")
    )
    signers, n = [], 0
    for n, (name, country) in enumerate(rows, start=1):
        if n % SIGNERS_PER_LIST == 1:
            signers = [f'<ol class="signers" start="{n}">']
        signers.append(
            f"<li>{escape(name)} <span>{escape(names.get(country, country))}</span></li>"
        )
        if n % SIGNERS_PER_LIST == 0:
            yield "\n".join([*signers, "</ol>\n"])
    if n % SIGNERS_PER_LIST:
        yield "\n".join([*signers, "</ol>\n"])
    yield render_to_string("admin/petitions/petition/delivery_pack_end.html", context)


class ExportForm(forms.Form):
    """The admin's export options; only validates."""

    confirmed_only = forms.BooleanField(
        required=False, initial=True, label="Only confirmed signatures"
    )
    since = forms.DateField(
        required=False, label="Signed on or after", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="Signed on or before", widget=forms.DateInput(attrs={"type": "date"})
    )
    country = forms.ChoiceField(
        required=False, choices=[("", "All countries"), *countries], label="Country"
    )

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise forms.ValidationError("The first day comes after the last one.")
        return cleaned
