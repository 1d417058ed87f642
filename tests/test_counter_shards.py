"""A hot petition's counter spread over shard rows: the total is exact at every commit, under
concurrency, through moderation, folds and recounts; the worker shards a petition above the
threshold and folds the shards back."""

import io
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connections
from django.urls import reverse

from petitions import counters
from petitions.models import CounterShard, OutgoingEmail, Petition, Signature
from tests.conftest import make_petition, make_signature, reload
from tests.test_concurrency import at_once, sign

SHARDS = 4


def sharded(**fields) -> Petition:
    return make_petition(counter_shards=SHARDS, **fields)


@pytest.fixture
def hot(db) -> Petition:
    return sharded()


def confirmed_rows(petition: Petition) -> int:
    return petition.signatures.confirmed().count()


def shard_total(petition: Petition) -> int:
    return sum(CounterShard.objects.filter(petition=petition).values_list("delta", flat=True))


def assert_total_is_exact(petition: Petition) -> None:
    petition = reload(petition)
    assert petition.supporters == confirmed_rows(petition)
    assert petition.supporters == petition.supporter_count + shard_total(petition)


def test_a_confirmation_moves_a_shard_not_the_row(hot):
    make_signature(hot, confirmed=True)
    make_signature(hot, confirmed=True)
    assert reload(hot).supporter_count == 0
    assert shard_total(hot) == 2
    assert CounterShard.objects.filter(petition=hot).count() <= SHARDS
    assert reload(hot).supporters == 2 == confirmed_rows(hot)


def test_a_single_row_petition_has_no_shards(petition):
    make_signature(petition, confirmed=True)
    assert not CounterShard.objects.exists()
    assert reload(petition).supporter_count == 1 == reload(petition).supporters


@pytest.mark.parametrize(
    "status", [Signature.Status.REMOVED, Signature.Status.HELD, Signature.Status.PENDING]
)
def test_moderation_keeps_the_total_exact(hot, status):
    signature = make_signature(hot, confirmed=True)
    make_signature(hot, confirmed=True)
    assert signature.moderate(status) is True
    assert_total_is_exact(hot)
    assert signature.moderate(Signature.Status.CONFIRMED) is True
    assert reload(hot).supporters == 2
    assert_total_is_exact(hot)


def test_deletion_keeps_the_total_exact(hot):
    for _ in range(4):
        make_signature(hot, confirmed=True)
    stale = Signature.objects.get(pk=make_signature(hot).pk)
    Signature.objects.get(pk=stale.pk).confirm()
    stale.delete()  # read while pending, deleted once confirmed
    hot.signatures.filter(pk__in=hot.signatures.values("pk")[:2]).delete()
    assert reload(hot).supporters == 2
    assert_total_is_exact(hot)


def test_a_stale_copy_routes_either_way_and_still_counts(petition):
    hot = sharded(slug="hot")
    # What the worker's switch does to a copy read before it: the change lands on the row
    # or on a shard, and the total is right either way.
    stale_single = Petition.objects.get(pk=hot.pk)
    stale_single.counter_shards = 0
    stale_sharded = Petition.objects.get(pk=petition.pk)
    stale_sharded.counter_shards = SHARDS
    make_signature(stale_single, confirmed=True)
    make_signature(stale_sharded, confirmed=True)
    assert_total_is_exact(hot)
    assert_total_is_exact(petition)
    assert reload(hot).supporters == 1 == reload(petition).supporters


def test_folding_moves_the_shards_into_the_row_and_keeps_the_total(hot):
    for _ in range(5):
        make_signature(hot, confirmed=True)
    make_signature(hot, confirmed=True).moderate(Signature.Status.REMOVED)
    assert hot.fold_counter_shards() == 5
    assert not CounterShard.objects.exists()
    assert reload(hot).supporter_count == 5 == reload(hot).supporters
    make_signature(hot, confirmed=True)
    assert_total_is_exact(hot)
    assert hot.fold_counter_shards() == 1
    assert hot.fold_counter_shards() == 0


def test_the_recount_includes_the_shards(hot):
    make_signature(hot, confirmed=True)
    make_signature(hot, confirmed=True)
    assert hot.recount_supporters() == 0
    make_signature(hot, confirmed=True)
    CounterShard.objects.filter(petition=hot).delete()  # drift behind the models' back
    assert hot.recount_supporters() == 1
    assert reload(hot).supporter_count == 3 == reload(hot).supporters
    assert not CounterShard.objects.exists()


def test_the_recount_command_reports_the_exact_total(hot):
    make_signature(hot, confirmed=True)
    out = io.StringIO()
    call_command("recount_supporters", "--dry-run", stdout=out)
    assert out.getvalue() == "free-the-river: 1 supporters, no drift\n"


@pytest.mark.django_db(transaction=True)
def test_confirming_costs_the_same_statements(client, django_assert_num_queries):
    hot = sharded()
    signature = make_signature(hot)
    url = reverse("petitions:confirm", args=[hot.slug, signature.confirmation_token()])
    with django_assert_num_queries(6) as queries:
        assert client.post(url).status_code == 302
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    # The upsert starts with its lock: WITH counter_lock AS (...) INSERT ...
    assert statements == ["SELECT", "BEGIN", "UPDATE", "WITH", "SELECT", "COMMIT"]


class TestTheSwitch:
    def test_a_petition_above_the_threshold_gets_shards(self, petition, settings):
        settings.COUNTER_SHARD_THRESHOLD, settings.COUNTER_SHARDS = 1, 6
        for _ in range(counters.RATE_WINDOW * 2):  # 2 confirmations a second
            make_signature(petition, confirmed=True)
        assert counters.reshard_counters() == 1
        assert reload(petition).counter_shards == 6
        make_signature(petition, confirmed=True)
        assert shard_total(petition) == 1  # the next confirmation counts on a shard
        assert counters.reshard_counters() == 0

    def test_a_petition_below_the_threshold_keeps_its_row(self, petition, settings):
        settings.COUNTER_SHARD_THRESHOLD = 100
        make_signature(petition, confirmed=True)
        assert counters.reshard_counters() == 0
        assert reload(petition).counter_shards == 0

    def test_a_petition_that_cooled_down_returns_to_its_row(self, hot, settings):
        settings.COUNTER_SHARD_THRESHOLD = 1
        make_signature(hot, confirmed=True)  # 0.2 a second: below half the threshold
        assert counters.tend_counters() == {"resharded": 1, "folded": 1}
        assert reload(hot).counter_shards == 0
        assert reload(hot).supporter_count == 1 == reload(hot).supporters

    def test_between_half_the_threshold_and_the_threshold_nothing_flips(self, settings):
        settings.COUNTER_SHARD_THRESHOLD, settings.COUNTER_SHARDS = 10, 8
        assert counters.wanted_shards(rate=7, shards=8) == 8
        assert counters.wanted_shards(rate=7, shards=0) == 0

    def test_a_threshold_of_zero_never_shards(self, petition, settings):
        settings.COUNTER_SHARD_THRESHOLD = 0
        for _ in range(10):
            make_signature(petition, confirmed=True)
        assert counters.reshard_counters() == 0

    def test_closed_petitions_are_not_measured(self, closed_petition):
        assert counters.confirmation_rates() == []

    def test_the_worker_tends_the_counters(self, hot):
        make_signature(hot, confirmed=True)
        call_command("send_queued_emails", "--once", stdout=io.StringIO())
        assert not CounterShard.objects.exists()
        assert reload(hot).supporter_count == 1


class TestWhatVisitorsSee:
    @pytest.fixture
    def hot(self, hot):
        make_signature(hot, confirmed=True)
        make_signature(hot, confirmed=True)
        Petition.objects.filter(pk=hot.pk).update(supporter_count=1028)  # folded before
        Signature.objects.bulk_create(  # the rows behind those 1,028, without signals
            Signature(
                petition=hot,
                name="Old",
                email=f"old{n}@example.org",
                country="FR",
                status=Signature.Status.CONFIRMED,
            )
            for n in range(1028)
        )
        return hot

    def test_the_page_shows_the_exact_total(self, client, hot):
        html = client.get(reverse("petitions:appeal", args=[hot.slug])).content.decode()
        assert '<strong class="count">1,030</strong> supporters.' in html

    def test_the_json_shows_the_exact_total(self, client, hot):
        data = client.get(reverse("petitions:counter", args=[hot.slug])).json()
        assert data["supporter_count"] == 1030
        assert data["supporter_count_display"] == "1,030"

    def test_the_home_page_orders_by_the_exact_total(self, client, hot):
        other = make_petition(slug="other", title="Other petition")
        Petition.objects.filter(pk=other.pk).update(supporter_count=1029)
        html = client.get(reverse("petitions:home")).content.decode()
        assert html.index("Free the river") < html.index("Other petition")

    def test_the_admin_shows_the_exact_total(self, admin_client, hot):
        listing = admin_client.get(reverse("admin:petitions_petition_changelist")).content
        assert b"1030" in listing
        change = admin_client.get(reverse("admin:petitions_petition_change", args=[hot.pk]))
        assert b"1030" in change.content
        assert b"differs from the confirmed signatures" not in change.content

    def test_a_warm_page_costs_no_more_queries_than_an_unsharded_one(
        self, client, hot, django_assert_num_queries
    ):
        # The petition with its counter and shards in one, its recent supporters and where
        # supporters are, as tests/test_appeal_cache.py counts for any petition.
        url = reverse("petitions:appeal", args=[hot.slug])
        client.get(url)
        with django_assert_num_queries(3):
            client.get(url)


@pytest.mark.django_db(transaction=True)
class TestUnderConcurrency:
    def test_many_confirmations_at_once_give_an_exact_total(self):
        petition = sharded()
        signatures = [sign(petition, n) for n in range(200)]
        assert all(at_once(Signature.confirm, [(s,) for s in signatures]))
        assert_total_is_exact(petition)
        assert reload(petition).supporters == 200

    def test_recounts_and_folds_racing_confirmations_never_miss_or_double_one(self):
        petition = sharded()
        signatures = [sign(petition, n) for n in range(400)]
        ready, done, drifts, seen = threading.Event(), threading.Event(), [], []

        def recount_and_fold_until_done():
            try:
                while not done.is_set():
                    recounted = Petition(pk=petition.pk)
                    drifts.append(recounted.recount_supporters())
                    seen.append(recounted.supporters)
                    Petition(pk=petition.pk).fold_counter_shards()
                    ready.set()
                    time.sleep(0.001)
            finally:
                ready.set()
                connections.close_all()

        racer = threading.Thread(target=recount_and_fold_until_done)
        racer.start()
        ready.wait(timeout=10)
        try:
            at_once(Signature.confirm, [(s,) for s in signatures])
        finally:
            done.set()
            racer.join()
        assert any(0 < n < 400 for n in seen)  # some recounts ran amid the confirmations
        # A recount that counted a confirmation twice, or lost one, reports a drift.
        assert set(drifts) == {0}
        assert_total_is_exact(petition)
        assert reload(petition).supporters == 400

    def test_moderation_and_deletion_racing_confirmation_keep_the_total_exact(self):
        petition = sharded()
        signatures = [sign(petition, n) for n in range(60)]

        def act(signature: Signature, n: int):
            copy = Signature.objects.get(pk=signature.pk)
            copy.confirm()
            if n % 3 == 0:
                copy.moderate(Signature.Status.REMOVED)
            elif n % 3 == 1:
                Signature.objects.filter(pk=signature.pk).delete()

        at_once(act, [(s, n) for n, s in enumerate(signatures)])
        assert_total_is_exact(petition)
        assert reload(petition).supporters == 20

    def test_a_milestone_is_claimed_once(self):
        petition = sharded(organizer_email="ada@example.org")
        Petition.objects.filter(pk=petition.pk).update(supporter_count=90)
        signatures = [sign(petition, n) for n in range(20)]
        at_once(Signature.confirm, [(s,) for s in signatures])
        counters.fold_counters()  # claims it if every confirmation missed the others'
        counters.fold_counters()
        milestones = OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.MILESTONE)
        assert list(milestones.values_list("milestone", flat=True)) == [100]
