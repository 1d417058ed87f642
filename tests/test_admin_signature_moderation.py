"""Moderating signatures in the admin keeps the counter equal to the confirmed signatures."""

from django.urls import reverse

from petitions.models import Signature
from tests.conftest import make_petition, make_signature, reload

SIGNATURES = reverse("admin:petitions_signature_changelist")


def act(client, action: str, *signatures) -> str:
    data = {"action": action, "_selected_action": [s.pk for s in signatures]}
    return client.post(SIGNATURES, data, follow=True).content.decode()


def test_holding_and_restoring_keep_the_counter_exact(admin_client, petition):
    a, b = make_signature(petition, confirmed=True), make_signature(petition, confirmed=True)
    assert "2 signature(s) now “Held for review”." in act(admin_client, "hold_for_review", a, b)
    assert reload(petition).supporter_count == 0
    act(admin_client, "restore", a)
    assert reload(petition).supporter_count == 1 == petition.signatures.confirmed().count()


def test_moderating_many_signatures_moves_each_counter_once(
    admin_client, petition, django_assert_max_num_queries
):
    other = make_petition(slug="other-river")
    confirmed = [make_signature(p, confirmed=True) for p in (petition, other) for _ in range(30)]
    pending = [make_signature(petition) for _ in range(10)]
    held = [make_signature(other, confirmed=True) for _ in range(5)]
    for signature in held:
        signature.moderate(Signature.Status.HELD)
    chosen = confirmed[::2] + pending + held
    # The same few statements for 70 signatures as for one (it was four or five each).
    # (Each of the two requests also reads the session's second-factor device, and the
    # page of signatures shown after is logged: one statement for its petitions' titles,
    # one for the entries.)
    with django_assert_max_num_queries(24):
        page = act(admin_client, "remove_as_spam", *chosen)
    assert f"{len(chosen)} signature(s) now “Removed as spam”." in page
    assert reload(petition).supporter_count == 15 == petition.signatures.confirmed().count()
    assert reload(other).supporter_count == 15 == other.signatures.confirmed().count()
    assert {s.status for s in Signature.objects.filter(pk__in=[s.pk for s in chosen])} == {
        Signature.Status.REMOVED
    }

    page = act(admin_client, "restore", *held, *pending[:2])
    assert "7 signature(s) now “Confirmed”." in page
    assert reload(petition).supporter_count == 17 == petition.signatures.confirmed().count()
    assert reload(other).supporter_count == 20 == other.signatures.confirmed().count()
    restored = Signature.objects.get(pk=pending[0].pk)
    assert restored.confirmed_at is not None  # never confirmed before: counted from now
    first_confirmed = reload(held[0]).confirmed_at
    act(admin_client, "hold_for_review", held[0])
    act(admin_client, "restore", held[0])
    assert reload(held[0]).confirmed_at == first_confirmed  # kept from its confirmation


def test_resending_reaches_only_unconfirmed_signers(admin_client, petition, sent_emails):
    waiting = make_signature(petition, email="waiting@example.org")
    done = make_signature(petition, email="done@example.org", confirmed=True)
    sent_emails().clear()  # the first link
    page = act(admin_client, "resend_confirmation", waiting, done)
    assert "Confirmation email resent to 1 signer(s)." in page
    assert [m.to for m in sent_emails()] == [["waiting@example.org"]]
    assert reload(petition).supporter_count == 1


def test_moderating_needs_the_change_permission(staff_client, petition):
    signature = make_signature(petition, confirmed=True)
    client = staff_client("view_petition", "view_signature")
    act(client, "remove_as_spam", signature)
    assert reload(signature).status == Signature.Status.CONFIRMED
    assert reload(petition).supporter_count == 1


def test_the_list_filters_by_petition_status_country_and_date(admin_client, petition):
    other = make_petition(slug="other", title="Other")
    make_signature(petition, name="Ada", country="GB", confirmed=True)
    make_signature(other, name="Bo", country="DE")

    def names(**params) -> set[str]:
        page = admin_client.get(SIGNATURES, params).content.decode()
        return {name for name in ["Ada", "Bo"] if f">{name}</a>" in page}

    assert names() == {"Ada", "Bo"}
    assert names(petition__id__exact=other.pk) == {"Bo"}
    assert names(status__exact="confirmed") == {"Ada"}
    assert names(country__exact="DE") == {"Bo"}
    assert names(created_at__year="2000") == set()
    page = admin_client.get(SIGNATURES).content.decode()
    assert "By created at" in page and "Past 7 days" in page  # the date filter


def test_the_list_searches_names(admin_client, petition):
    make_signature(petition, name="Ada Lovelace")
    make_signature(petition, name="Bo Diddley")
    page = admin_client.get(SIGNATURES, {"q": "lovelace"}).content.decode()
    assert ">Ada Lovelace</a>" in page and "Bo Diddley" not in page
