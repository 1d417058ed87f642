from django.urls import reverse


def test_it_lists_open_petitions_then_closed_ones(
    client, petition, closed_petition, draft_petition
):
    html = client.get(reverse("petitions:home")).content.decode()
    assert (
        html.index("Free the river")
        < html.index("Closed petitions")
        < html.index("A closed petition")
    )
    assert "A draft" not in html


def test_it_says_when_nothing_is_open(client, db):
    assert "No petition is open right now." in client.get("/").content.decode()
