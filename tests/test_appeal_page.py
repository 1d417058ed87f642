from django.urls import reverse

from petitions.models import Recipient
from tests.conftest import make_signature


def url(petition):
    return reverse("petitions:appeal", args=[petition.slug])


def test_it_shows_the_petition(client, petition):
    response = client.get(url(petition))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Free the river</h1>" in html
    assert '<a href="https://example.org/case" rel="nofollow noopener">link</a>' in html
    assert "<p>Dear decision makers,</p>" in html
    assert 'name="email"' in html
    assert "Sign this petition" in html


def test_it_names_the_starter_and_the_supporters(client, petition):
    for _ in range(3):
        make_signature(petition, confirmed=True)
    make_signature(petition)  # unconfirmed: not a supporter yet
    html = client.get(url(petition)).content.decode()
    assert (
        "<strong>Ada Organizer</strong> started this petition with a single signature, "
        'and now has <strong class="count">3</strong> supporters.'
    ) in html


def test_it_formats_large_counts(client, petition):
    type(petition).objects.filter(pk=petition.pk).update(supporter_count=1030)
    assert (
        '<strong class="count">1,030</strong> supporters'
        in client.get(url(petition)).content.decode()
    )


def test_it_names_three_recipients_and_discloses_the_others(client, petition):
    for i in range(2, 9):
        Recipient.objects.create(petition=petition, role="Consul", name=f"Person {i}", position=i)
    html = client.get(url(petition)).content.decode()
    shown, _, hidden = html.partition("<summary>and 6 others</summary>")
    assert "Mayor of Riverton <strong>Jo Bank</strong>" in shown
    assert "Person 2" in shown
    assert "Person 3" not in shown
    assert "Person 3" in hidden and "Person 8" in hidden
    # <details> reveals the rest without JavaScript.
    assert '<details class="recipients-more">' in html


def test_it_shows_no_disclosure_for_three_recipients_or_fewer(client, petition):
    assert "<details" not in client.get(url(petition)).content.decode()


def test_it_shows_progress_toward_a_goal(client, petition):
    petition.goal = 10
    petition.save()
    make_signature(petition, confirmed=True)
    html = client.get(url(petition)).content.decode()
    assert '<progress max="10" value="1"' in html
    assert (
        '<span class="count">1</span> of 10 supporters '
        '(<span class="percent">10</span>% of the goal)'
    ) in html


def test_a_closed_petition_shows_its_closing_date_instead_of_the_form(client, closed_petition):
    response = client.get(url(closed_petition))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>Petition Closed</strong><br>April 8th, 2013" in html
    assert 'name="email"' not in html


def test_a_draft_is_not_public(client, draft_petition):
    assert client.get(url(draft_petition)).status_code == 404


def test_an_unknown_petition_is_a_clear_404(client, db):
    response = client.get("/no-such-petition/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_it_escapes_the_organizers_title_and_letter(client, petition):
    petition.title = "<script>alert(1)</script>"
    petition.letter = "<b>bold</b>"
    petition.save()
    html = client.get(url(petition)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
