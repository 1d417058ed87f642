"""The email worker stops on SIGTERM or SIGINT within its stop budget: it finishes the email
it is sending, gives back the others it claimed, due again at once, and exits 0; so that a
deploy neither kills it mid-send (an email sent twice) nor strands its claimed emails."""

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from petitions import outbox
from petitions.management.commands.send_queued_emails import STOP_BUDGET
from petitions.models import OutgoingEmail, Signature
from tests.conftest import make_signature, production_env

pytestmark = pytest.mark.system

ROOT = Path(__file__).resolve().parent.parent


class StopDuringTheFirstSend(EmailBackend):
    """A provider that takes each email; the stop is asked for while it sends the first."""

    stop = threading.Event()

    def send_messages(self, messages):
        StopDuringTheFirstSend.stop.set()
        return super().send_messages(messages)


class SlowProvider(EmailBackend):
    """A provider that takes a second per email, and says when it starts one (on stdout,
    for the test that runs the worker as a process)."""

    def send_messages(self, messages):
        print("provider: sending", flush=True)
        time.sleep(1)
        return len(messages)


def test_claimed_emails_left_unsent_by_a_stop_are_due_again_at_once(petition, settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.test_worker_shutdown.StopDuringTheFirstSend"
    StopDuringTheFirstSend.stop.clear()
    for _ in range(3):
        make_signature(petition)
    assert outbox.send_due(batch=10, stop=StopDuringTheFirstSend.stop) == (1, 0)
    assert OutgoingEmail.objects.filter(sent_at__isnull=False).count() == 1
    assert OutgoingEmail.objects.due().count() == 2  # not after the lease: now
    assert outbox.send_due(batch=10) == (2, 0)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        Signature.objects.values_list("email", flat=True)
    )  # each once


def test_a_stopped_worker_claims_nothing(petition):
    make_signature(petition)
    stop = threading.Event()
    stop.set()
    assert outbox.send_due(stop=stop) == (0, 0)
    assert OutgoingEmail.objects.due().count() == 1


def test_an_email_whose_lease_ran_out_is_not_released_from_under_its_new_worker(petition):
    make_signature(petition)
    now = timezone.now()
    first = outbox.claim_due(10, now)  # a worker that stalled past its lease
    later = now + outbox.LEASE + outbox.LEASE / 10
    assert outbox.claim_due(10, later)  # another worker took it over
    assert outbox.release(first, leased_until=now + outbox.LEASE) == 0
    assert not OutgoingEmail.objects.due(later).exists()


def test_the_command_gives_back_the_signal_handlers_it_replaced(db):
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    call_command("send_queued_emails", "--once")
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before


class Worker:
    """manage.py send_queued_emails as a process, on the test database, its output lines
    read as they come; `options` add to or override its command line's."""

    def __init__(self, *options: str, **env):
        url = urlsplit(os.environ["DATABASE_URL"])
        database_url = url._replace(path=f"/{connection.settings_dict['NAME']}").geturl()
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "send_queued_emails", "--interval", "60", *options],
            cwd=ROOT,
            env=production_env(**{"DATABASE_URL": database_url, **env}),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines = queue.Queue()
        self.output = []
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                raise AssertionError(f"no {text!r} in {''.join(self.output)!r}") from None
            if text in line:
                return

    def stop(self, timeout: float) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def test_sigterm_stops_the_waiting_worker_at_once_with_status_0(transactional_db):
    worker = Worker(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
    try:
        worker.wait_for("SIGTERM or SIGINT stops")
        # Waiting out its 60-second poll interval, it wakes at once.
        assert worker.stop(timeout=5) == 0, "".join(worker.output)
        assert worker.output[-1] == "stopped\n"
    finally:
        worker.close()


def test_sigterm_mid_send_finishes_that_email_and_releases_the_rest(petition, transactional_db):
    for _ in range(3):
        make_signature(petition)
    worker = Worker(EMAIL_BACKEND="tests.test_worker_shutdown.SlowProvider")
    try:
        worker.wait_for("provider: sending")
        assert worker.stop(timeout=STOP_BUDGET) == 0, "".join(worker.output)
    finally:
        worker.close()
    assert worker.output.count("provider: sending\n") == 1
    assert OutgoingEmail.objects.filter(sent_at__isnull=False).count() == 1
    assert OutgoingEmail.objects.due().count() == 2
