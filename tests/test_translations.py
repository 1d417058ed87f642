"""The interface in English, French and Simplified Chinese; the organizer's text as written."""

import ast
import gettext
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import make_signature

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def appeal(client, petition, language=None) -> str:
    headers = {"accept-language": language} if language else {}
    url = reverse("petitions:appeal", args=[petition.slug])
    return client.get(url, headers=headers).content.decode()


def test_the_browser_language_chooses_the_interface(client, petition):
    html = appeal(client, petition, "fr-FR,fr;q=0.9,en;q=0.5")
    assert '<html lang="fr">' in html
    assert "Signer cette pétition" in html
    assert "Free the river" in html  # the organizer's own words stay as written
    html = appeal(client, petition, "zh-CN,zh;q=0.9")
    assert '<html lang="zh-hans">' in html
    assert "签署这份请愿" in html


def test_english_is_the_default(client, petition):
    html = appeal(client, petition, "de-DE")
    assert '<html lang="en">' in html and "Sign this petition" in html


def test_the_switcher_sets_the_language_without_javascript(client, petition):
    html = appeal(client, petition)
    assert '<form class="language-form" action="/i18n/setlang/" method="post">' in html
    response = client.post(
        "/i18n/setlang/", {"language": "fr", "next": f"/{petition.slug}/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/{petition.slug}/"
    assert "Signer cette pétition" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "count"), [("en", "1,030"), ("fr", "1\xa0030"), ("zh-hans", "1,030")]
)
def test_the_counter_is_formatted_for_the_reader(client, petition, language, count):
    type(petition).objects.filter(pk=petition.pk).update(supporter_count=1030)
    assert f'<strong class="count">{count}</strong>' in appeal(client, petition, language)


@pytest.mark.parametrize(
    ("language", "date"),
    [("en", "April 8th, 2013"), ("fr", "8 avril 2013"), ("zh-hans", "2013年4月8日")],
)
def test_the_closing_date_is_localised(client, closed_petition, language, date):
    html = appeal(client, closed_petition, language)
    assert f"<br>{date}</p>" in html


def test_form_errors_are_translated(client, petition):
    url = reverse("petitions:sign", args=[petition.slug])
    response = client.post(url, {"email": "nope"}, headers={"accept-language": "fr"})
    html = response.content.decode()
    assert "Il y a un problème" in html
    assert "Saisissez votre nom complet." in html
    assert "Saisissez une adresse e-mail comme nom@exemple.org." in html


def test_recent_supporters_countries_and_times_are_translated(client, petition):
    make_signature(petition, confirmed=True, is_public=True, name="Marie Curie", country="PL")
    html = appeal(client, petition, "fr")
    assert "<strong>Marie C.</strong>, Pologne" in html
    assert "Derniers soutiens" in html


def read_po(path: Path) -> dict:
    """msgid (or (msgid, n) for plural forms) -> msgstr, for the simple files makemessages
    writes; fuzzy entries are reported as such."""
    entries, entry, field = {}, {}, None

    def flush():
        if entry.get("msgid"):
            if "fuzzy" in entry.get("flags", ""):
                entries[entry["msgid"]] = "#fuzzy"
            for key, value in entry.items():
                if key == "msgstr":
                    entries[entry["msgid"]] = value
                elif key.startswith("msgstr["):
                    entries[(entry["msgid"], int(key[7:-1]))] = value

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            flush()
            entry, field = {}, None
        elif line.startswith("#,"):
            entry["flags"] = line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field] += ast.literal_eval(line)
        else:
            field, _, value = line.partition(" ")
            entry[field] = ast.literal_eval(value)
    return entries


@pytest.mark.parametrize("language", ["fr", "zh_Hans"])
def test_every_string_is_translated_and_compiled(language):
    """The compiled .mo files are committed (no gettext needed on a fresh machine): they
    must match the .po files they come from."""
    folder = LOCALE / language / "LC_MESSAGES"
    entries = read_po(folder / "django.po")
    with (folder / "django.mo").open("rb") as f:
        compiled = gettext.GNUTranslations(f)._catalog
    for key, value in entries.items():
        assert value and value != "#fuzzy", f"untranslated or fuzzy: {key!r}"
        assert compiled.get(key) == value, f"django.mo is stale for {key!r}: run compilemessages"


def test_the_confirmation_email_is_in_the_signers_language(
    client, petition, sign_data, sent_emails
):
    url = reverse("petitions:sign", args=[petition.slug])
    client.post(url, sign_data, headers={"accept-language": "fr"})
    # The worker writes it later, in the language the signer read the page in.
    (message,) = sent_emails()
    assert message.subject == "Confirmez votre signature : Free the river"
    assert "Bonjour Marie Curie," in message.body
    assert "Le lien fonctionne pendant 30 jours." in message.body
    html, _ = message.alternatives[0]
    assert '<html lang="fr">' in html and "Confirmer ma signature" in html
