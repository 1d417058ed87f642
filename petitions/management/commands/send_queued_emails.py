"""The email worker: sends queued emails as they fall due, retrying failures with backoff,
every few seconds shards the counters of hot petitions and folds their shards (see
petitions/counters.py), and once an hour erases personal data past its retention.

Run one or more next to the web processes; they never send the same email twice.
"""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from petitions.counters import tend_counters
from petitions.outbox import send_due
from petitions.privacy import purge_personal_data

PURGE_EVERY = 3600  # seconds
# A hot petition's page shows its exact count at once; this bounds how many shard rows a
# read sums and how far ordering by the counter row lags.
TEND_COUNTERS_EVERY = 2  # seconds


class Command(BaseCommand):
    help = "Send queued emails; with --once, send what is due now and stop."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument("--batch", type=int, default=50, help="Emails claimed per pass.")

    def handle(self, *args, once: bool, interval: float, batch: int, **options):
        last_purge = last_tend = 0.0
        while True:
            if time.monotonic() - last_purge > PURGE_EVERY:
                purge_personal_data()
                last_purge = time.monotonic()
            if time.monotonic() - last_tend > TEND_COUNTERS_EVERY:
                tend_counters()
                last_tend = time.monotonic()
            sent, failed = send_due(batch)
            if sent or failed:
                self.stdout.write(f"sent {sent}, failed {failed} (will retry)")
            if once:
                return
            if sent + failed < batch:  # nothing left: wait for more
                time.sleep(interval)
            close_old_connections()  # drop a connection that broke or grew too old
