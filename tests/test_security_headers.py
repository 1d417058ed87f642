"""Every page carries the headers that keep injected content and other sites out."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize("name", ["petitions:home", "petitions:appeal", "admin:login", "healthz"])
def test_pages_carry_a_strict_policy_and_isolation_headers(client, petition, name):
    url = reverse(name, args=[petition.slug]) if name == "petitions:appeal" else reverse(name)
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Embedder-Policy"] == "require-corp"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_no_page_has_inline_script(client, petition):
    html = client.get(reverse("petitions:appeal", args=[petition.slug])).content.decode()
    assert "<script>" not in html
    assert " onclick=" not in html and " onload=" not in html


def test_the_csrf_cookie_is_http_only(client, petition):
    client.get(reverse("petitions:appeal", args=[petition.slug]))
    assert client.cookies["csrftoken"]["httponly"] is True
