"""Setting a password from the link of petitions.accounts.set_password_url()."""

from urllib.parse import urlsplit

from django.urls import reverse

from petitions.accounts import set_password_url, user_for_email

NEW_PASSWORD = "river-otter-lantern-52"


def link_path(user) -> str:
    return urlsplit(set_password_url(user)).path


def open_link(client, user):
    """Open the emailed link: Django moves its token into the session and redirects."""
    response = client.get(link_path(user))
    assert response.status_code == 302
    return response.url


def test_a_new_organizer_sets_a_password_and_signs_in_with_it(client, db):
    user = user_for_email("Ada@Example.org")
    assert not user.has_usable_password()
    form_url = open_link(client, user)
    page = client.get(form_url)
    assert page.status_code == 200
    assert "Set my password" in page.content.decode()
    done = client.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert done.redirect_chain[-1][0] == reverse("admin:login")
    assert "Your password is set" in done.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    login = client.post(
        reverse("admin:login"),
        {"username": "ada@example.org", "password": NEW_PASSWORD, "next": "/admin/"},
    )
    assert login.status_code == 302


def test_the_link_stops_working_once_used(client, db):
    user = user_for_email("ada@example.org")
    path = link_path(user)
    form_url = open_link(client, user)
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    again = client.get(path)
    assert again.status_code == 400
    assert "This link does not work" in again.content.decode()
    assert client.get(form_url).status_code == 400


def test_a_mismatched_or_weak_password_is_refused_with_the_reason(client, db):
    user = user_for_email("ada@example.org")
    form_url = open_link(client, user)
    mismatched = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": "other"})
    assert mismatched.status_code == 400
    assert "The two password fields didn" in mismatched.content.decode()
    weak = client.post(form_url, {"new_password1": "password", "new_password2": "password"})
    assert weak.status_code == 400
    assert "This password is too common" in weak.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_a_forged_or_truncated_link_gets_a_clear_400(client, db):
    user = user_for_email("ada@example.org")
    path = link_path(user)
    for bad in (
        path[:-4] + "/",
        path.replace("/set-password/", "/set-password/zzzz"),
        "/admin/set-password/x/y/",
    ):
        response = client.get(bad)
        assert response.status_code == 400, bad
        assert "This link does not work" in response.content.decode()


def test_the_link_is_on_the_site_url(db, settings):
    settings.SITE_URL = "https://petitions.example.org"
    user = user_for_email("ada@example.org")
    assert set_password_url(user).startswith("https://petitions.example.org/admin/set-password/")
