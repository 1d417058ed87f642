"""The moderation queue in the admin: petitions awaiting moderation, oldest first, each
page with the whole petition, the petitions like it and the decision; for users with
petitions.moderate_petition only."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from petitions import moderation
from petitions.models import Organizer, Petition, Recipient
from tests.conftest import make_petition, sign_in
from tests.test_moderation import make_moderator, make_submitted

QUEUE = reverse("admin:petitions_petitioninreview_changelist")


def review_url(petition: Petition) -> str:
    return reverse("admin:petitions_petitioninreview_change", args=[petition.pk])


@pytest.fixture
def moderator(db, django_user_model):
    return make_moderator(django_user_model)


@pytest.fixture
def moderator_client(client, moderator):
    return sign_in(client, moderator)


def test_the_queue_lists_petitions_awaiting_moderation_oldest_first(moderator_client):
    now = timezone.now()
    newer = make_submitted(slug="newer", title="Newer one", submitted_at=now)
    older = make_submitted(slug="older", title="Older one", submitted_at=now - dt.timedelta(days=2))
    make_submitted(slug="changes", title="Being changed", review=Petition.Review.CHANGES)
    make_submitted(slug="unconfirmed", title="Not confirmed", review=Petition.Review.UNCONFIRMED)
    make_petition(slug="admin-draft", title="Admin draft", state=Petition.State.DRAFT)
    make_petition(slug="public", title="Public one")
    response = moderator_client.get(QUEUE)
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [older, newer]
    page = response.content.decode()
    assert page.index("Older one") < page.index("Newer one")
    assert "Sam Starter &lt;Sam@Example.org&gt;" in page
    assert "action-checkbox" not in page  # no bulk actions
    assert "Being changed" not in page and "Admin draft" not in page


def test_the_queue_counts_the_similar_petitions_of_each(moderator_client):
    make_submitted()
    make_petition(slug="save-the-bay", title="Save the bay")
    response = moderator_client.get(QUEUE)
    assert '<td class="field-similar">1</td>' in response.content.decode()


def test_moderators_who_may_see_petitions_get_a_link_to_the_rejected_ones(
    moderator_client, moderator
):
    assert "Rejected petitions" not in moderator_client.get(QUEUE).content.decode()
    moderator.user_permissions.add(Permission.objects.get(codename="view_petition"))
    page = moderator_client.get(QUEUE).content.decode()
    url = reverse("admin:petitions_petition_changelist") + "?state__exact=rejected"
    assert f'<a href="{url}">Rejected petitions</a>' in page


def test_the_page_shows_the_whole_petition_and_the_similar_ones_with_links(moderator_client):
    petition = make_submitted(
        body="We ask for **clean water**.",
        letter="Dear Mayor,\n\nClean the bay.",
        summary="The bay is dirty.",
        language="fr",
        goal=500,
        closes_at=dt.datetime(2031, 5, 1, 12, tzinfo=dt.UTC),
    )
    Recipient.objects.create(petition=petition, role="Mayor of Bayville", name="Jo Shore")
    public = make_petition(slug="save-the-bay", title="Save the bay")
    in_review = make_submitted(slug="bay-beaches", title="Clean beaches of the bay")
    response = moderator_client.get(review_url(petition))
    assert response.status_code == 200
    page = response.content.decode()
    for shown in [
        "Clean the bay",
        "<strong>clean water</strong>",
        "Dear Mayor,",
        "Mayor of Bayville: Jo Shore",
        "Sam Starter",
        "Sam@Example.org",
        "French",
        "1 May 2031",
        "500 supporters",
        "The bay is dirty.",
    ]:
        assert shown in page, shown
    assert f'<a href="{public.get_absolute_url()}">Save the bay</a>' in page
    assert f'<a href="{review_url(in_review)}">Clean beaches of the bay</a>' in page
    for button in ["publish", "reject", "changes"]:
        assert f'name="decision" value="{button}"' in page
    assert "There is already a petition about this" in page  # the reasons to choose from


def test_a_decided_petitions_page_says_who_decided_and_offers_no_decision(
    moderator_client, moderator
):
    petition = make_submitted()
    moderation.reject(petition, moderator, Petition.RejectionReason.OTHER, "An advert.")
    response = moderator_client.get(review_url(petition))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Already decided by mod at" in page and ": rejected." in page
    assert "An advert." in page
    assert 'name="decision"' not in page


def test_a_petition_made_in_the_admin_or_an_unknown_one_is_not_found(moderator_client):
    draft = make_petition(slug="admin-draft", state=Petition.State.DRAFT)
    assert moderator_client.get(review_url(draft)).status_code == 404
    assert moderator_client.get(QUEUE + "nonsense/change/").status_code == 404


def test_there_is_no_adding_or_deleting_in_the_queue(moderator_client):
    petition = make_submitted()
    assert moderator_client.get(QUEUE + "add/").status_code == 403
    delete = reverse("admin:petitions_petitioninreview_delete", args=[petition.pk])
    assert moderator_client.post(delete, {"post": "yes"}).status_code == 403
    assert Petition.objects.filter(pk=petition.pk).exists()


def test_moderators_see_the_queue_on_the_admin_home_page(moderator_client):
    assert QUEUE in moderator_client.get(reverse("admin:index")).content.decode()


def test_staff_without_the_moderation_permission_get_403(staff_client):
    petition = make_submitted()
    client = staff_client("view_petition", "change_petition")
    assert QUEUE not in client.get(reverse("admin:index")).content.decode()
    assert client.get(QUEUE).status_code == 403
    assert client.get(review_url(petition)).status_code == 403
    assert client.post(review_url(petition), {"decision": "publish"}).status_code == 403
    assert Petition.objects.get(pk=petition.pk).state == Petition.State.DRAFT


def test_organizers_do_not_see_the_queue(client, django_user_model):
    petition = make_submitted()
    organizer = django_user_model.objects.create_user("org", "org@example.org", is_staff=True)
    Organizer.objects.create(petition=petition, user=organizer, role=Organizer.Role.EDITOR)
    sign_in(client, organizer)
    assert QUEUE not in client.get(reverse("admin:index")).content.decode()
    assert client.get(QUEUE).status_code == 403
    assert client.post(review_url(petition), {"decision": "publish"}).status_code == 403
    assert Petition.objects.get(pk=petition.pk).state == Petition.State.DRAFT


def test_superusers_see_the_queue(admin_client):
    make_submitted()
    assert admin_client.get(QUEUE).status_code == 200
