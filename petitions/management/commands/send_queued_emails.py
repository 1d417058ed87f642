"""The email worker: queues the emails of updates being emailed (petitions/updates.py), sends
queued emails as they fall due, retrying failures with backoff, every few seconds closes the
petitions whose closing time has passed (queuing their organizers' summaries, and
reminders a few days before), and once an hour erases personal data past its
retention.

Run one or more next to the web processes; they never send the same email twice. SIGTERM or
SIGINT stops it within STOP_BUDGET: it finishes the email it is sending, gives back the
others it claimed (due again at once, for another worker or the next start) and exits 0.
"""

import contextlib
import math
import signal
import threading
import time
from collections.abc import Iterator

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from petitions.models import Petition
from petitions.outbox import send_due
from petitions.privacy import purge_personal_data
from petitions.updates import queue_emails

PURGE_EVERY = 3600  # seconds
# Seconds a stop may take: the email being sent (connecting, then its answer, each within
# settings.EMAIL_TIMEOUT), then a few database writes. Whatever runs the worker must wait this
# long after SIGTERM before it kills it (deploy/k8s/worker-deployment.yaml), or an email the
# provider accepted is not marked sent, and goes out again once its lease ends.
STOP_BUDGET = 2 * settings.EMAIL_TIMEOUT + 5
# Signing stops at the closing time whatever the worker does; this bounds how long the pages
# and the admin call such a petition open rather than closed.
CLOSE_DUE_EVERY = 10  # seconds


@contextlib.contextmanager
def stop_on_signals(*signums: int) -> Iterator[threading.Event]:
    """An event that these signals set instead of ending the process; the previous handlers
    come back on exit. As a container's PID 1 the process has no default action for SIGTERM:
    without a handler of its own it ignores it, until it is killed."""
    stop = threading.Event()

    def ask_to_stop(signum, frame):
        # From a thread of its own: a handler runs between two bytecodes of the main thread,
        # which may hold the event's lock (inside stop.wait()) at that moment.
        threading.Thread(target=stop.set).start()

    previous = {signum: signal.signal(signum, ask_to_stop) for signum in signums}
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)


class Command(BaseCommand):
    help = "Send queued emails; with --once, send what is due now and stop."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument("--batch", type=int, default=50, help="Emails claimed per pass.")

    def handle(self, *args, once: bool, interval: float, batch: int, **options):
        with stop_on_signals(signal.SIGTERM, signal.SIGINT) as stop:
            if not once:
                self.say("sending queued emails; SIGTERM or SIGINT stops")
            self.work(stop, once=once, interval=interval, batch=batch)
        if stop.is_set():
            self.say("stopped")

    def work(self, stop: threading.Event, *, once: bool, interval: float, batch: int) -> None:
        # Each step is short (a few statements, or one email's send): the loop sees a stop
        # between two of them.
        last_purge = last_close = -math.inf  # all on the first pass
        while not stop.is_set():
            if time.monotonic() - last_purge > PURGE_EVERY:
                purge_personal_data()
                last_purge = time.monotonic()
            if time.monotonic() - last_close > CLOSE_DUE_EVERY:
                if closed := Petition.objects.close_due():
                    self.say(f"closed {closed} petition(s) at their closing time")
                if reminded := Petition.objects.remind_closing():
                    self.say(f"reminded {reminded} organizer(s) that their petition closes soon")
                last_close = time.monotonic()
            if queued := queue_emails(stop=stop):
                self.say(f"queued {queued} update email(s)")
            sent, failed = send_due(batch, stop=stop)
            if sent or failed:
                self.say(f"sent {sent}, failed {failed} (will retry)")
            if once:
                return
            if sent + failed < batch:  # nothing left: wait for more, or for a stop
                stop.wait(interval)
            close_old_connections()  # drop a connection that broke or grew too old

    def say(self, line: str) -> None:
        # Flushed: a supervisor's log shows the line now, even with stdout a pipe.
        self.stdout.write(line)
        self.stdout.flush()
