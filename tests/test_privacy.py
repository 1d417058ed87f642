"""No raw address is stored; what is kept for abuse analysis is erased after a few days;
a signer can withdraw, and an organizer can erase a person."""

import datetime as dt

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from petitions.abuse import keyed_hash, network_of
from petitions.models import OutgoingEmail, Signature
from tests.conftest import email_link, make_signature, reload


def test_only_keyed_hashes_of_the_address_and_its_network_are_stored(client, petition, sign_data):
    client.post(
        reverse("petitions:sign", args=[petition.slug]), sign_data, REMOTE_ADDR="198.51.100.23"
    )
    signature = Signature.objects.get()
    stored = " ".join(str(v) for v in Signature.objects.values().get().values())
    assert "198.51.100" not in stored
    assert signature.ip_hash == keyed_hash("198.51.100.23")
    assert signature.network_hash == keyed_hash("198.51.100.0/24")
    assert network_of("2001:db8:1:2::5") == "2001:db8:1::/48"


def test_purging_erases_old_hashes_and_unconfirmed_signatures_and_is_idempotent(petition):
    old = timezone.now() - dt.timedelta(days=90)
    kept = make_signature(petition, confirmed=True, ip_hash="a" * 32, network_hash="b" * 32)
    aged = make_signature(petition, confirmed=True, ip_hash="c" * 32, network_hash="d" * 32)
    stale = make_signature(petition)
    Signature.objects.filter(pk__in=[aged.pk, stale.pk]).update(created_at=old)
    call_command("purge_personal_data")
    assert (reload(kept).ip_hash, reload(kept).network_hash) == ("a" * 32, "b" * 32)
    assert (reload(aged).ip_hash, reload(aged).network_hash) == ("", "")
    assert not Signature.objects.filter(pk=stale.pk).exists()
    assert reload(petition).supporter_count == 2
    call_command("purge_personal_data")  # nothing more to do
    assert Signature.objects.count() == 2


def test_every_email_carries_a_withdrawal_link(petition, sent_emails):
    signature = make_signature(petition)
    (message,) = sent_emails()
    link, opened = email_link(message.body, "withdraw")
    assert link.startswith("http://127.0.0.1:8000/free-the-river/withdraw/")
    assert opened == signature
    assert f'href="{link}"' in message.alternatives[0][0]


def test_withdrawing_asks_first_then_deletes_the_signature_and_uncounts_it(client, petition):
    signature = make_signature(petition, confirmed=True)
    url = reverse("petitions:withdraw", args=[petition.slug, signature.withdrawal_token()])
    response = client.get(url)
    assert "Withdraw my signature" in response.content.decode()
    assert Signature.objects.filter(pk=signature.pk).exists()
    response = client.post(url)
    assert "Your signature is withdrawn" in response.content.decode()
    assert not Signature.objects.filter(pk=signature.pk).exists()
    assert not OutgoingEmail.objects.filter(signature_id=signature.pk).exists()
    assert reload(petition).supporter_count == 0
    assert client.post(url).status_code == 404  # already gone


def test_a_forged_withdrawal_link_deletes_nothing(client, petition):
    signature = make_signature(petition)
    url = reverse("petitions:withdraw", args=[petition.slug, signature.confirmation_token()])
    assert client.post(url).status_code == 404
    assert Signature.objects.filter(pk=signature.pk).exists()
