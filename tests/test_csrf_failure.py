"""A form sent without its CSRF cookie (a browser that blocks cookies): a 403 in the site's
design and the visitor's language, nothing stored, and the way back to the petition. (The
sign form's own path is in test_cross_origin_protection.py.)"""

from django.test import Client
from django.urls import reverse

from petitions.models import OutgoingEmail, Signature


def sign_without_cookie(petition, sign_data, **headers):
    """The new-link form, sent without its cookie: a form of a petition, on its own page."""
    client = Client(enforce_csrf_checks=True, headers=headers)
    return client.post(reverse("petitions:new-link", args=[petition.slug]), sign_data)


def test_a_form_without_its_cookie_is_refused_with_a_clear_page(petition, sign_data):
    response = sign_without_cookie(petition, sign_data)
    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Your form could not be sent</h1>" in html
    assert "Your browser did not send that cookie, so nothing was saved." in html
    assert f'Back to <a href="/{petition.slug}/">“Free the river”</a>' in html
    assert 'class="panel"' in html  # the site's own layout, not Django's plain page
    assert not Signature.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_the_page_sets_a_fresh_cookie_for_the_next_try(petition, sign_data):
    response = sign_without_cookie(petition, sign_data)
    assert response.cookies["csrftoken"].value


def test_the_page_is_in_the_visitors_language(petition, sign_data):
    html = sign_without_cookie(petition, sign_data, accept_language="fr").content.decode()
    assert '<html lang="fr">' in html
    assert "Votre formulaire n’a pas pu être envoyé" in html
    html = sign_without_cookie(petition, sign_data, accept_language="zh-hans").content.decode()
    assert "无法提交您的表单" in html


def test_a_form_of_no_petition_links_to_all_petitions(db):
    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "x"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "Back to" not in html
    assert 'href="/">See all petitions</a>' in html
