"""Many supporters at once, on real PostgreSQL with real concurrent transactions: every
signature is stored once, and the counter equals the confirmed signatures afterwards."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from petitions.models import Petition, Signature
from petitions.signing import sign_petition
from tests.conftest import make_petition

THREADS = 16
pytestmark = pytest.mark.django_db(transaction=True)


def at_once(fn, calls: list[tuple]) -> list:
    """Run fn(*args) for each call on THREADS threads, released together by a barrier."""
    barrier = threading.Barrier(min(THREADS, len(calls)))

    def run(args):
        try:
            if len(calls) <= THREADS:
                barrier.wait(timeout=10)
            return fn(*args)
        finally:
            connections.close_all()  # give the connection back to the pool

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(run, calls))


def sign(petition: Petition, n: int, email: str | None = None) -> Signature:
    return sign_petition(
        petition=petition,
        name=f"Supporter {n}",
        email=email or f"supporter{n}@example.org",
        country="GB",
    )


def assert_counter_is_exact(*petitions: Petition) -> None:
    for petition in petitions:
        petition.refresh_from_db()
        assert petition.supporter_count == petition.signatures.confirmed().count()


def test_many_signers_at_once_are_each_stored_once_and_counted_once():
    first, second = make_petition(slug="first"), make_petition(slug="second")
    calls = [(first if n % 3 else second, n) for n in range(300)]
    signatures = at_once(sign, calls)
    assert len({s.pk for s in signatures}) == 300
    assert Signature.objects.count() == 300
    confirmed = at_once(Signature.confirm, [(s,) for s in signatures])
    assert all(confirmed)
    assert_counter_is_exact(first, second)
    first.refresh_from_db()
    assert first.supporter_count == 200


def test_the_same_email_submitted_at_once_yields_one_signature():
    petition = make_petition()
    variants = ["same@example.org", "Same@Example.org", "SAME@EXAMPLE.ORG", "same@EXAMPLE.org"]
    calls = [(petition, n, variants[n % 4]) for n in range(THREADS)]
    signatures = at_once(sign, calls)
    assert len({s.pk for s in signatures}) == 1
    assert petition.signatures.count() == 1


def test_the_same_link_confirmed_at_once_counts_once():
    petition = make_petition()
    signature = sign(petition, 1)
    copies = [(Signature.objects.get(pk=signature.pk),) for _ in range(THREADS)]
    results = at_once(Signature.confirm, copies)
    assert results.count(True) == 1
    assert_counter_is_exact(petition)
    assert petition.supporter_count == 1


def test_moderation_racing_confirmation_keeps_the_counter_exact():
    petition = make_petition()
    signatures = [sign(petition, n) for n in range(60)]
    for signature in signatures[:30]:
        signature.confirm()

    def act(signature: Signature, n: int):
        copy = Signature.objects.get(pk=signature.pk)
        if n % 3 == 0:
            copy.moderate(Signature.Status.REMOVED)
        elif n % 3 == 1:
            copy.confirm()
        else:
            copy.moderate(Signature.Status.CONFIRMED)

    # Each signature is acted on twice, by different threads, in different ways.
    calls = [(s, n) for n, s in enumerate(signatures)] + [
        (s, n + 1) for n, s in enumerate(reversed(signatures))
    ]
    at_once(act, calls)
    assert_counter_is_exact(petition)
    assert petition.recount_supporters() == 0


def test_bulk_moderations_and_deletions_racing_confirmations_keep_every_counter_exact():
    petitions = [make_petition(slug="river-a"), make_petition(slug="river-b")]
    signatures = [sign(p, n, f"bulk{n}-{p.slug}@example.org") for p in petitions for n in range(40)]
    for signature in signatures[::2]:
        signature.confirm()
    statuses = [Signature.Status.REMOVED, Signature.Status.CONFIRMED, Signature.Status.HELD]

    def act(n: int):
        if n % 4 == 3:  # a supporter confirming, as moderators act on overlapping sets
            return [s.confirm() for s in signatures[n::7]]
        if n % 8 == 6:
            return Signature.objects.filter(pk__in=[s.pk for s in signatures[n::11]]).delete()
        chosen = Signature.objects.filter(pk__in=[s.pk for s in signatures[n % 5 :: 3]])
        return chosen.moderate(statuses[n % 3])

    at_once(act, [(n,) for n in range(THREADS)])
    assert_counter_is_exact(*petitions)
    assert all(petition.recount_supporters() == 0 for petition in petitions)


def test_deleting_while_confirming_keeps_the_counter_exact():
    petition = make_petition()
    signatures = [sign(petition, n) for n in range(40)]

    def act(signature: Signature, n: int):
        copy = Signature.objects.get(pk=signature.pk)
        copy.confirm()
        if n % 2:
            Signature.objects.filter(pk=signature.pk).delete()

    at_once(act, [(s, n) for n, s in enumerate(signatures)])
    assert_counter_is_exact(petition)
    assert petition.supporter_count == 20
