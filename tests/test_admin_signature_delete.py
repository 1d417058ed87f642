"""Deleting many signatures in the admin: a few statements whatever their number, their
queued emails go with them, and each counter loses exactly its confirmed ones."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from petitions.models import OutgoingEmail, Signature
from tests.conftest import make_petition, make_signature, reload
from tests.test_admin_signature_moderation import SIGNATURES


def test_deleting_many_signatures_moves_each_counter_once(
    admin_client, petition, django_assert_max_num_queries
):
    other = make_petition(slug="other-river")
    confirmed = [make_signature(p, confirmed=True) for p in (petition, other) for _ in range(20)]
    pending = [make_signature(petition) for _ in range(10)]
    chosen = confirmed[::2] + pending
    data = {"action": "delete_selected", "_selected_action": [s.pk for s in chosen]}
    page = admin_client.post(SIGNATURES, data).content.decode()
    assert "Delete multiple objects" in page
    # The same few statements for 30 signatures as for one (it was three each, and more).
    # (Each of the two requests also reads the session's second-factor device, and the
    # page of signatures shown after is logged: one statement for its petitions' titles,
    # one for the entries.)
    with django_assert_max_num_queries(29):
        response = admin_client.post(SIGNATURES, {**data, "post": "yes"}, follow=True)
    assert "Successfully deleted 30 signatures." in response.content.decode()
    assert not Signature.objects.filter(pk__in=[s.pk for s in chosen]).exists()
    assert not OutgoingEmail.objects.filter(signature_id__in=[s.pk for s in chosen]).exists()
    assert reload(petition).supporter_count == 10 == petition.signatures.confirmed().count()
    assert reload(other).supporter_count == 10 == other.signatures.confirmed().count()


def test_deleting_returns_what_went_as_django_does(petition):
    make_signature(petition, confirmed=True)
    make_signature(petition)
    total, counts = petition.signatures.all().delete()
    assert counts["petitions.Signature"] == 2
    assert total == sum(counts.values())
    assert Signature.objects.none().delete() == (0, {})


def test_the_signatures_go_in_one_statement_none_loaded(petition):
    chosen = [make_signature(petition, confirmed=n % 2 == 0) for n in range(30)]
    with CaptureQueriesContext(connection) as queries:
        petition.signatures.all().delete()
    statements = [q["sql"] for q in queries if 'FROM "petitions_signature"' in q["sql"]]
    # Django's collector fast-deletes them: with a delete receiver on Signature, or a model
    # cascading to it, it would read every row again and delete them 100 at a time.
    ids = ", ".join(str(s.pk) for s in chosen)
    deletes = [sql for sql in statements if sql.startswith("DELETE")]
    assert [sql.endswith(f'."id" IN ({ids})') for sql in deletes] == [True], (
        "Signature is no longer fast-deleted (a delete receiver, or a cascade to it?)"
    )
    assert not [sql for sql in statements if '"petitions_signature"."name"' in sql]
    assert not Signature.objects.exists()
    assert not OutgoingEmail.objects.filter(signature_id__in=[s.pk for s in chosen]).exists()
    assert reload(petition).supporter_count == 0


def test_one_signature_goes_the_same_way_with_its_emails(petition):
    signature = make_signature(petition, confirmed=True)
    kept = make_signature(petition, email="kept@example.org", confirmed=True)
    gone = signature.pk
    total, counts = signature.delete()
    assert signature.pk is None
    assert counts["petitions.Signature"] == 1 and total == sum(counts.values())
    assert not OutgoingEmail.objects.filter(signature_id=gone).exists()
    assert OutgoingEmail.objects.filter(signature=kept).exists()
    assert list(Signature.objects.all()) == [kept]
    assert reload(petition).supporter_count == 1 == petition.signatures.confirmed().count()
