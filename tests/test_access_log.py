"""The personal-data access log: each export, delivery pack, signer's record, page of
signatures and erasure is logged with its rows; editors see their petitions' entries,
moderators all; nobody edits or deletes it in the admin."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.urls import reverse

from petitions import access_log
from petitions.models import AccessLog, Organizer
from tests.conftest import make_petition, make_signature, sign_in

pytestmark = pytest.mark.django_db
Action = AccessLog.Action
LOG_URL = reverse("admin:petitions_accesslog_changelist")


@pytest.fixture
def signatures(petition):
    return [make_signature(petition, confirmed=n < 3) for n in range(4)]


@pytest.fixture
def reader(staff_client):
    """Staff who may see, export and erase signatures of every petition."""
    return staff_client("view_petition", "view_signature", "export_signatures", "delete_signature")


def the_entry() -> AccessLog:
    return AccessLog.objects.get()


def make_editor(petition, email: str, role=Organizer.Role.EDITOR):
    user = get_user_model().objects.create_user(email, email, is_staff=True)
    Organizer.objects.create(petition=petition, user=user, role=role)
    return user


def test_an_export_is_logged_with_the_rows_it_selects(reader, petition, signatures):
    url = reverse("admin:petitions_petition_export", args=[petition.pk])
    response = reader.get(url, {"download": "1", "confirmed_only": "on"})
    assert response.status_code == 200
    b"".join(response.streaming_content)
    entry = the_entry()
    assert (entry.action, entry.petition, entry.rows) == (Action.EXPORT, petition, 3)
    assert entry.username == "staff" and entry.petition_title == petition.title


def test_the_export_form_alone_is_not_logged(reader, petition, signatures):
    reader.get(reverse("admin:petitions_petition_export", args=[petition.pk]))
    assert not AccessLog.objects.exists()


def test_a_delivery_pack_is_logged_with_its_confirmed_signers(reader, petition, signatures):
    response = reader.get(reverse("admin:petitions_petition_delivery_pack", args=[petition.pk]))
    b"".join(response.streaming_content)
    entry = the_entry()
    assert (entry.action, entry.petition, entry.rows) == (Action.DELIVERY_PACK, petition, 3)


def test_a_signers_record_is_logged_as_one_row(reader, petition, signatures):
    url = reverse("admin:petitions_signature_change", args=[signatures[0].pk])
    assert reader.get(url).status_code == 200
    entry = the_entry()
    assert (entry.action, entry.petition, entry.rows) == (Action.VIEW_SIGNATURE, petition, 1)


def test_each_page_of_signatures_is_logged_per_petition_with_its_rows(reader, petition, signatures):
    other = make_petition(slug="other")
    make_signature(other)
    assert reader.get(reverse("admin:petitions_signature_changelist")).status_code == 200
    entries = {e.petition: e.rows for e in AccessLog.objects.filter(action=Action.LIST_SIGNATURES)}
    assert entries == {petition: 4, other: 1}


def test_an_empty_page_of_signatures_logs_nothing(reader, petition):
    reader.get(reverse("admin:petitions_signature_changelist"))
    assert not AccessLog.objects.exists()


def test_an_erasure_is_logged_with_the_records_erased_and_no_petition(reader, petition, signatures):
    data = {"action": "erase_people", ACTION_CHECKBOX_NAME: [signatures[0].pk]}
    response = reader.post(reverse("admin:petitions_signature_changelist"), data)
    assert response.status_code == 302
    entry = AccessLog.objects.get(action=Action.ERASE)
    assert entry.petition is None
    assert entry.rows >= 1  # the signature, and its queued emails with it


def test_an_entry_keeps_who_and_what_after_the_account_and_petition_are_gone(petition):
    user = make_editor(petition, "ada@example.org")
    access_log.record(user, petition, Action.EXPORT, 12)
    user.delete()
    petition.delete()
    entry = the_entry()
    assert (entry.username, entry.petition_title, entry.rows) == (
        "ada@example.org",
        "Free the river",
        12,
    )


def test_editors_see_only_their_petitions_entries(client, petition):
    other = make_petition(slug="other", title="Another petition")
    editor = make_editor(petition, "ada@example.org")
    access_log.record(editor, petition, Action.EXPORT, 5)
    access_log.record(editor, other, Action.EXPORT, 7)
    access_log.record(editor, None, Action.ERASE, 2)
    sign_in(client, editor)
    response = client.get(LOG_URL)
    assert response.status_code == 200
    assert [e.petition for e in response.context["cl"].result_list] == [petition]
    entry_elsewhere = AccessLog.objects.get(petition=other)
    url = reverse("admin:petitions_accesslog_change", args=[entry_elsewhere.pk])
    assert client.get(url).status_code in (302, 403, 404)


def test_viewers_see_no_access_log(client, petition):
    viewer = make_editor(petition, "grace@example.org", Organizer.Role.VIEWER)
    access_log.record(viewer, petition, Action.EXPORT, 5)
    sign_in(client, viewer)
    assert client.get(LOG_URL).status_code == 403


def test_moderators_see_every_entry(staff_client, petition):
    other = make_petition(slug="other")
    AccessLog.objects.create(username="x", petition=petition, action=Action.EXPORT, rows=1)
    AccessLog.objects.create(username="x", petition=other, action=Action.EXPORT, rows=2)
    AccessLog.objects.create(username="x", action=Action.ERASE, rows=3)
    client = staff_client("view_accesslog")
    response = client.get(LOG_URL)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 3


def test_the_log_cannot_be_added_to_edited_or_deleted_even_by_a_superuser(admin_client, petition):
    entry = AccessLog.objects.create(username="x", petition=petition, action=Action.EXPORT, rows=2)
    change_url = reverse("admin:petitions_accesslog_change", args=[entry.pk])
    assert admin_client.get(reverse("admin:petitions_accesslog_add")).status_code == 403
    assert admin_client.get(change_url).status_code == 200  # read-only
    assert admin_client.post(change_url, {"rows": "0", "username": "y"}).status_code == 403
    delete_url = reverse("admin:petitions_accesslog_delete", args=[entry.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    data = {"action": "delete_selected", ACTION_CHECKBOX_NAME: [entry.pk], "post": "yes"}
    admin_client.post(LOG_URL, data)
    assert AccessLog.objects.get(pk=entry.pk).rows == 2
    assert "delete_selected" not in admin_client.get(LOG_URL).content.decode()
