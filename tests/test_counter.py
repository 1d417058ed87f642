"""The supporter counter equals the confirmed signatures, always."""

import threading
import time

import pytest
from django.db import connections
from django.urls import reverse

from petitions.models import Petition, Signature
from tests.conftest import make_petition, make_signature, reload
from tests.test_concurrency import at_once, sign


def confirmed_rows(petition: Petition) -> int:
    return petition.signatures.confirmed().count()


def test_confirming_adds_one_supporter(petition):
    signature = make_signature(petition)
    assert reload(petition).supporter_count == 0
    assert signature.confirm() is True
    assert reload(petition).supporter_count == 1 == confirmed_rows(petition)


def test_confirming_twice_counts_once(petition):
    signature = make_signature(petition)
    assert signature.confirm() is True
    assert signature.confirm() is False
    # A second, stale copy of the same row (another request) counts nothing either.
    stale = type(signature).objects.get(pk=signature.pk)
    stale.status = stale.Status.PENDING
    assert stale.confirm() is False
    assert reload(petition).supporter_count == 1 == confirmed_rows(petition)


def test_deleting_a_confirmed_signature_removes_its_supporter(petition):
    keep = make_signature(petition, confirmed=True)
    gone = make_signature(petition, confirmed=True)
    gone.delete()
    assert reload(petition).supporter_count == 1 == confirmed_rows(petition)
    # The supporter left is the one kept, not the deleted one.
    assert list(petition.signatures.confirmed().values_list("pk", flat=True)) == [keep.pk]


def test_deleting_a_stale_copy_of_a_since_confirmed_signature_removes_its_supporter(petition):
    signature = make_signature(petition)
    stale = Signature.objects.get(pk=signature.pk)  # read while pending, e.g. by an admin page
    signature.confirm()
    stale.delete()
    assert reload(petition).supporter_count == 0 == confirmed_rows(petition)


def test_deleting_an_unconfirmed_signature_changes_nothing(petition):
    make_signature(petition, confirmed=True)
    make_signature(petition).delete()
    assert reload(petition).supporter_count == 1 == confirmed_rows(petition)


def test_bulk_deleting_signatures_keeps_the_counter_exact(petition):
    for _ in range(5):
        make_signature(petition, confirmed=True)
    make_signature(petition)
    petition.signatures.filter(pk__in=petition.signatures.values("pk")[:3]).delete()
    assert reload(petition).supporter_count == confirmed_rows(petition)


def test_counters_of_other_petitions_do_not_move(petition):
    other = make_petition(slug="other")
    make_signature(petition, confirmed=True)
    assert reload(other).supporter_count == 0


def test_deleting_a_petition_deletes_its_signatures(petition):
    make_signature(petition, confirmed=True)
    petition.delete()
    assert not Petition.objects.filter(slug="free-the-river").exists()


@pytest.mark.parametrize(
    "status", [Signature.Status.REMOVED, Signature.Status.HELD, Signature.Status.PENDING]
)
def test_moderating_a_confirmed_signature_away_removes_its_supporter(petition, status):
    signature = make_signature(petition, confirmed=True)
    make_signature(petition, confirmed=True)
    assert signature.moderate(status) is True
    assert reload(petition).supporter_count == 1 == confirmed_rows(petition)
    assert signature.moderate(status) is False  # a repeat changes nothing
    assert reload(petition).supporter_count == 1


def test_restoring_a_removed_signature_counts_it_again(petition):
    signature = make_signature(petition, confirmed=True)
    signature.moderate(Signature.Status.REMOVED)
    assert reload(petition).supporter_count == 0
    assert signature.moderate(Signature.Status.CONFIRMED) is True
    assert reload(petition).supporter_count == 1 == confirmed_rows(petition)


def test_holding_a_pending_signature_counts_nothing(petition):
    signature = make_signature(petition)
    signature.moderate(Signature.Status.HELD)
    assert signature.confirm() is False  # held signatures wait for a moderator
    assert reload(petition).supporter_count == 0


def test_deleting_a_removed_signature_changes_nothing(petition):
    make_signature(petition, confirmed=True)
    signature = make_signature(petition, confirmed=True)
    signature.moderate(Signature.Status.REMOVED)
    signature.delete()
    assert reload(petition).supporter_count == 1 == confirmed_rows(petition)


def test_recount_corrects_drift_and_reports_it(petition):
    make_signature(petition, confirmed=True)
    make_signature(petition, confirmed=True)
    Petition.objects.filter(pk=petition.pk).update(supporter_count=7)
    assert petition.recount_supporters() == -5
    assert reload(petition).supporter_count == 2
    assert petition.recount_supporters() == 0


class TestWhatVisitorsSee:
    @pytest.fixture
    def popular(self, petition):
        Signature.objects.bulk_create(  # 1,028 confirmed rows, without signals
            Signature(
                petition=petition,
                name="Old",
                email=f"old{n}@example.org",
                country="FR",
                status=Signature.Status.CONFIRMED,
            )
            for n in range(1028)
        )
        Petition.objects.filter(pk=petition.pk).update(supporter_count=1028)
        make_signature(petition, confirmed=True)
        make_signature(petition, confirmed=True)
        return petition

    def test_the_page_shows_the_count(self, client, popular):
        html = client.get(reverse("petitions:appeal", args=[popular.slug])).content.decode()
        assert '<strong class="count">1,030</strong> supporters.' in html

    def test_the_json_shows_the_exact_count(self, client, popular):
        data = client.get(reverse("petitions:counter", args=[popular.slug])).json()
        assert data["supporter_count"] == 1030

    def test_the_home_page_orders_by_the_count(self, client, popular):
        other = make_petition(slug="other", title="Other petition")
        Petition.objects.filter(pk=other.pk).update(supporter_count=1029)
        html = client.get(reverse("petitions:home")).content.decode()
        assert html.index("Free the river") < html.index("Other petition")

    def test_the_admin_shows_the_count(self, admin_client, popular):
        listing = admin_client.get(reverse("admin:petitions_petition_changelist")).content
        assert b"1030" in listing
        change = admin_client.get(reverse("admin:petitions_petition_change", args=[popular.pk]))
        assert b"1030" in change.content
        assert b"differs from the confirmed signatures" not in change.content


@pytest.mark.django_db(transaction=True)
def test_recounts_racing_confirmations_never_miss_or_double_one():
    petition = make_petition()
    signatures = [sign(petition, n) for n in range(400)]
    ready, done, drifts, seen = threading.Event(), threading.Event(), [], []

    def recount_until_done():
        try:
            while not done.is_set():
                recounted = Petition(pk=petition.pk)
                drifts.append(recounted.recount_supporters())
                seen.append(recounted.supporters)
                ready.set()
                time.sleep(0.001)
        finally:
            ready.set()
            connections.close_all()

    racer = threading.Thread(target=recount_until_done)
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
    assert reload(petition).supporter_count == 400 == confirmed_rows(petition)


def test_saving_a_copy_read_before_a_confirmation_keeps_the_confirmation(petition):
    stale = Petition.objects.get(pk=petition.pk)  # an organizer's edit page, open meanwhile
    make_signature(petition, confirmed=True)
    stale.title = "Free the river now"
    stale.save()
    petition.refresh_from_db()
    assert petition.title == "Free the river now"
    assert petition.supporter_count == petition.signatures.confirmed().count() == 1
