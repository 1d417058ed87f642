"""What every page tells machines: a description on every public page, noindex on every
page about one person, and an answer to HEAD for uptime and link checkers."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from petitions.models import Update
from tests.conftest import make_signature

DESCRIPTION = re.compile(r'<meta name="description" content="([^"]+)">')
NOINDEX = '<meta name="robots" content="noindex">'


def path_of(url: str) -> str:
    return url.removeprefix(settings.SITE_URL)


@pytest.fixture
def public_pages(petition, closed_petition) -> dict[str, str]:
    update = Update.objects.create(
        petition=petition, title="We delivered", body="It went well.", published_at=timezone.now()
    )
    return {
        "home": reverse("petitions:home"),
        "privacy": reverse("petitions:privacy"),
        "appeal": petition.get_absolute_url(),
        "appeal-closed": closed_petition.get_absolute_url(),
        "update": update.get_absolute_url(),
        "embed": reverse("petitions:embed", args=[petition.slug]),
    }


@pytest.fixture
def personal_pages(petition, closed_petition) -> dict[str, str]:
    pending = make_signature(petition, name="Pending Person")
    confirmed = make_signature(petition, confirmed=True)
    slug = petition.slug
    return {
        "check-your-inbox": f"/{slug}/check-your-inbox/",
        "confirm": path_of(pending.confirmation_url()),
        "confirm-too-late": path_of(make_signature(closed_petition).confirmation_url()),
        "already-confirmed": path_of(confirmed.confirmation_url()),
        "link-not-valid": f"/{slug}/confirm/forged/",
        "thank-you": f"/{slug}/thank-you/",
        "new-link": f"/{slug}/new-link/",
        "new-link-sent": f"/{slug}/new-link/sent/",
        "withdraw": path_of(pending.withdrawal_url()),
        "withdraw-link-not-valid": f"/{slug}/withdraw/forged/",
        "unsubscribe": path_of(confirmed.unsubscribe_url()),
        "unsubscribe-link-not-valid": f"/{slug}/unsubscribe/forged/",
    }


def test_every_public_page_has_its_own_description(client, public_pages):
    descriptions = {}
    for name, path in public_pages.items():
        html = client.get(path).content.decode()
        found = DESCRIPTION.findall(html)
        assert len(found) == 1, name
        descriptions[name] = found[0]
        assert NOINDEX not in html or name == "embed", name
    assert descriptions["appeal"].startswith("First paragraph with a link.")
    assert descriptions["update"] == "It went well."
    assert descriptions["home"] != descriptions["privacy"]


def test_every_page_about_one_person_is_noindex_and_described(client, personal_pages):
    for name, path in personal_pages.items():
        response = client.get(path)
        assert response.status_code < 500, name
        html = response.content.decode()
        assert html.count(NOINDEX) == 1, name
        assert len(DESCRIPTION.findall(html)) == 1, name


def test_the_withdrawn_page_is_noindex(client, petition):
    signature = make_signature(petition, confirmed=True)
    html = client.post(path_of(signature.withdrawal_url())).content.decode()
    assert "withdrawn" in html
    assert NOINDEX in html


def test_public_pages_answer_head_with_no_body(client, public_pages, petition):
    others = {
        "counter": reverse("petitions:counter", args=[petition.slug]),
        "badge": reverse("petitions:badge", args=[petition.slug]),
        "feed": reverse("petitions:updates-feed", args=[petition.slug]),
        "robots": "/robots.txt",
        "sitemap": "/sitemap.xml",
    }
    for name, path in {**public_pages, **others}.items():
        response = client.head(path)
        assert response.status_code == 200, name
        assert response.content == b"", name


def test_pages_about_one_person_answer_head_too(client, personal_pages):
    # Link checkers and mail scanners send HEAD to the links in emails.
    for name in ["check-your-inbox", "confirm", "thank-you", "new-link", "withdraw"]:
        response = client.head(personal_pages[name])
        assert response.status_code == 200, name
        assert response.content == b"", name


def test_head_changes_nothing(client, petition):
    signature = make_signature(petition)
    client.head(path_of(signature.confirmation_url()))
    client.head(path_of(signature.withdrawal_url()))
    signature.refresh_from_db()
    assert signature.status == signature.Status.PENDING


def test_other_methods_are_still_refused(client, petition):
    assert client.put(petition.get_absolute_url()).status_code == 405
    assert client.delete(reverse("petitions:home")).status_code == 405
