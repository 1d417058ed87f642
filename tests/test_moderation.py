"""Moderating petitions started on the site: publish, reject or ask for changes, each done
once (of two moderators at once, the second learns who decided first), with one email to
the starter; published, the starter becomes its organizer."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from petitions import moderation, starting
from petitions.accounts import set_password_url
from petitions.models import Organizer, OutgoingEmail, Petition
from tests.conftest import make_petition, reload, sign_in
from tests.test_concurrency import at_once

SITE = "http://127.0.0.1:8000"


def make_submitted(**fields) -> Petition:
    """A petition started on the site whose starter confirmed their email."""
    defaults = {
        "slug": "clean-the-bay",
        "title": "Clean the bay",
        "state": Petition.State.DRAFT,
        "review": Petition.Review.AWAITING,
        "submitted_at": timezone.now(),
        "starter_name": "Sam Starter",
        "organizer_email": "Sam@Example.org",
    }
    return make_petition(**{**defaults, **fields})


def make_moderator(django_user_model, username: str = "mod"):
    user = django_user_model.objects.create_user(username, f"{username}@example.org", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="moderate_petition"))
    return user


@pytest.fixture
def moderator(db, django_user_model):
    return make_moderator(django_user_model)


@pytest.fixture
def submitted(db) -> Petition:
    return make_submitted()


def emails_of(kind: str) -> list[OutgoingEmail]:
    return list(OutgoingEmail.objects.filter(kind=kind))


def test_publishing_opens_it_and_makes_its_starter_an_editor(submitted, moderator):
    moderation.publish(submitted, moderator)
    petition = reload(submitted)
    assert (petition.state, petition.review) == (Petition.State.OPEN, Petition.Review.NONE)
    assert petition.reviewed_by == moderator
    assert petition.reviewed_at is not None
    organizer = Organizer.objects.get(petition=petition)
    assert organizer.role == Organizer.Role.EDITOR
    assert organizer.user.email.lower() == "sam@example.org"
    assert organizer.user.is_staff
    assert not organizer.user.has_usable_password()


def test_the_published_email_says_it_is_live_with_a_link_to_set_a_password(
    submitted, moderator, sent_emails
):
    moderation.publish(submitted, moderator)
    (mail,) = sent_emails()
    assert mail.to == ["Sam@Example.org"]
    assert mail.subject == "Your petition is live: Clean the bay"
    assert f"{SITE}/clean-the-bay/" in mail.body
    user = Organizer.objects.get(petition=submitted).user
    # The link is signed as it is sent: read it from the email, and check its token.
    prefix = set_password_url(user).rstrip("/").rsplit("/", 1)[0]
    token = re.search(re.escape(prefix) + r"/([\w-]+)/", mail.body).group(1)
    assert default_token_generator.check_token(user, token)
    assert "the link works for 3 days, until you have set it" in mail.body  # Django's default
    assert "/admin/login/" not in mail.body


def test_a_starter_who_has_a_password_is_sent_to_the_login_page(
    submitted, moderator, django_user_model, sent_emails
):
    user = django_user_model.objects.create_user("sam", "sam@example.org", "a long password 1")
    moderation.publish(submitted, moderator)
    assert Organizer.objects.get(petition=submitted).user == user
    (mail,) = sent_emails()
    assert f"{SITE}/admin/login/" in mail.body
    assert "Sign in as sam" in mail.body


def test_the_starter_is_written_to_in_the_petitions_language_when_the_site_has_it(
    moderator, sent_emails
):
    french = make_submitted(slug="fr", title="Sauvez la baie", language="fr")
    german = make_submitted(slug="de", title="Rettet die Bucht", language="de")
    moderation.publish(french, moderator)
    moderation.publish(german, moderator)
    assert {e.petition_id: e.language for e in emails_of("published")} == {
        french.pk: "fr",
        german.pk: "en",
    }
    mails = {mail.subject: mail for mail in sent_emails()}
    # The subject's whitespace is folded to plain spaces, the French one before ":" too.
    html = mails["Votre pétition est en ligne : Sauvez la baie"].alternatives[0][0]
    assert '<html lang="fr">' in html
    assert "Your petition is live: Rettet die Bucht" in mails


def test_rejecting_records_the_reason_and_emails_it_in_words(submitted, moderator, sent_emails):
    moderation.reject(submitted, moderator, Petition.RejectionReason.DUPLICATE)
    petition = reload(submitted)
    assert petition.state == Petition.State.REJECTED
    assert petition.rejection_reason == Petition.RejectionReason.DUPLICATE
    assert (petition.reviewed_by, petition.review) == (moderator, Petition.Review.NONE)
    assert not Organizer.objects.exists()
    (mail,) = sent_emails()
    assert mail.subject == "Your petition was not published: Clean the bay"
    assert "The reason: There is already a petition about this." in mail.body


def test_another_reason_needs_a_note_and_the_starter_reads_it(submitted, moderator, sent_emails):
    with pytest.raises(ValidationError, match="Say why in the note"):
        moderation.reject(submitted, moderator, Petition.RejectionReason.OTHER, "  ")
    assert reload(submitted).state == Petition.State.DRAFT
    moderation.reject(submitted, moderator, Petition.RejectionReason.OTHER, "It is an advert.")
    assert reload(submitted).moderation_note == "It is an advert."
    (mail,) = sent_emails()
    assert "The reason: Another reason." in mail.body
    assert "It is an advert." in mail.body
    assert "<p>It is an advert.</p>" in mail.alternatives[0][0]


def test_an_unknown_reason_is_refused(submitted, moderator):
    with pytest.raises(ValidationError, match="Choose one of the reasons"):
        moderation.reject(submitted, moderator, "boring")
    assert not OutgoingEmail.objects.exists()


def test_asking_for_changes_keeps_it_a_draft_and_emails_the_note_and_the_edit_link(
    submitted, moderator, sent_emails
):
    moderation.ask_for_changes(submitted, moderator, "Name the bay's owner in the letter.")
    petition = reload(submitted)
    assert (petition.state, petition.review) == (Petition.State.DRAFT, Petition.Review.CHANGES)
    assert petition.moderation_note == "Name the bay's owner in the letter."
    (mail,) = sent_emails()
    assert mail.subject == "Changes needed before we publish Clean the bay"
    assert "Name the bay's owner in the letter." in mail.body
    token = re.search(rf"{SITE}/start/edit/([^/\s]+)/", mail.body).group(1)
    assert starting.from_edit_token(token) == petition


def test_asking_for_changes_needs_a_note(submitted, moderator):
    with pytest.raises(ValidationError, match="Say which changes"):
        moderation.ask_for_changes(submitted, moderator, "")
    assert reload(submitted).review == Petition.Review.AWAITING
    assert not OutgoingEmail.objects.exists()


def test_a_second_decision_changes_nothing_and_says_who_decided_first(
    submitted, moderator, django_user_model
):
    moderation.publish(submitted, moderator)
    other = make_moderator(django_user_model, "bo")
    stale = Petition.objects.get(pk=submitted.pk)
    stale.state, stale.review = Petition.State.DRAFT, Petition.Review.AWAITING  # as read before
    with pytest.raises(moderation.AlreadyDecided, match=r"Already decided by mod at .*: published"):
        moderation.reject(stale, other, Petition.RejectionReason.DUPLICATE)
    assert reload(submitted).state == Petition.State.OPEN
    assert len(OutgoingEmail.objects.all()) == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"review": Petition.Review.CHANGES},
        {"review": Petition.Review.UNCONFIRMED},
        {"review": Petition.Review.NONE},  # made in the admin
    ],
)
def test_only_a_petition_awaiting_moderation_can_be_decided(moderator, fields):
    petition = make_submitted(**fields)
    with pytest.raises(moderation.AlreadyDecided):
        moderation.publish(petition, moderator)
    assert reload(petition).state == Petition.State.DRAFT
    assert not Organizer.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_a_petition_whose_closing_date_has_passed_is_not_published(moderator):
    petition = make_submitted(closes_at=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(ValidationError, match="closing date has passed"):
        moderation.publish(petition, moderator)
    assert reload(petition).review == Petition.Review.AWAITING


@pytest.mark.both_databases  # Petition.objects.like(): full-text search, or SQLite's substrings
def test_similar_petitions_share_words_of_the_title_and_are_public_or_in_review(submitted):
    public = make_petition(slug="save-the-bay", title="Save the bay from oil")
    in_review = make_submitted(slug="bay-beaches", title="Clean beaches of the bay")
    make_submitted(slug="unconfirmed", title="Clean the bay", review="unconfirmed")
    make_petition(slug="admin-draft", title="Clean the bay", state=Petition.State.DRAFT)
    make_petition(
        slug="rejected",
        title="Clean the bay",
        state=Petition.State.REJECTED,
        rejection_reason="duplicate",
        reviewed_at=timezone.now(),
    )
    make_petition(slug="unrelated", title="Plant more trees")
    similar = moderation.similar_petitions(submitted)
    # Sharing both words ranks first.
    assert similar == [in_review, public]
    assert moderation.similar_petitions(submitted, limit=1) == [in_review]


# In the admin: the decision form of the moderation page.


def review_url(petition: Petition) -> str:
    return reverse("admin:petitions_petitioninreview_change", args=[petition.pk])


@pytest.fixture
def moderator_client(client, moderator):
    return sign_in(client, moderator)


def test_publishing_from_the_admin_returns_to_the_queue_with_a_message(moderator_client, submitted):
    response = moderator_client.post(review_url(submitted), {"decision": "publish"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:petitions_petitioninreview_changelist")
    assert "“Clean the bay” published." in response.content.decode()
    assert reload(submitted).state == Petition.State.OPEN


def test_rejecting_from_the_admin_with_a_reason(moderator_client, submitted):
    data = {"decision": "reject", "reason": "offensive", "note": ""}
    assert moderator_client.post(review_url(submitted), data).status_code == 302
    petition = reload(submitted)
    assert (petition.state, petition.rejection_reason) == ("rejected", "offensive")


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"decision": "reject", "reason": "other", "note": " "}, "Say why in the note"),
        ({"decision": "reject", "note": "Why not"}, "Choose why it is rejected."),
        ({"decision": "changes", "note": ""}, "Say which changes to make"),
        ({"decision": "delete"}, "Choose one of the buttons"),
        ({}, "Choose one of the buttons"),
    ],
)
def test_an_incomplete_decision_is_shown_again_with_its_error(
    moderator_client, submitted, data, error
):
    response = moderator_client.post(review_url(submitted), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert reload(submitted).review == Petition.Review.AWAITING
    assert not OutgoingEmail.objects.exists()


def test_publishing_one_whose_closing_date_has_passed_is_refused_with_a_reason(moderator_client):
    petition = make_submitted(closes_at=timezone.now() - dt.timedelta(hours=1))
    response = moderator_client.post(review_url(petition), {"decision": "publish"})
    assert response.status_code == 400
    assert "Its closing date has passed" in response.content.decode()
    assert reload(petition).review == Petition.Review.AWAITING


def test_a_decision_that_came_second_is_told_who_decided_first(
    moderator_client, submitted, django_user_model
):
    moderation.ask_for_changes(submitted, make_moderator(django_user_model, "bo"), "Shorter.")
    data = {"decision": "reject", "reason": "duplicate"}
    response = moderator_client.post(review_url(submitted), data)
    assert response.status_code == 409
    assert "Already decided by bo at" in response.content.decode()
    assert "changes asked for" in response.content.decode()
    assert reload(submitted).state == Petition.State.DRAFT
    assert len(OutgoingEmail.objects.all()) == 1


def test_the_admins_open_action_leaves_petitions_in_review_to_moderation(admin_client, submitted):
    draft = make_petition(slug="admin-draft", state=Petition.State.DRAFT)
    data = {"action": "open_petitions", "_selected_action": [submitted.pk, draft.pk]}
    admin_client.post(reverse("admin:petitions_petition_changelist"), data)
    assert reload(draft).state == Petition.State.OPEN
    assert reload(submitted).state == Petition.State.DRAFT


# Two moderators at once, on real PostgreSQL transactions.


@pytest.mark.django_db(transaction=True)
def test_two_moderators_at_once_make_one_decision_and_one_email(django_user_model):
    petition = make_submitted()
    first, second = make_moderator(django_user_model, "ann"), make_moderator(django_user_model)

    def decide(moderator, action):
        copy = Petition.objects.get(pk=petition.pk)
        try:
            action(copy, moderator)
        except moderation.AlreadyDecided as lost:
            return str(lost)
        return "decided"

    def reject(copy, moderator):
        moderation.reject(copy, moderator, Petition.RejectionReason.DUPLICATE)

    for _ in range(5):  # a few rounds, so that either may win
        Petition.objects.filter(pk=petition.pk).update(
            state=Petition.State.DRAFT, review=Petition.Review.AWAITING, rejection_reason=""
        )
        OutgoingEmail.objects.all().delete()
        Organizer.objects.all().delete()
        results = at_once(decide, [(first, moderation.publish), (second, reject)])
        assert results.count("decided") == 1
        (lost,) = [r for r in results if r != "decided"]
        assert lost.startswith("Already decided by ")
        petition.refresh_from_db()
        assert OutgoingEmail.objects.count() == 1
        (email,) = OutgoingEmail.objects.all()
        if petition.state == Petition.State.OPEN:
            assert (email.kind, petition.reviewed_by) == ("published", first)
            assert Organizer.objects.count() == 1
        else:
            assert (email.kind, petition.reviewed_by) == ("rejected", second)
            assert not Organizer.objects.exists()
