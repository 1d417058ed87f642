"""Recompute supporter counters from the confirmed signatures and report any drift.

There should be none: the counter moves in the transaction that changes a signature. A
non-zero drift means something wrote to the table behind the models' back. The recount is
exact even while supporters confirm (Petition.recount_supporters).
"""

from django.core.management.base import BaseCommand, CommandError

from petitions.models import Petition


class Command(BaseCommand):
    help = (
        "Recompute each petition's supporter counter from its confirmed signatures and report "
        "the drift corrected (there should be none). Give slugs to recount only those."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", metavar="slug", help="petitions to recount")
        parser.add_argument(
            "--dry-run", action="store_true", help="report the drift without correcting it"
        )

    def handle(self, *args, slugs: list[str], dry_run: bool, **options):
        petitions = Petition.objects.order_by("slug")
        if slugs:
            petitions = petitions.filter(slug__in=slugs)
            if missing := set(slugs) - set(petitions.values_list("slug", flat=True)):
                raise CommandError(f"No petition with slug {', '.join(sorted(missing))}.")
        total = 0
        for petition in petitions.only("pk", "slug", "supporter_count"):
            if dry_run:
                actual = petition.signatures.confirmed().count()
                drift = actual - petition.supporter_count
            else:
                drift = petition.recount_supporters()
                actual = petition.supporter_count
            total += abs(drift)
            if not drift:
                result = "no drift"
            elif dry_run:
                result = f"would correct a drift of {drift:+d}"
            else:
                result = f"corrected a drift of {drift:+d}"
            self.stdout.write(f"{petition.slug}: {actual} supporters, {result}")
        if total:
            self.stdout.write(self.style.WARNING(f"Drift found on {total} supporter(s) in all."))
