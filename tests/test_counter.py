"""The supporter counter equals the confirmed signatures, always."""

import pytest

from petitions.models import Petition, Signature
from tests.conftest import make_petition, make_signature, reload


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
    assert keep.pk


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
