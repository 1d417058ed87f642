"""Co-organizers by invitation: an editor invites an address with a role, its email's link
(a button, scanner-safe) makes one organizer however often it is accepted, and a petition
keeps its last editor."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse

from petitions import invitations
from petitions.models import Invitation, Organizer, OutgoingEmail
from tests.conftest import make_petition, sign_in
from tests.test_concurrency import at_once

EDITOR, VIEWER = Organizer.Role.EDITOR, Organizer.Role.VIEWER


def make_organizer(petition, email: str, role=EDITOR) -> Organizer:
    user = get_user_model().objects.create_user(email, email, "a long password", is_staff=True)
    return Organizer.objects.create(petition=petition, user=user, role=role)


def organizers_url(petition) -> str:
    return reverse("admin:petitions_petition_organizers", args=[petition.pk])


def invitation_link(email) -> str:
    return re.search(r"https?://\S+/admin/invitations/[^/\s\"]+/", email.body).group()


def path_of(url: str) -> str:
    return url.removeprefix(settings.SITE_URL)


@pytest.fixture
def editor(client, petition) -> Organizer:
    organizer = make_organizer(petition, "ada@example.org")
    sign_in(client, organizer.user)
    return organizer


@pytest.mark.django_db
class TestInvitations:
    def test_an_editor_invites_an_address_and_it_gets_the_link_by_email(
        self, client, petition, editor, sent_emails
    ):
        data = {"action": "invite", "email": "Grace@Example.org", "role": "viewer"}
        response = client.post(organizers_url(petition), data)
        assert response.status_code == 302
        invitation = Invitation.objects.get()
        assert (invitation.email, invitation.role) == ("Grace@Example.org", VIEWER)
        assert invitation.invited_by == editor.user
        queued = OutgoingEmail.objects.get(kind=OutgoingEmail.Kind.INVITATION)
        assert queued.invitation == invitation
        [email] = sent_emails()
        assert email.to == ["Grace@Example.org"]
        assert "Free the river" in email.subject
        assert "as a viewer" in email.body
        assert invitation_link(email) == invitations.accept_url(invitation)

    def test_an_invitation_accepted_before_its_email_went_is_not_sent(self, petition, sent_emails):
        invitations.accept(invitations.invite(petition, "grace@example.org", EDITOR, by=None))
        assert sent_emails() == []

    def test_the_petition_page_links_to_its_organizers_for_who_may_manage_them(
        self, petition, staff_client
    ):
        change_url = reverse("admin:petitions_petition_change", args=[petition.pk])
        client = staff_client("view_petition", "change_petition")
        assert organizers_url(petition) in client.get(change_url).content.decode()

    def test_the_petition_page_has_no_organizers_link_for_who_only_views_it(
        self, petition, staff_client
    ):
        change_url = reverse("admin:petitions_petition_change", args=[petition.pk])
        client = staff_client("view_petition")
        assert organizers_url(petition) not in client.get(change_url).content.decode()
        assert client.get(organizers_url(petition)).status_code == 403

    def test_the_page_lists_organizers_and_pending_invitations(self, client, petition, editor):
        invitations.invite(petition, "grace@example.org", VIEWER, by=editor.user)
        page = client.get(organizers_url(petition)).content.decode()
        assert "ada@example.org" in page
        assert "grace@example.org" in page

    def test_the_link_shows_the_invitation_and_only_its_button_accepts(self, client, petition):
        invitation = invitations.invite(petition, "grace@example.org", EDITOR, by=None)
        response = client.get(path_of(invitations.accept_url(invitation)))
        assert response.status_code == 200
        page = response.content.decode()
        assert "You are invited to organize" in page
        assert "Free the river" in page
        assert "as an editor" in page
        assert not Organizer.objects.exists()  # a mail scanner's GET accepts nothing

    def test_accepting_makes_an_organizer_and_an_account_with_a_set_password_link(
        self, client, petition
    ):
        invitation = invitations.invite(petition, "Grace@Example.org", VIEWER, by=None)
        response = client.post(path_of(invitations.accept_url(invitation)))
        organizer = Organizer.objects.get()
        user = organizer.user
        assert (organizer.petition, organizer.role) == (petition, VIEWER)
        assert user.email.lower() == "grace@example.org" and user.is_staff
        assert not user.has_usable_password()
        assert response.status_code == 302
        assert response["Location"].startswith(settings.SITE_URL + "/admin/set-password/")
        invitation.refresh_from_db()
        assert invitation.accepted_at is not None and invitation.accepted_by == user

    def test_an_account_with_a_password_goes_to_the_admin_login(self, client, petition):
        user = get_user_model().objects.create_user("grace", "grace@example.org", "a password")
        invitation = invitations.invite(petition, "GRACE@example.org", EDITOR, by=None)
        response = client.post(path_of(invitations.accept_url(invitation)))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login") + "?next=")
        assert Organizer.objects.get().user == user

    def test_an_invitation_accepted_twice_makes_one_organizer(self, client, petition):
        invitation = invitations.invite(petition, "grace@example.org", EDITOR, by=None)
        link = path_of(invitations.accept_url(invitation))
        assert client.post(link).status_code == 302
        again = client.post(link)
        assert again.status_code == 409
        assert "already been accepted" in again.content.decode()
        assert client.get(link).status_code == 200  # the link opened again says so too
        assert Organizer.objects.count() == 1
        assert get_user_model().objects.filter(email="grace@example.org").count() == 1

    def test_accepting_never_lowers_a_role_the_organizer_has(self, petition):
        invitation = invitations.invite(petition, "grace@example.org", VIEWER, by=None)
        make_organizer(petition, "grace@example.org", EDITOR)  # made an editor meanwhile
        assert invitations.accept(invitation).role == EDITOR

    def test_inviting_an_address_that_already_organizes_is_refused(self, client, petition, editor):
        data = {"action": "invite", "email": "ADA@example.org", "role": "editor"}
        response = client.post(organizers_url(petition), data)
        assert response.status_code == 400
        assert "already organizes this petition" in response.content.decode()
        assert not Invitation.objects.exists()

    def test_a_bad_address_is_refused_with_a_message(self, client, petition, editor):
        data = {"action": "invite", "email": "not an address", "role": "editor"}
        response = client.post(organizers_url(petition), data)
        assert response.status_code == 400
        assert "Enter a valid email address" in response.content.decode()

    def test_inviting_again_replaces_the_pending_invitation(self, petition):
        first = invitations.invite(petition, "grace@example.org", VIEWER, by=None)
        link = path_of(invitations.accept_url(first))
        invitations.invite(petition, "Grace@example.org", EDITOR, by=None)
        assert Invitation.objects.get().role == EDITOR
        assert not Invitation.objects.filter(pk=first.pk).exists()
        assert link  # the first link now finds no invitation (see the revoked test)

    def test_the_last_editor_cannot_be_removed(self, client, petition, editor):
        data = {"action": "remove", "organizer": editor.pk}
        response = client.post(organizers_url(petition), data)
        assert response.status_code == 409
        assert "last editor" in response.content.decode()
        assert Organizer.objects.filter(pk=editor.pk).exists()

    def test_the_last_editor_cannot_be_made_a_viewer(self, client, petition, editor):
        data = {"action": "role", "organizer": editor.pk, "role": "viewer"}
        response = client.post(organizers_url(petition), data)
        assert response.status_code == 409
        assert "last editor" in response.content.decode()
        assert Organizer.objects.get(pk=editor.pk).role == EDITOR

    def test_an_editor_changes_a_role_and_removes_an_organizer(self, client, petition, editor):
        other = make_organizer(petition, "grace@example.org", VIEWER)
        data = {"action": "role", "organizer": other.pk, "role": "editor"}
        assert client.post(organizers_url(petition), data).status_code == 302
        assert Organizer.objects.get(pk=other.pk).role == EDITOR
        # With two editors, either may go.
        data = {"action": "remove", "organizer": editor.pk}
        response = client.post(organizers_url(petition), data)
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:index")  # no longer theirs to manage
        assert list(Organizer.objects.all()) == [other]

    def test_an_organizer_of_another_petition_is_not_found(self, client, petition, editor):
        elsewhere = make_organizer(make_petition(slug="other"), "grace@example.org")
        for data in (
            {"action": "remove", "organizer": elsewhere.pk},
            {"action": "remove", "organizer": "nonsense"},
            {"action": "role", "organizer": editor.pk, "role": "owner"},
            {"action": "revoke", "invitation": "1"},
            {"action": "unknown"},
        ):
            assert client.post(organizers_url(petition), data).status_code == 400, data
        assert Organizer.objects.filter(pk=elsewhere.pk).exists()

    def test_revoking_drops_the_invitation_and_its_email(self, client, petition, editor):
        invitation = invitations.invite(petition, "grace@example.org", EDITOR, by=None)
        data = {"action": "revoke", "invitation": invitation.pk}
        assert client.post(organizers_url(petition), data).status_code == 302
        assert not Invitation.objects.exists()
        assert not OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.INVITATION).exists()

    def test_a_viewer_sees_nothing_of_the_organizers(self, client, petition):
        viewer = make_organizer(petition, "grace@example.org", VIEWER)
        sign_in(client, viewer.user)
        assert client.get(organizers_url(petition)).status_code == 403
        data = {"action": "invite", "email": "eve@example.org", "role": "editor"}
        assert client.post(organizers_url(petition), data).status_code == 403
        assert not Invitation.objects.exists()

    def test_an_editor_of_another_petition_is_refused(self, client, petition):
        other = make_organizer(make_petition(slug="other"), "grace@example.org")
        sign_in(client, other.user)
        assert client.get(organizers_url(petition)).status_code == 403

    def test_staff_who_may_change_any_petition_manage_its_organizers(self, petition, staff_client):
        client = staff_client("view_petition", "change_petition")
        assert client.get(organizers_url(petition)).status_code == 200

    def test_a_forged_link_is_refused(self, client, petition):
        url = reverse("invitation-accept", args=["forged:token"])
        response = client.get(url)
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
        token = signing.dumps("1", salt=Invitation.SALT)  # signed, but not an invitation's
        assert client.post(reverse("invitation-accept", args=[token])).status_code == 400

    def test_an_expired_link_is_refused(self, client, petition, monkeypatch):
        invitation = invitations.invite(petition, "grace@example.org", EDITOR, by=None)
        signed_at = int(signing.time.time()) - invitations.LINK_MAX_AGE.days * 86400 - 60
        monkeypatch.setattr(
            signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(signed_at)
        )
        link = path_of(invitations.accept_url(invitation))
        monkeypatch.undo()
        for response in (client.get(link), client.post(link)):
            assert response.status_code == 410
            assert "expired" in response.content.decode()
        assert not Organizer.objects.exists()

    def test_a_revoked_invitation_link_is_refused(self, client, petition):
        invitation = invitations.invite(petition, "grace@example.org", EDITOR, by=None)
        link = path_of(invitations.accept_url(invitation))
        invitations.revoke(invitation, by=None)
        response = client.post(link)
        assert response.status_code == 410
        assert "withdrawn" in response.content.decode()
        assert not Organizer.objects.exists()


@pytest.mark.django_db(transaction=True)
class TestAtOnce:
    """On real PostgreSQL with real concurrent transactions, as tests/test_concurrency.py."""

    def test_an_invitation_accepted_at_once_on_two_threads_makes_one_organizer(self):
        petition = make_petition()
        invitation = invitations.invite(petition, "grace@example.org", EDITOR, by=None)

        def accept(_):
            try:
                return invitations.accept(Invitation.objects.get(pk=invitation.pk)).pk
            except invitations.AlreadyAccepted:
                return "already accepted"

        results = at_once(accept, [(n,) for n in range(2)])
        assert sorted(results, key=str).count("already accepted") == 1
        assert Organizer.objects.count() == 1
        assert get_user_model().objects.filter(email="grace@example.org").count() == 1

    def test_the_last_two_editors_removed_at_once_leave_one(self):
        petition = make_petition()
        editors = [make_organizer(petition, f"editor{n}@example.org") for n in range(2)]

        def remove(organizer):
            try:
                invitations.remove(organizer, by=None)
            except invitations.Refused:
                return "refused"
            return "removed"

        assert sorted(at_once(remove, [(e,) for e in editors])) == ["refused", "removed"]
        assert Organizer.objects.filter(role=EDITOR).count() == 1
