"""The sign form and the language switcher sit on pages that shared caches serve, without a
CSRF token: the browser's Sec-Fetch-Site and Origin headers say where a POST comes from, and
a browser that sends neither gets the token path (petition_site.security)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from petitions.models import OutgoingEmail, Signature

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def browser(**headers) -> Client:
    # enforce_csrf_checks: as a real browser meets the site, without the test client's pass.
    return Client(enforce_csrf_checks=True, headers=headers)


def sign(client: Client, petition, data: dict):
    return client.post(reverse("petitions:sign", args=[petition.slug]), data)


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
        {"Sec-Fetch-Site": "same-origin"},
        {"Origin": "http://testserver"},  # a browser with Origin but no Fetch Metadata
    ],
    ids=["both headers", "sec-fetch-site alone", "origin alone"],
)
def test_a_signature_sent_from_the_page_needs_no_token(petition, sign_data, headers):
    response = sign(browser(**headers), petition, sign_data)
    assert response.status_code == 302
    assert Signature.objects.get().name == "Marie Curie"


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "same-site", "Origin": "https://shop.testserver"},
        # A page of ours cannot vouch for a request that its browser says is cross-site.
        {"Sec-Fetch-Site": "cross-site", "Origin": "http://testserver"},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},  # a sandboxed frame or a data: URL
        {"Origin": "https://testserver"},  # another scheme is another origin
    ],
    ids=["cross-site", "same-site", "cross-site-own-origin", "other-origin", "null", "scheme"],
)
def test_a_signature_sent_from_another_site_is_refused_and_nothing_is_stored(
    petition, sign_data, headers
):
    response = sign(browser(**headers), petition, sign_data)
    html = response.content.decode()
    assert response.status_code == 403
    assert "Your browser says this one came from another site, so nothing was saved." in html
    assert "Marie" not in html  # the forged form is not shown back to be sent again
    assert not Signature.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_a_token_from_another_site_does_not_outweigh_the_browsers_word(petition, sign_data):
    client = browser(**{"Sec-Fetch-Site": "cross-site"})
    client.get(reverse("petitions:new-link", args=[petition.slug]))  # a page with a token
    token = client.cookies["csrftoken"].value
    response = sign(client, petition, {**sign_data, "csrfmiddlewaretoken": token})
    assert response.status_code == 403
    assert not Signature.objects.exists()


def test_a_trusted_origin_of_ours_may_send_it(petition, sign_data, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://www.testserver"]
    headers = {"Sec-Fetch-Site": "same-site", "Origin": "https://www.testserver"}
    assert sign(browser(**headers), petition, sign_data).status_code == 302
    assert Signature.objects.count() == 1


def test_behind_tls_the_origin_is_the_https_one(petition, sign_data, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    headers = {"Host": "testserver", "Origin": "https://testserver", "X-Forwarded-Proto": "https"}
    client = browser(**headers)
    assert sign(client, petition, sign_data).status_code == 302


def test_an_old_browser_gets_its_form_back_with_a_token_and_signs_on_the_second_try(
    petition, sign_data, settings
):
    settings.SIGN_FORM_MIN_SECONDS = 0  # the person takes another look, then sends it
    old = browser()  # neither Sec-Fetch-Site nor Origin, and no cookie from the cached page
    first = sign(old, petition, sign_data)
    html = first.content.decode()
    assert first.status_code == 403
    assert "press “Sign this petition” once more" in html
    assert 'value="Marie Curie"' in html  # as they sent it
    assert not Signature.objects.exists()
    token = TOKEN.search(html).group(1)
    started = re.search(r'name="started" value="([^"]+)"', html).group(1)
    second = sign(old, petition, {**sign_data, "started": started, "csrfmiddlewaretoken": token})
    assert second.status_code == 302
    assert Signature.objects.count() == 1


def test_the_token_path_refuses_a_form_without_the_token(petition, sign_data):
    old = browser()
    sign(old, petition, sign_data)  # gets the cookie
    assert sign(old, petition, sign_data).status_code == 403
    assert not Signature.objects.exists()


def test_the_language_switcher_works_from_the_cached_page(petition):
    page = browser(**{"Sec-Fetch-Site": "same-origin"}).get(petition.get_absolute_url())
    assert "csrfmiddlewaretoken" not in page.content.decode()
    client = browser(**{"Sec-Fetch-Site": "same-origin"})
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "fr"


def test_another_site_cannot_switch_the_language(db):
    client = browser(**{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"})
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert response.status_code == 403
    assert "django_language" not in client.cookies


def test_other_forms_keep_djangos_token_check(petition):
    # The new-link form is on a page of its own, never shared: the token is still needed.
    client = browser(**{"Sec-Fetch-Site": "same-origin"})
    url = reverse("petitions:new-link", args=[petition.slug])
    assert client.post(url, {"email": "marie@example.org"}).status_code == 403
