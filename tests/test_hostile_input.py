"""Names and comments are normalised, and text that could deceive a reader is refused."""

import unicodedata

import pytest
from django.urls import reverse

from petitions.models import Signature


def sign(client, petition, sign_data, **fields):
    return client.post(reverse("petitions:sign", args=[petition.slug]), {**sign_data, **fields})


@pytest.mark.parametrize(
    "name",
    ["Eve\u202eevilname", "Mallory\u2066x\u2069", "Bell\x07ring", "Esc\x1b[31mRed", "Nul\x00l"],
)
def test_names_with_control_characters_or_bidi_overrides_are_refused(
    client, petition, sign_data, name
):
    response = sign(client, petition, sign_data, name=name)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Remove the invisible control characters" in html or "Null characters" in html
    assert not Signature.objects.exists()


def test_a_comment_with_a_bidi_override_is_refused(client, petition, sign_data):
    response = sign(client, petition, sign_data, comment="Fine \u202e text")
    assert response.status_code == 400
    assert "U+202E" in response.content.decode()


def test_names_and_comments_are_nfc_normalised(client, petition, sign_data):
    decomposed = unicodedata.normalize("NFD", "Zoë Ångström")
    sign(client, petition, sign_data, name=decomposed, comment=f"From {decomposed}\r\nwith love")
    signature = Signature.objects.get()
    assert signature.name == "Zoë Ångström" == unicodedata.normalize("NFC", decomposed)
    assert signature.comment == "From Zoë Ångström\nwith love"


def test_scripts_of_every_kind_are_welcome(client, petition, sign_data):
    for n, name in enumerate(["王丙章", "Ἀριστοτέλης", "محمد", "Ngũgĩ wa Thiong'o", "👩🏽‍⚕️ Ana"]):
        response = sign(client, petition, sign_data, name=name, email=f"n{n}@example.org")
        assert response.status_code == 302, name
    assert Signature.objects.count() == 5


def test_html_in_a_name_is_stored_as_text_and_escaped_when_shown(client, petition, sign_data):
    response = sign(client, petition, sign_data, name="<script>alert(1)</script>", email="bad")
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
