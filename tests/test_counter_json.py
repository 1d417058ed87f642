from django.urls import reverse

from tests.conftest import make_signature


def test_it_returns_the_live_count_in_numbers_the_same_in_every_language(client, petition):
    petition.goal = 2000
    petition.save()
    type(petition).objects.filter(pk=petition.pk).update(supporter_count=1030)
    url = reverse("petitions:counter", args=[petition.slug])
    english = client.get(url)
    assert english.json() == {"supporter_count": 1030, "goal": 2000, "goal_percent": 51}
    french = client.get(url, headers={"accept-language": "fr"})
    assert french.content == english.content
    for response in (english, french):
        assert response["Cache-Control"] == "public, max-age=5"
        assert "Accept-Language" not in response.get("Vary", "")
        assert not response.cookies


def test_it_counts_only_confirmed_signatures(client, petition):
    make_signature(petition, confirmed=True)
    make_signature(petition)
    url = reverse("petitions:counter", args=[petition.slug])
    assert client.get(url).json()["supporter_count"] == 1


def test_a_draft_has_no_counter(client, draft_petition):
    assert client.get(reverse("petitions:counter", args=[draft_petition.slug])).status_code == 404
