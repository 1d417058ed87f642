"""A rejected petition's address says that it was rejected and why, and cannot be signed; the
appeal page says when a published petition was edited."""

import datetime as dt

from django.urls import reverse
from django.utils import translation

from petitions.models import Petition, Recipient
from tests.conftest import make_petition

REJECTED_ON = dt.datetime(2026, 3, 4, 10, tzinfo=dt.UTC)


def make_rejected(reason=Petition.RejectionReason.NOT_ACTIONABLE, **fields) -> Petition:
    petition = make_petition(
        slug="ban-mondays",
        title="Ban Mondays",
        state=Petition.State.REJECTED,
        rejection_reason=reason,
        reviewed_at=REJECTED_ON,
        **fields,
    )
    Recipient.objects.create(petition=petition, role="Mayor of Riverton", name="Jo Bank")
    return petition


def url(petition) -> str:
    return reverse("petitions:appeal", args=[petition.slug])


def test_it_says_the_petition_was_rejected_and_why(client, db):
    response = client.get(url(make_rejected()))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This petition was rejected" in html
    assert "It asks for something no decision maker can do" in html
    assert '<time datetime="2026-03-04">March 4th, 2026</time>' in html
    assert '<meta name="robots" content="noindex">' in html


def test_it_shows_the_title_text_and_letter(client, db):
    html = client.get(url(make_rejected())).content.decode()
    assert "<h1>Ban Mondays</h1>" in html
    assert '<a href="https://example.org/case" rel="nofollow noopener">link</a>' in html
    assert "Please free the river." in html
    assert "Jo Bank" in html


def test_it_has_no_sign_form(client, db):
    html = client.get(url(make_rejected())).content.decode()
    assert "Sign this petition" not in html
    assert 'name="email"' not in html
    assert reverse("petitions:sign", args=["ban-mondays"]) not in html


def test_for_another_reason_it_shows_the_moderators_note(client, db):
    petition = make_rejected(
        Petition.RejectionReason.OTHER, moderation_note="It repeats a court case under way."
    )
    html = client.get(url(petition)).content.decode()
    assert "Another reason" in html
    assert "It repeats a court case under way." in html


def test_the_note_is_not_shown_for_a_reason_that_says_it_all(client, db):
    petition = make_rejected(moderation_note="Internal remark")
    assert "Internal remark" not in client.get(url(petition)).content.decode()


def test_offensive_or_personal_petitions_show_only_the_reason(client, db):
    for reason in (
        Petition.RejectionReason.OFFENSIVE,
        Petition.RejectionReason.PERSONAL_INFORMATION,
    ):
        Petition.objects.all().delete()
        html = client.get(url(make_rejected(reason))).content.decode()
        assert str(reason.label) in html
        assert "Ban Mondays" not in html
        assert "Please free the river." not in html
        assert "Jo Bank" not in html


def test_the_reason_is_in_the_readers_language(client, db):
    petition = make_rejected()
    with translation.override("fr"):
        label = str(Petition.RejectionReason.NOT_ACTIONABLE.label)
    html = client.get(url(petition), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert label in html


def test_it_answers_head(client, db):
    assert client.head(url(make_rejected())).status_code == 200


def test_drafts_are_still_not_found(client, draft_petition):
    assert client.get(url(draft_petition)).status_code == 404
    assert client.get("/no-such-petition/").status_code == 404


def test_the_appeal_page_says_when_it_was_edited(client, petition):
    Petition.objects.filter(pk=petition.pk).update(
        edited_at=dt.datetime(2026, 5, 6, 9, tzinfo=dt.UTC)
    )
    html = client.get(url(petition)).content.decode()
    assert 'Edited on <time datetime="2026-05-06">May 6th, 2026</time>' in html


def test_an_unedited_petition_says_nothing_of_it(client, petition):
    assert "Edited on" not in client.get(url(petition)).content.decode()
