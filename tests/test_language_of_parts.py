"""The organizer's words carry the language they are written in wherever the interface is
in another (WCAG 3.1.2), so that a screen reader pronounces each in its own language."""

from django.urls import reverse

from petitions.models import Petition
from tests.conftest import make_petition


def page(client, path: str, language: str) -> str:
    return client.get(path, headers={"accept-language": language}).content.decode()


def test_an_english_petition_read_in_french_is_marked_english(client, petition):
    html = page(client, petition.get_absolute_url(), "fr")
    assert '<html lang="fr">' in html
    assert '<h1 lang="en">Free the river</h1>' in html
    assert '<div class="body" lang="en">' in html
    assert '<div class="letter__text" lang="en">' in html
    assert '<ul class="recipients" lang="en">' in html
    assert 'lang="en">Signer cette pétition' not in html  # the interface stays French


def test_in_its_own_language_nothing_is_marked(client, petition):
    html = page(client, petition.get_absolute_url(), "en")
    assert "<h1>Free the river</h1>" in html
    assert '<div class="body">' in html
    assert '<div class="letter__text">' in html
    # The <html> element's, and the language switcher's English option.
    assert html.count('lang="en"') == 2


def test_a_french_petition_read_in_english_is_marked_french(client, db):
    petition = make_petition(slug="liberez", title="Libérez la rivière", language="fr")
    html = page(client, petition.get_absolute_url(), "en")
    assert '<h1 lang="fr">Libérez la rivière</h1>' in html
    assert "<h1>Libérez la rivière</h1>" in page(client, petition.get_absolute_url(), "fr")


def test_titles_inside_sentences_are_marked_and_still_escaped(client, db):
    petition = make_petition(title="Rivers <b>now</b>")
    html = page(client, reverse("petitions:check-inbox", args=[petition.slug]), "zh-hans")
    assert '“<span lang="en">Rivers &lt;b&gt;now&lt;/b&gt;</span>”' in html
    html = page(client, reverse("petitions:check-inbox", args=[petition.slug]), "en")
    assert "“Rivers &lt;b&gt;now&lt;/b&gt;”" in html


def test_the_list_of_petitions_marks_each_card(client, petition):
    html = page(client, reverse("petitions:home"), "fr")
    assert '<h3 lang="en"><a href="/free-the-river/">Free the river</a></h3>' in html


def test_the_organizer_chooses_the_language_and_english_is_the_default(db):
    assert make_petition().language == "en"
    field = Petition._meta.get_field("language")
    assert ("de", "German") in [(code, str(name)) for code, name in field.choices]
