"""Every page carries the headers that keep injected content and other sites out."""

import pytest
from csp.decorators import csp_exempt, csp_update
from csp.middleware import CSPMiddleware
from csp.utils import build_policy
from django.http import HttpResponse
from django.urls import reverse

from petition_site.security import SitePolicyCSPMiddleware


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
    client.get(reverse("petitions:new-link", args=[petition.slug]))  # a page with a form
    assert client.cookies["csrftoken"]["httponly"] is True


def csp_headers(rf, view, middleware=SitePolicyCSPMiddleware) -> dict:
    response = middleware(view)(rf.get("/"))
    return {k: v for k, v in response.items() if k.startswith("Content-Security-Policy")}


def ok(request):
    return HttpResponse("ok")


@csp_update({"img-src": ["https://images.example"]})
def own_policy(request):
    return HttpResponse("ok")


def with_nonce(request):
    return HttpResponse(str(request.csp_nonce))


@pytest.mark.parametrize("view", [ok, own_policy, with_nonce, csp_exempt()(ok)])
def test_the_policy_built_once_is_the_one_django_csp_builds(rf, settings, view):
    settings.DEBUG = False
    assert csp_headers(rf, view) == csp_headers(rf, view, middleware=CSPMiddleware)


def test_the_site_policy_and_a_views_own_both_apply(rf, settings):
    settings.DEBUG = False
    assert csp_headers(rf, ok) == {"Content-Security-Policy": build_policy()}
    assert "https://images.example" in csp_headers(rf, own_policy)["Content-Security-Policy"]
    assert csp_headers(rf, csp_exempt()(ok)) == {}
