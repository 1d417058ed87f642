"""Export a petition's signatures as CSV, the same file the admin's export downloads."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from petitions.exports import SignatureExport
from petitions.models import Petition


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = (
        "Write a petition's signatures as CSV (UTF-8 with a byte-order mark) to stdout or a "
        "file. Email addresses are left out unless --email is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the petition to export")
        parser.add_argument("-o", "--output", help="write to this file instead of stdout")
        parser.add_argument(
            "--confirmed-only", action="store_true", help="only the signatures that count"
        )
        parser.add_argument("--since", type=iso_date, help="signed on or after this day")
        parser.add_argument("--until", type=iso_date, help="signed on or before this day")
        parser.add_argument("--country", default="", help="only signers from this country code")
        parser.add_argument(
            "--email", action="store_true", help="include the signers' email addresses"
        )

    def handle(self, *args, slug: str, output: str | None, **options):
        try:
            petition = Petition.objects.get(slug=slug)
        except Petition.DoesNotExist:
            raise CommandError(f"No petition with slug {slug}.") from None
        export = SignatureExport(
            petition=petition,
            confirmed_only=options["confirmed_only"],
            since=options["since"],
            until=options["until"],
            country=options["country"].upper(),
            include_email=options["email"],
        )
        if output:
            with open(output, "w", encoding="utf-8", newline="") as f:
                f.writelines(export.chunks())
        else:
            for chunk in export.chunks():
                self.stdout.write(chunk, ending="")
        count = export.signatures().count()
        self.stderr.write(f"Exported {count} signature(s) of {slug} to {output or 'stdout'}.")
