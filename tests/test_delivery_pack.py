"""The printable delivery pack: the letter, its recipients and every confirmed signer."""

from django.http import StreamingHttpResponse
from django.urls import reverse

from petitions.models import Signature
from tests.conftest import make_signature


def pack(client, petition) -> str:
    response = client.get(reverse("admin:petitions_petition_delivery_pack", args=[petition.pk]))
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode()


def test_it_has_the_letter_and_the_recipients(admin_client, petition):
    page = pack(admin_client, petition)
    assert "<h1>Free the river</h1>" in page
    assert "Please free the river." in page
    assert "Mayor of Riverton <strong>Jo Bank</strong>" in page
    assert "css/print.css" in page


def test_it_lists_confirmed_signers_with_their_countries(admin_client, petition):
    make_signature(petition, name="Ada <Lovelace>", country="GB", confirmed=True)
    make_signature(petition, name="Not Yet", country="FR")
    make_signature(petition, name="Spammer", confirmed=True).moderate(Signature.Status.REMOVED)
    page = pack(admin_client, petition)
    assert "<li>Ada &lt;Lovelace&gt; <span>United Kingdom</span></li>" in page
    assert "Not Yet" not in page
    assert "Spammer" not in page
    assert page.rstrip().endswith("</html>")


def test_long_lists_are_numbered_in_printable_parts(admin_client, petition):
    from petitions import exports

    for _ in range(exports.SIGNERS_PER_LIST + 1):
        make_signature(petition, confirmed=True)
    page = pack(admin_client, petition)
    assert page.count('<ol class="signers"') == 2
    assert f'<ol class="signers" start="{exports.SIGNERS_PER_LIST + 1}">' in page
    assert page.count("<li>") == exports.SIGNERS_PER_LIST + 1 + 2  # and the two recipients
    assert page.count("</ol>") == 2


def test_the_petition_page_links_to_it(admin_client, petition):
    page = admin_client.get(
        reverse("admin:petitions_petition_change", args=[petition.pk])
    ).content.decode()
    assert reverse("admin:petitions_petition_delivery_pack", args=[petition.pk]) in page
