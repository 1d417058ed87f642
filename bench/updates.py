"""Benchmark: emailing an update to 100,000 supporters, queued and then sent by the worker.

    .venv/bin/python bench/updates.py [--rows 100000] [--send 1200] [--rate 40] [--timeout 900]

Starts its own durable PostgreSQL (fsync on, scripts/services.py) and a Redis, migrates, loads
one petition's signatures with COPY (--rows confirmed signers who agreed to be contacted, and
one in ten more who did not), then:

- queuing: publishes an update with email and times petitions.updates.queue_emails(), as the
  worker runs it, with the peak growth of this process's RSS and the statements it ran; and,
  as the baseline in the same run, the obvious way for the same update: every consenting
  signer loaded as a model and one bulk_create of their emails;
- sending: a second petition of --send consenting signers, an update published with email and
  two real workers (manage.py send_queued_emails) sending through Django's SMTP backend to an
  aiosmtpd sink in this process, at UPDATE_EMAILS_PER_SECOND=--rate. Once half have arrived,
  one worker is killed (SIGKILL) and started again. It reports the rate at the sink, the
  duplicates (target none) and the emails lost to the kill (at most the one being sent);
  as the baseline, the rate of the same email sent unpaced, one after another, from this
  process to the same sink.

Targets: queued in under 10 s with flat memory; sent at the configured pace, no duplicates.
Results go in docs/performance.md ("Emailing an update").
"""

import collections
import datetime as dt
import logging
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import PYTHON, free_port, main_on_postgres, site_env

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from export import PeakRss  # noqa: E402 (after the path: it is a neighbour)


class SmtpSink:
    """An SMTP server on 127.0.0.1 that keeps each recipient and when its message arrived."""

    def __enter__(self):
        from aiosmtpd.controller import Controller

        logging.getLogger("mail.log").setLevel(logging.WARNING)  # a line per SMTP command

        self.received = []  # (recipient, time.monotonic())
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        now = time.monotonic()
        self.received.extend((rcpt, now) for rcpt in envelope.rcpt_tos)
        return "250 OK"

    def __exit__(self, *exc):
        self.controller.stop()

    def env(self) -> dict[str, str]:
        """A worker's settings for sending to this sink through Django's SMTP backend."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.port),
        }

    def duplicates(self) -> int:
        counts = collections.Counter(rcpt for rcpt, _ in self.received)
        return sum(n - 1 for n in counts.values() if n > 1)


def consenting_lines(petition_id: int, rows: int, *, prefix: str, block: int = 20_000):
    """COPY text-format lines: `rows` confirmed signers who may be contacted, and one in ten
    more who may not (they get nothing)."""
    signed = dt.datetime(2026, 1, 1, tzinfo=dt.UTC).isoformat()
    lines = []
    for n in range(rows + rows // 10):
        consenting = n < rows
        lines.append(
            "\t".join(
                [
                    str(petition_id),
                    f"Supporter {n}",
                    f"{prefix}-{n}@example.org",
                    "FR",
                    "",
                    "f",
                    "t" if consenting else "f",
                    "confirmed",
                    signed,
                    signed,
                ]
            )
        )
        if len(lines) == block:
            yield "\n".join(lines) + "\n"
            lines.clear()
    if lines:
        yield "\n".join(lines) + "\n"


def load_consenting(petition, rows: int, *, prefix: str = "supporter") -> None:
    from django.db import connection

    columns = "petition_id, name, email, country, comment, is_public, may_contact, status, "
    columns += "created_at, confirmed_at"
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY petitions_signature ({columns}) FROM STDIN") as copy:
            for block in consenting_lines(petition.pk, rows, prefix=prefix):
                copy.write(block)
        cursor.execute("ANALYZE petitions_signature")
    petition.recount_supporters()


def make_update(petition):
    from petitions.models import Update

    return Update.objects.create(
        petition=petition,
        title="The council will hear us",
        body="Thank you all: the council has agreed to a **public hearing** on 3 March.",
    )


class Statements:
    """Counts the statements this process sends to the database."""

    def __enter__(self):
        from django.db import connection

        self.count = 0
        self.wrapper = connection.execute_wrapper(self)
        self.wrapper.__enter__()
        return self

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __exit__(self, *exc):
        self.wrapper.__exit__(*exc)


def time_queue(update, batch: int = 2000) -> dict:
    """queue_emails() as the worker runs it, until the update is fully queued."""
    from petitions import updates

    with PeakRss() as memory, Statements() as statements:
        start = time.perf_counter()
        queued = updates.queue_emails(batch=batch)
        seconds = time.perf_counter() - start
    return {
        "queued": queued,
        "seconds": seconds,
        "rss_growth": memory.growth,
        "statements": statements.count,
    }


def time_naive_queue(update) -> dict:
    """The baseline: every consenting signer loaded as a model, then their emails created
    in one bulk_create (in Django's batches)."""
    from django.db import transaction

    from petitions import updates
    from petitions.models import OutgoingEmail

    with PeakRss() as memory, Statements() as statements:
        start = time.perf_counter()
        with transaction.atomic():
            signers = list(updates.consenting_signers(update.petition))
            OutgoingEmail.objects.bulk_create(
                [
                    OutgoingEmail(
                        kind=OutgoingEmail.Kind.UPDATE, bulk=True, update=update, signature=s
                    )
                    for s in signers
                ],
                batch_size=2000,
                ignore_conflicts=True,
            )
        seconds = time.perf_counter() - start
    return {
        "queued": len(signers),
        "seconds": seconds,
        "rss_growth": memory.growth,
        "statements": statements.count,
    }


def worker(env: dict) -> subprocess.Popen:
    """A worker, once it is up: its start (a second or so of imports) is not the pace's."""
    log = tempfile.NamedTemporaryFile(prefix="worker-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        [PYTHON, "manage.py", "send_queued_emails", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    path = Path(log.name)
    wait_until(lambda: "SIGTERM or SIGINT stops" in path.read_text(), 60, "the worker")
    return process


def end_leases_of_killed_worker() -> int:
    """The emails the killed worker had claimed but not begun are due again once its lease
    (petitions.outbox.LEASE, 5 minutes) runs out; made due now rather than waited for. A
    lease is the only send_after so far ahead: the paced ones are seconds away."""
    from django.utils import timezone

    from petitions.models import OutgoingEmail

    now = timezone.now()
    leased = OutgoingEmail.objects.filter(
        sent_at=None, started_at=None, send_after__gt=now + dt.timedelta(minutes=1)
    )
    return leased.update(send_after=now)


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {what}")
        time.sleep(0.05)


def send_with_workers(update, sink: SmtpSink, env: dict, total: int, kill: bool = True) -> dict:
    """Two workers send the update's emails to the sink; one is killed once half arrived,
    and started again. The figures at the sink and in the outbox."""
    from petitions import updates

    workers = [worker(env), worker(env)]
    killed = leases_ended = 0
    before_kill = []
    try:
        updates.publish(update, email=True)
        published = time.monotonic()
        update.refresh_from_db()
        if kill:
            wait_until(lambda: len(sink.received) >= total // 2, 600, "half the emails")
            workers[0].send_signal(signal.SIGKILL)
            workers[0].wait()
            killed = len(sink.received)
            before_kill = [t for _, t in sink.received]
            leases_ended = end_leases_of_killed_worker()
            workers[0] = worker(env)

        def done():
            counts = updates.progress(update)
            return counts["sent"] + counts["lost"] >= total

        wait_until(done, 600, "the last email")
    finally:
        for process in workers:
            process.terminate()
        for process in workers:
            process.wait(timeout=30)
    times = [t for _, t in sink.received]
    counts = updates.progress(update)
    spread = max(times) - min(times) if len(times) > 1 else 0.0
    return {
        "received": len(sink.received),
        "distinct": len({rcpt for rcpt, _ in sink.received}),
        "duplicates": sink.duplicates(),
        "first_after": min(times) - published if times else 0.0,
        "seconds": spread,
        "rate": rate_of(times),
        "rate_before_kill": rate_of(before_kill),
        "killed_at": killed,
        "leases_ended": leases_ended,
        **counts,
    }


def rate_of(times: list[float]) -> float:
    """Messages a second between the first and the last."""
    spread = max(times) - min(times) if len(times) > 1 else 0.0
    return (len(times) - 1) / spread if spread else 0.0


def time_unpaced(update, signatures: list, sink: SmtpSink) -> dict:
    """The baseline: the same email sent from this process, one after another, unpaced."""
    from django.test import override_settings

    from petitions import emails

    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=sink.port,
    ):
        start = time.perf_counter()
        for signature in signatures:
            emails.send_update(update, signature)
        seconds = time.perf_counter() - start
    return {"sent": len(signatures), "seconds": seconds, "rate": len(signatures) / seconds}


def mb(n: int) -> str:
    return f"{n / 2**20:.1f} MB"


def run(rows: int, database_url: str, *, send: int, rate: int) -> None:
    import django
    from django.core.management import call_command

    os.environ["UPDATE_EMAILS_PER_SECOND"] = str(rate)
    django.setup()
    from django.conf import settings
    from services import redis

    settings.DEBUG = False  # or Django keeps every statement's SQL, and memory grows with it

    from petitions import updates
    from petitions.models import OutgoingEmail, Petition

    call_command("migrate", verbosity=0)
    petition = Petition.objects.create(
        slug="benchmark", title="Benchmark", body="b", letter="l", starter_name="Bench"
    )
    start = time.perf_counter()
    load_consenting(petition, rows)
    print(
        f"loaded {rows:,} consenting signers (+{rows // 10:,} not) in "
        f"{time.perf_counter() - start:.1f} s"
    )

    update = make_update(petition)
    updates.publish(update, email=True)
    queue = time_queue(update)
    assert queue["queued"] == rows == update.emails.count(), queue
    assert update.emails.values("signature").distinct().count() == rows
    update.refresh_from_db()
    first, last = (
        update.emails.order_by(order).values_list("send_after", flat=True).first()
        for order in ("send_after", "-send_after")
    )
    OutgoingEmail.objects.filter(update=update).delete()
    naive = time_naive_queue(update)
    assert naive["queued"] == rows == update.emails.count(), naive
    OutgoingEmail.objects.filter(update=update).delete()

    print(f"Queuing one update for {rows:,} consenting signers:")
    print(f"{'':<28} {'queue_emails()':>16} {'load all, bulk_create':>24}")
    print(f"{'time':<28} {queue['seconds']:>14.2f} s {naive['seconds']:>22.2f} s")
    print(f"{'peak RSS growth':<28} {mb(queue['rss_growth']):>16} {mb(naive['rss_growth']):>24}")
    print(f"{'statements':<28} {queue['statements']:>16,} {naive['statements']:>24,}")
    print(f"{'resumable, paced':<28} {'yes':>16} {'no':>24}")
    spread = (last - first).total_seconds()
    print(
        f"send_after spread: {spread:,.0f} s for {rows:,} emails = "
        f"{(rows - 1) / spread:.2f} /s (UPDATE_EMAILS_PER_SECOND={rate})"
    )

    with redis() as (redis_url, _), SmtpSink() as sink:
        env = site_env(database_url, redis_url, "https://petitions.example.org")
        env.update(sink.env(), UPDATE_EMAILS_PER_SECOND=str(rate))
        sender = Petition.objects.create(
            slug="sending", title="Sending", body="b", letter="l", starter_name="Bench"
        )
        load_consenting(sender, send, prefix="sent")
        sending = send_with_workers(make_update(sender), sink, env, send)
        baseline_signers = list(updates.consenting_signers(sender).select_related("petition")[:300])
        sink.received.clear()
        unpaced = time_unpaced(make_update(sender), baseline_signers, sink)

    print(f"Sending {send:,} emails with two workers, one killed (SIGKILL) and restarted:")
    print(f"configured pace:           {rate} /s (UPDATE_EMAILS_PER_SECOND)")
    print(
        f"measured at the sink:      {sending['rate']:.2f} /s over {sending['seconds']:.1f} s"
        f" (first after {sending['first_after']:.1f} s), with the kill and restart"
    )
    print(f"  until the kill:          {sending['rate_before_kill']:.2f} /s")
    print(
        f"unpaced, one process:      {unpaced['rate']:.0f} /s ({unpaced['sent']} emails, "
        "the baseline: the machine's own limit)"
    )
    print(
        f"received:                  {sending['received']:,} by {sending['distinct']:,} "
        f"signers; duplicates {sending['duplicates']}"
    )
    print(
        f"outbox:                    sent {sending['sent']:,}, lost to the kill "
        f"{sending['lost']}, total {sending['total']:,}"
    )
    print(
        f"killed after:              {sending['killed_at']:,} received; its claimed emails "
        f"made due at once: {sending['leases_ended']}"
    )
    print(
        f"process max RSS:           "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


def main() -> int:
    # --send and --rate beside main_on_postgres's --rows and --timeout.
    extra = {"--send": 1200, "--rate": 40}
    for flag in extra:
        if flag in sys.argv:
            i = sys.argv.index(flag)
            extra[flag] = int(sys.argv[i + 1])
            del sys.argv[i : i + 2]
    return main_on_postgres(
        __doc__.split("\n")[0],
        100_000,
        lambda rows, url: run(rows, url, send=extra["--send"], rate=extra["--rate"]),
    )


if __name__ == "__main__":
    sys.exit(main())
