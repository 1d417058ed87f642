"""Signatures as CSV, for the admin's download and for manage.py export_signatures; and the
printable delivery pack.

One generator (SignatureExport.chunks) serves the admin and the command. On PostgreSQL the
database writes the CSV itself (COPY ... TO STDOUT), streamed on in 64 KB chunks; elsewhere
the rows come through a server-side cursor and Python writes them. Either way a download
starts at once and memory stays flat whatever the petition's size. The file opens cleanly in
spreadsheets: UTF-8 with a byte-order mark, cells quoted when they hold a comma, a quote or a
line break, and every cell a spreadsheet would run as a formula neutralised with a leading
single quote (OWASP, "CSV Injection"). docs/performance.md has its measurements.
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from django import forms
from django.db import connections, transaction
from django.db.models import Case, CharField, F, Func, Value, When
from django.db.models.functions import Coalesce, Concat, Ord
from django.db.models.lookups import In
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django_countries import countries

from petitions.countries import country_shares
from petitions.models import EXTRA_FIELDS, Petition, Signature

BOM = "\ufeff"
# What makes the csv module quote a cell (with the delimiter, counted separately).
QUOTE_OR_LINE_BREAK = re.compile('["\r\n]')
# Rows fetched from the server-side cursor, and written, per chunk.
CHUNK_ROWS = 5_000
# Bytes of COPY's output passed on per chunk (a multi-byte character never straddles two
# chunks: COPY's messages are whole rows).
COPY_CHUNK_BYTES = 64 * 1024
# Signers per numbered list in the delivery pack (a page or so each when printed).
SIGNERS_PER_LIST = 150
# A cell starting with one of these is a formula to a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_CODES = [ord(c) for c in FORMULA_STARTS]  # compared as numbers: cheaper in SQL
COLUMNS = [
    "name",
    "email",
    "country",
    "country_name",
    # The extra fields, each only if the petition asks for it.
    "postcode",
    "organisation",
    "job_title",
    "phone",
    "comment",
    "signed_at",
    "confirmed_at",
    "is_public",
    "may_contact",
    "status",
]


def spreadsheet_safe(field: str) -> Case:
    """The text field as a cell a spreadsheet shows rather than runs: prefixed with a single
    quote when it begins like a formula. Computed by the database, with the other cells."""
    return Case(
        When(In(Ord(field), FORMULA_CODES), then=Concat(Value("'"), field)),
        default=F(field),
        output_field=CharField(),
    )


def yes_no(field: str) -> Case:
    return Case(When(**{field: True}, then=Value("yes")), default=Value("no"))


class IsoTimestamp(Func):
    """A timestamp as ISO 8601 text in UTC to the second, e.g. 2026-03-10T12:00:00+00:00,
    formatted by the database: parsing a million timestamps into Python objects only to print
    them again took longer than all the rest of the export."""

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        # Cheaper than to_char(): the type's own output (ISO, the DateStyle psycopg needs to
        # read any timestamp), with a T for the space.
        template = (
            "replace(date_trunc('second', %(expressions)s AT TIME ZONE 'UTC')::text, ' ', 'T')"
            " || '+00:00'"
        )
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        # Django's SQLite backend stores UTC as text; '%%%%' becomes '%' by the time it runs.
        template = "strftime('%%%%Y-%%%%m-%%%%dT%%%%H:%%%%M:%%%%S+00:00', %(expressions)s)"
        return self.as_sql(compiler, connection, template=template, **extra)


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def streamed(rows) -> Iterator[tuple]:
    """A values_list query's rows through a server-side cursor, CHUNK_ROWS at a time.

    In a transaction the cursor streams; outside one (autocommit) Django declares it WITH
    HOLD, and PostgreSQL would first copy the whole result before sending the first row.
    """
    with transaction.atomic(using=rows.db):
        yield from rows.iterator(chunk_size=CHUNK_ROWS)


def csv_cell(text: str) -> str:
    """The text as a CSV cell, quoted if it holds a comma, a quote or a line break."""
    if "," in text or QUOTE_OR_LINE_BREAK.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


class Chunk(io.StringIO):
    """A pseudo-buffer for csv.writer that holds one chunk of the file at a time."""

    def __init__(self):
        super().__init__()
        # Rows end in a line feed, as PostgreSQL's COPY writes them (spreadsheets read both).
        self.writer = csv.writer(self, lineterminator="\n")

    def write_rows(self, rows: list[list[str]]) -> None:
        """Write rows as PostgreSQL's COPY does, fast.

        A cell is quoted only when it holds the delimiter, a quote or a line break. Most rows
        have none: joined with commas they are already correct CSV, and checking that takes
        two C-speed scans of the line, where the csv module's writer costs several
        microseconds a row. The other rows have their cells quoted here, not by the csv
        module, which leaves a carriage return bare unless its line terminator has one: a
        reader would end the row there.
        """
        write, needs_quotes = self.write, QUOTE_OR_LINE_BREAK.search
        for row in rows:
            line = ",".join(row)
            if line.count(",") != len(row) - 1 or needs_quotes(line):
                line = ",".join(map(csv_cell, row))
            write(line + "\n")

    def take(self) -> str:
        text = self.getvalue()
        self.seek(0)
        self.truncate()
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
        left_out = {*EXTRA_FIELDS} - {*self.petition.asked_fields}
        if not self.include_email:
            left_out.add("email")
        return [c for c in COLUMNS if c not in left_out]

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

    def cells(self) -> dict:
        """The expression of each column but the country's name, computed by the database:
        the Python work per row stays one tuple, or none at all with COPY."""
        cells = {
            "name": spreadsheet_safe("name"),
            "email": spreadsheet_safe("email"),
            "country": F("country"),
            "comment": spreadsheet_safe("comment"),
            "signed_at": IsoTimestamp("created_at"),
            "confirmed_at": Coalesce(IsoTimestamp("confirmed_at"), Value("")),
            "is_public": yes_no("is_public"),
            "may_contact": yes_no("may_contact"),
            "status": F("status"),
            # As the other text cells; a phone number (E.164) starts with "+", so it gets the
            # quote too, which also keeps a spreadsheet from reading it as a number.
            **{field: spreadsheet_safe(field) for field in EXTRA_FIELDS},
        }
        return {c: cells[c] for c in self.columns if c != "country_name"}

    def rows(self) -> Iterator[tuple[str, ...]]:
        """The cells of each signature, in the order of self.columns."""
        cells = self.cells()
        fields = list(cells)
        at = fields.index("country") + 1
        names = dict(countries)
        query = self.signatures().values_list(*(cells[c] for c in fields))
        for row in streamed(query):
            yield (*row[:at], names.get(row[at - 1], ""), *row[at:])

    def chunks(self) -> Iterator[str]:
        """The CSV file, BOM and header first, then the rows a chunk at a time."""
        buffer = Chunk()
        buffer.writer.writerow(self.columns)
        yield BOM + buffer.take()
        if connections[Signature.objects.db].vendor == "postgresql":
            yield from self.copied_rows()
            return
        rows = self.rows()
        while batch := list(islice(rows, CHUNK_ROWS)):
            buffer.write_rows(batch)
            yield buffer.take()

    def copied_rows(self) -> Iterator[str]:
        """On PostgreSQL the database writes the CSV itself, with COPY ... TO STDOUT, and
        streams it as it goes, at COPY's speed: the same cells, quoted when they hold a comma,
        a quote or a line break (and an empty one as ""), rows ending in a line feed."""
        cells = self.cells()
        fields = list(cells)
        inner = self.signatures().annotate(**{f"cell_{c}": cells[c] for c in fields})
        inner = inner.values_list(*(f"cell_{c}" for c in fields), "created_at", "id")
        sql, params = inner.query.sql_with_params()
        # The countries' names, in the active language, joined from two arrays. (Looking them
        # up per row instead keeps the index's order, so rows start at once, but costs
        # PostgreSQL more time: docs/performance.md has the figures.)
        outer = ", ".join("n.name" if c == "country_name" else f"q.cell_{c}" for c in self.columns)
        codes, names = zip(*countries, strict=True)
        # Only column names of ours and Django's compiled query go into the text; every value
        # is a parameter.
        statement = (
            f"COPY (SELECT {outer} FROM ({sql}) AS q"  # noqa: S608
            " LEFT JOIN unnest(%s::text[], %s::text[]) AS n(code, name) ON n.code = q.cell_country"
            " ORDER BY q.created_at, q.id) TO STDOUT WITH (FORMAT csv)"
        )
        connection = connections[Signature.objects.db]
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor, for COPY
            arrays = [list(codes), [str(n) for n in names]]
            with raw.copy(statement, [*params, *arrays]) as copy:
                # COPY sends a message a row: pass them on in chunks of about 64 KB.
                chunk, size = [], 0
                for data in copy:
                    chunk.append(data)
                    size += len(data)
                    if size >= COPY_CHUNK_BYTES:
                        yield b"".join(chunk).decode("utf-8")
                        chunk, size = [], 0
                yield b"".join(chunk).decode("utf-8")


def delivery_pack(petition: Petition, *, can_record: bool = False) -> Iterator[str]:
    """The printable delivery pack as HTML: the letter and its recipients, then every
    confirmed signer's name, country and the extra fields the petition asks for (but the
    phone), in signing order, streamed in numbered lists of SIGNERS_PER_LIST so that even a
    petition of millions prints without a page in memory. Its header says when it was made,
    which a delivery recorded from it keeps (the link to record one, with can_record)."""
    # Contact details stay out of what is handed to decision makers, as email addresses do.
    asked = [field for field in petition.asked_fields if field != "phone"]
    context = {
        "petition": petition,
        "recipients": petition.recipients.all(),
        "asked": [Signature._meta.get_field(field).verbose_name for field in asked],
        # To the second: the pack names it, and a recorded delivery keeps it.
        "made_at": timezone.now().replace(microsecond=0),
        "can_record": can_record,
        "countries": country_shares(petition),
    }
    yield render_to_string("admin/petitions/petition/delivery_pack_start.html", context)
    names = dict(countries)
    rows = streamed(
        petition.signatures.confirmed()
        .order_by("created_at", "id")
        .values_list("name", "country", *asked)
    )
    signers, n = [], 0
    for n, (name, country, *extras) in enumerate(rows, start=1):
        if n % SIGNERS_PER_LIST == 1:
            signers = [f'<ol class="signers" start="{n}">']
        details = " · ".join(escape(value) for value in extras if value)
        signers.append(
            f"<li>{escape(name)} <span>{escape(names.get(country, country))}</span>"
            + (f' · <span class="details">{details}</span>' if details else "")
            + "</li>"
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
