"""Create or refresh the seed petition (Dr. Wang Bingzhang) with its demonstration supporters,
and with --demo two fictional petitions that show the campaign after the signature: one open
with a closing date, an update, extra sign-form fields and a delivered letter; one closed
with a victory, decision makers' responses, paper signatures and updates.

Idempotent: run it as often as you like; signatures made on the site are kept.
"""

import datetime as dt
import tomllib
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from petitions.milestones import mark_passed
from petitions.models import (
    Ask,
    Delivery,
    PaperSignatures,
    Petition,
    Recipient,
    Signature,
    Update,
)

SEED_FILE = Path(__file__).resolve().parents[2] / "data" / "seed_petition.toml"
DEMO_COUNTRIES = ["US", "CA", "GB", "AU", "FR", "DE", "JP", "MX", "TW", "HK", "NZ", "SE"]
# The demonstration supporters signed in the petition's last months.
DEMO_START = dt.datetime(2012, 12, 10, tzinfo=dt.UTC)
DEMO_SPACING = dt.timedelta(hours=2, minutes=7)
# Fictional supporters' names, first and last mixed.
DEMO_FIRST = ["Ana", "Ben", "Chloé", "Dev", "Emi", "Femi", "Greta", "Hugo", "Ines", "Jun"]
DEMO_LAST = ["Archer", "Baker", "Carter", "Dubois", "Evans", "Fischer", "Garcia", "Hall"]

# Made up, and says so: the seed petition is a real person's case, whose outcome is not ours to
# invent, so outcomes, responses and updates are shown on fictional petitions.
LIBRARY = {
    "petition": {
        "slug": "demo-keep-the-riverside-library-open",
        "title": "Keep the Riverside library open (a fictional demonstration)",
        "summary": "A made-up petition that shows how a closed petition reports its outcome.",
        "body": "This petition is **fictional**: it shows how a petition that closed with an "
        "outcome looks on this site.\n\nThe town of Riverside planned to close its library.",
        "letter": "Dear Mayor, dear Councillors,\n\nPlease keep the Riverside library open.",
        "starter_name": "Demo Organizer",
        "organizer_email": "organizer@example.org",
        "goal": 1000,
        "state": Petition.State.CLOSED,
        "closed_at": dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC),
        "closes_at": dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC),
        "outcome": Petition.Outcome.VICTORY,
        "outcome_on": dt.date(2024, 3, 15),
        "outcome_statement": "The council voted to keep the library open. Thank you to "
        "everyone who signed. (This is a fictional demonstration.)",
    },
    "supporters": (1200, dt.datetime(2024, 1, 8, 9, tzinfo=dt.UTC), dt.timedelta(minutes=62)),
    "recipients": [
        {
            "role": "Mayor of Riverside",
            "name": "Alex Example",
            "responded_on": dt.date(2024, 3, 12),
            "response": "Thank you for your letter. I will propose to the council that the "
            "library stays open, with longer hours on Saturdays. (Fictional.)",
            "delivery": (dt.date(2024, 3, 4), Delivery.Method.HAND),
        },
        {
            "role": "Chair of the Riverside Council",
            "name": "Sam Sample",
            "responded_on": dt.date(2024, 3, 15),
            "response": "The council has voted to keep the library open. (Fictional.)",
            "delivery": (dt.date(2024, 3, 4), Delivery.Method.EMAIL),
        },
        {"role": "Head of Culture, Riverside Council", "name": "Jo Placeholder"},
    ],
    "paper": [(dt.date(2024, 2, 10), 180, "Market stall"), (dt.date(2024, 2, 24), 132, "")],
    "updates": [
        (
            "We delivered your signatures",
            "On Monday we handed the letter and every signature to the Mayor.",
            dt.datetime(2024, 3, 4, 17, tzinfo=dt.UTC),
        ),
        (
            "Victory: the library stays open",
            "The council voted to keep the library open. **Thank you!**",
            dt.datetime(2024, 3, 15, 18, tzinfo=dt.UTC),
        ),
    ],
}
CROSSING = {
    "petition": {
        "slug": "demo-safe-crossing-at-riverside-school",
        "title": "A safe crossing at Riverside school (a fictional demonstration)",
        "summary": "A made-up open petition with a closing date, an update and extra fields.",
        "body": "This petition is **fictional**: it shows an open petition with a closing "
        "date, an update to its supporters and a letter already delivered.\n\nChildren cross "
        "a busy road to reach Riverside school.",
        "letter": "Dear Head of Highways,\n\nPlease build a safe crossing at Riverside school.",
        "starter_name": "Demo Parent",
        "organizer_email": "parent@example.org",
        "goal": 500,
        "state": Petition.State.OPEN,
        "closed_at": None,
        "ask_postcode": Ask.REQUIRED,
        "ask_organisation": Ask.OPTIONAL,
    },
    "closes_in": dt.timedelta(days=12),
    "supporters": (240, None, dt.timedelta(hours=3)),
    "recipients": [
        {
            "role": "Head of Highways, Riverside Council",
            "name": "Robin Demo",
            "delivery": (None, Delivery.Method.EMAIL),
        },
    ],
    "paper": [],
    "updates": [
        (
            "Halfway there",
            "We emailed the letter to the Head of Highways today; they have promised an "
            "answer within a month.",
            None,
        ),
    ],
}

# Started on the site and confirmed by its starter: what a moderator finds in the queue.
IN_REVIEW = {
    "title": "Plant trees on Mill Road (a fictional demonstration)",
    "body": "This petition is **fictional**: it shows one started on the site, waiting in "
    "the moderation queue.\n\nMill Road has no shade and floods after every storm.",
    "letter": "Dear Mayor,\n\nPlease plant trees along Mill Road.",
    "starter_name": "Demo Starter",
    "organizer_email": "starter@example.org",
    "state": Petition.State.DRAFT,
    "review": Petition.Review.AWAITING,
}


def load_in_review(now: dt.datetime) -> Petition:
    petition, _ = Petition.objects.update_or_create(
        slug="demo-plant-trees-on-mill-road", defaults={**IN_REVIEW, "submitted_at": now}
    )
    petition.recipients.all().delete()
    Recipient.objects.create(petition=petition, role="Mayor of Riverside", name="Sam Demo")
    return petition


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


def fictional_supporters(petition: Petition, count: int, start, spacing) -> list[Signature]:
    """count confirmed supporters from start, one per spacing; every tenth shown by name."""
    return [
        Signature(
            petition=petition,
            name=f"{DEMO_FIRST[n % len(DEMO_FIRST)]} {DEMO_LAST[n % len(DEMO_LAST)]}",
            email=f"demo-{petition.pk}-{n:05d}@example.org",
            # Some countries more than others, as in a real campaign.
            country=DEMO_COUNTRIES[n % 7 + n % 5],
            is_public=n % 10 == 0,
            may_contact=n % 3 != 0,
            created_at=start + n * spacing,
            confirmed_at=start + n * spacing + dt.timedelta(minutes=4),
            status=Signature.Status.CONFIRMED,
        )
        for n in range(1, count + 1)
    ]


def load_demo(demo: dict, now: dt.datetime) -> Petition:
    """One fictional petition with every part of its campaign, refreshed in place."""
    fields = {**demo["petition"]}
    if "closes_in" in demo:
        fields["closes_at"] = now + demo["closes_in"]
    petition, _ = Petition.objects.update_or_create(slug=fields.pop("slug"), defaults=fields)
    count, start, spacing = demo["supporters"]
    start = start or now - count * spacing - dt.timedelta(hours=1)
    Signature.objects.bulk_create(
        fictional_supporters(petition, count, start, spacing), ignore_conflicts=True
    )
    petition.recount_supporters()
    mark_passed(petition)

    petition.recipients.all().delete()
    for position, r in enumerate(demo["recipients"]):
        recipient = Recipient.objects.create(
            petition=petition,
            position=position,
            role=r["role"],
            name=r["name"],
            responded_on=r.get("responded_on"),
            response=r.get("response", ""),
        )
        if delivery := r.get("delivery"):
            delivered_on, method = delivery
            Delivery.objects.create(
                recipient=recipient,
                delivered_on=delivered_on or timezone.localdate(now) - dt.timedelta(days=2),
                method=method,
                signatures=petition.supporters,
            )
    petition.paper_signatures.all().delete()
    PaperSignatures.objects.bulk_create(
        PaperSignatures(petition=petition, received_on=on, count=n, note=note)
        for on, n, note in demo["paper"]
    )
    petition.updates.all().delete()
    for title, body, published_at in demo["updates"]:
        Update.objects.create(
            petition=petition, title=title, body=body, published_at=published_at or now
        )
    Petition.objects.filter(pk=petition.pk).touch()
    return petition


class Command(BaseCommand):
    help = "Create or refresh the seed petition and its 1,030 demonstration supporters."

    def add_arguments(self, parser):
        parser.add_argument(
            "--closed", action="store_true", help="Close it on April 8th, 2013, as the seed page."
        )
        parser.add_argument(
            "--demo",
            action="store_true",
            help="Also two fictional petitions that show closing dates, updates, responses, "
            "paper signatures and an outcome, and a third awaiting moderation.",
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
            now = timezone.now()
            for fictional in (CROSSING, LIBRARY):
                with transaction.atomic():
                    demo_petition = load_demo(fictional, now)
                self.stdout.write(
                    f"Demonstration: “{demo_petition.title}” at {demo_petition.get_absolute_url()}"
                )
            in_review = load_in_review(now)
            self.stdout.write(f"Demonstration: “{in_review.title}” in the moderation queue")
