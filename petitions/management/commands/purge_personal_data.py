"""Erase what we no longer need: hashed client addresses after ADDRESS_HASH_RETENTION_DAYS,
signatures never confirmed after UNCONFIRMED_SIGNATURE_RETENTION_DAYS, and sent emails'
records. Idempotent; the email worker runs it too."""

from django.core.management.base import BaseCommand

from petitions.privacy import purge_personal_data


class Command(BaseCommand):
    help = "Erase hashed addresses and unconfirmed signatures past their retention."

    def handle(self, *args, **options):
        purged = purge_personal_data()
        self.stdout.write(
            "Erased address hashes of {hashes} signatures, {unconfirmed} unconfirmed "
            "signatures and {emails} sent email records.".format(**purged)
        )
