"""Editing a published petition's words keeps the words supporters signed, for moderators."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from petitions import revisions
from petitions.models import Petition, PetitionRevision
from tests.conftest import change_form_data, reload, sign_in


def change_url(petition: Petition) -> str:
    return reverse("admin:petitions_petition_change", args=[petition.pk])


def post_edit(client, petition: Petition, **fields: str):
    data = change_form_data(petition, slug=petition.slug, state=petition.state, **fields)
    return client.post(change_url(petition), data)


@pytest.fixture
def moderator(client, django_user_model):
    user = django_user_model.objects.create_user("moderator", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="petitions",
            codename__in=["view_petition", "change_petition", "moderate_petition"],
        )
    )
    return sign_in(client, user)


def test_a_new_text_keeps_the_old_words_and_marks_the_petition_edited(admin_user, petition):
    before = Petition.objects.get(pk=petition.pk)
    petition.title = "Free the river now"
    revision = revisions.keep_revision(before, petition, by=admin_user)
    assert (revision.title, revision.body, revision.letter) == (
        "Free the river",
        before.body,
        before.letter,
    )
    assert revision.replaced_by == admin_user
    assert petition.edited_at == revision.replaced_at


def test_unchanged_words_keep_nothing(admin_user, petition):
    before = Petition.objects.get(pk=petition.pk)
    petition.goal = 5000
    assert revisions.keep_revision(before, petition, by=admin_user) is None
    assert petition.edited_at is None


def test_a_drafts_words_are_not_kept(admin_user, draft_petition):
    before = Petition.objects.get(pk=draft_petition.pk)
    draft_petition.body = "Rewritten before anyone signed."
    assert revisions.keep_revision(before, draft_petition, by=admin_user) is None
    assert draft_petition.edited_at is None


def test_editing_in_the_admin_keeps_a_revision(admin_client, admin_user, petition):
    response = post_edit(admin_client, petition, title="Free the river now")
    assert response.status_code == 302
    petition = reload(petition)
    assert petition.title == "Free the river now"
    assert petition.edited_at is not None
    [revision] = petition.revisions.all()
    assert revision.title == "Free the river"
    assert revision.replaced_by == admin_user


def test_saving_other_fields_keeps_no_revision(admin_client, petition):
    assert post_edit(admin_client, petition, goal="5000").status_code == 302
    assert not PetitionRevision.objects.exists()
    assert reload(petition).edited_at is None


def test_moderators_see_the_earlier_versions_on_the_petitions_page(moderator, admin_user, petition):
    before = Petition.objects.get(pk=petition.pk)
    petition.title = "Free the river now"
    revisions.keep_revision(before, petition, by=admin_user)
    petition.save()
    page = moderator.get(change_url(petition)).content.decode()
    assert "Earlier versions of the text" in page
    assert "“Free the river”" in page
    assert f"by {admin_user.username}" in page


def test_staff_without_the_moderation_permission_do_not_see_them(staff_client, petition):
    page = staff_client("view_petition").get(change_url(petition)).content.decode()
    assert "Earlier versions of the text" not in page
