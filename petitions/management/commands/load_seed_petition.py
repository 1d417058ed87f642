"""Create or refresh the seed petition (Dr. Wang Bingzhang) with its demonstration supporters,
and with --demo a fictional closed petition that shows an outcome.

Idempotent: run it as often as you like; signatures made on the site are kept.
"""

import datetime as dt
import tomllib
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from petitions.milestones import mark_passed
from petitions.models import Petition, Recipient, Signature

SEED_FILE = Path(__file__).resolve().parents[2] / "data" / "seed_petition.toml"
DEMO_COUNTRIES = ["US", "CA", "GB", "AU", "FR", "DE", "JP", "MX", "TW", "HK", "NZ", "SE"]
# The demonstration supporters signed in the petition's last months.
DEMO_START = dt.datetime(2012, 12, 10, tzinfo=dt.UTC)
DEMO_SPACING = dt.timedelta(hours=2, minutes=7)
# Made up, and says so: the seed petition is a real person's case, whose outcome is not ours to
# invent, so a closed petition with a victory is shown on a fictional one.
DEMO_PETITION = {
    "slug": "demo-keep-the-riverside-library-open",
    "title": "Keep the Riverside library open (a fictional demonstration)",
    "summary": "A made-up petition that shows how a closed petition reports its outcome.",
    "body": "This petition is **fictional**: it shows how a petition that closed with an "
    "outcome looks on this site.\n\nThe town of Riverside planned to close its library.",
    "letter": "Dear Mayor,\n\nPlease keep the Riverside library open.",
    "starter_name": "Demo Organizer",
    "state": Petition.State.CLOSED,
    "closed_at": dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC),
    "closes_at": dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC),
    "outcome": Petition.Outcome.VICTORY,
    "outcome_on": dt.date(2024, 3, 15),
    "outcome_statement": "The council voted to keep the library open. Thank you to everyone "
    "who signed. (This is a fictional demonstration.)",
}


def load_seed() -> dict:
    with SEED_FILE.open("rb") as f:
        return tomllib.load(f)


def demo_signatures(petition: Petition, count: int, public: list[dict]) -> list[Signature]:
    """count confirmed supporters; the last len(public) of them chose to be shown."""
    signatures = []
    for n in range(1, count + 1):
        signed = DEMO_START + n * DEMO_SPACING
        shown = public[n - 1 - (count - len(public))] if n > count - len(public) else None
        signatures.append(
            Signature(
                petition=petition,
                name=shown["name"] if shown else f"Demonstration Supporter {n}",
                email=f"demo-supporter-{n:04d}@example.org",
                country=shown["country"] if shown else DEMO_COUNTRIES[n % len(DEMO_COUNTRIES)],
                comment=shown["comment"] if shown else "",
                is_public=bool(shown),
                created_at=signed,
                status=Signature.Status.CONFIRMED,
                confirmed_at=signed + dt.timedelta(minutes=5),
            )
        )
    return signatures


class Command(BaseCommand):
    help = "Create or refresh the seed petition and its 1,030 demonstration supporters."

    def add_arguments(self, parser):
        parser.add_argument(
            "--closed", action="store_true", help="Close it on April 8th, 2013, as the seed page."
        )
        parser.add_argument(
            "--demo",
            action="store_true",
            help="Also a fictional petition, closed with a victory, to show an outcome.",
        )

    def handle(self, *args, closed: bool, demo: bool, **options):
        seed = load_seed()
        closed_at = dt.datetime.combine(seed["closed_on"], dt.time(12), tzinfo=dt.UTC)
        with transaction.atomic():
            petition, created = Petition.objects.update_or_create(
                slug=seed["slug"],
                defaults={
                    "title": seed["title"],
                    "summary": seed["summary"],
                    "body": seed["body"],
                    "letter": seed["letter"],
                    "starter_name": seed["starter_name"],
                    "state": Petition.State.CLOSED if closed else Petition.State.OPEN,
                    "closed_at": closed_at if closed else None,
                },
            )
            petition.recipients.all().delete()
            Recipient.objects.bulk_create(
                Recipient(petition=petition, role=r["role"], name=r["name"], position=i)
                for i, r in enumerate(seed["recipients"])
            )
            # bulk_create sends no signals, so the counter is recounted from the rows below.
            Signature.objects.bulk_create(
                demo_signatures(petition, seed["demo_supporters"], seed["public_supporters"]),
                ignore_conflicts=True,
            )
            petition.recount_supporters()
            mark_passed(petition)

        self.stdout.write(
            f"{'Created' if created else 'Refreshed'} “{petition.title}” "
            f"({petition.state}, {petition.supporters:,} supporters) "
            f"at {petition.get_absolute_url()}"
        )
        if demo:
            fields = {**DEMO_PETITION}
            demo_petition, _ = Petition.objects.update_or_create(
                slug=fields.pop("slug"), defaults=fields
            )
            self.stdout.write(
                f"Demonstration: “{demo_petition.title}” at {demo_petition.get_absolute_url()}"
            )
