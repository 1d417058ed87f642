"""Starting a petition on the site: the title and the petitions like it, the petition's form,
the starter's confirmation link, and the link a moderator sends to ask for changes."""

import datetime as dt
import re
import time

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from petitions import starting
from petitions.forms import form_timestamp
from petitions.models import BlockedEmailDomain, OutgoingEmail, Petition
from tests.conftest import make_petition, reload

START = reverse("petitions:start")
FORM = reverse("petitions:start-form")


def start_data(**fields) -> dict:
    rows = {f"recipients-{i}-{part}": "" for i in range(3) for part in ("name", "role")}
    return {
        "started": form_timestamp(time.time() - 30),  # served half a minute ago
        "title": "Save the park",
        "body": "The park is where our children play.\n\nKeep it open.",
        "letter": "Dear Mayor,\n\nPlease keep the park open.",
        "name": "Rosa Parker",
        "email": "Rosa.Parker@Example.ORG",
        "language": "en",
        "closes_on": "",
        "goal": "",
        "recipients-TOTAL_FORMS": "3",
        "recipients-INITIAL_FORMS": "0",
        **rows,
        "recipients-0-name": "Jo Bank",
        "recipients-0-role": "Mayor of Riverton",
        "recipients-1-name": "Sam Flow",
        "recipients-1-role": "Minister of Parks",
        **fields,
    }


def link_in(text: str, kind: str) -> str:
    return re.search(rf"https?://\S+/start/{kind}/[^/\s\"]+/", text).group(0)


@pytest.fixture
def started(client, db) -> Petition:
    assert client.post(FORM, start_data()).status_code == 302
    return Petition.objects.get()


def test_every_page_links_to_the_start_page(client, db):
    html = client.get(reverse("petitions:home")).content.decode()
    assert html.count(f'href="{START}"') == 2  # the footer's and the home page's own


def test_step_one_asks_what_to_change(client, db):
    response = client.get(START)
    assert response.status_code == 200
    html = response.content.decode()
    assert "What do you want to change, and who can do it?" in html
    assert 'name="title"' in html


@pytest.mark.both_databases  # Petition.objects.like(): full-text search, or SQLite's substrings
def test_step_one_shows_public_petitions_like_it_to_sign_instead(client, db):
    make_petition(slug="free-the-river", title="Free the river")
    make_petition(slug="draft-river", title="Free the river now", state=Petition.State.DRAFT)
    make_petition(slug="other", title="Plant more trees")
    response = client.get(START, {"title": "Free the river"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Is your petition one of these? Sign it instead" in html
    assert 'href="/free-the-river/"' in html
    assert "draft-river" not in html
    assert "/other/" not in html
    # And the way on, with the title carried over.
    assert f'action="{FORM}"' in html
    assert '<input type="hidden" name="title" value="Free the river">' in html


@pytest.mark.both_databases
def test_step_one_says_when_no_petition_is_like_it(client, db):
    html = client.get(START, {"title": "Light the harbour"}).content.decode()
    assert "No petition like yours yet" in html
    assert '<input type="hidden" name="title" value="Light the harbour">' in html


def test_step_one_without_a_title_says_what_to_do(client, db):
    response = client.get(START, {"title": "  "})
    assert response.status_code == 400
    assert "Enter what you want to change." in response.content.decode()


def test_step_two_carries_the_title_over(client, db):
    response = client.get(FORM, {"title": "Save the park"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Save the park"' in html
    assert 'name="recipients-2-name"' in html  # three blank rows
    assert 'name="recipients-3-name"' not in html
    assert "Add another recipient" in html


def test_sending_it_stores_a_draft_awaiting_its_starters_confirmation(client, started):
    petition = started
    assert petition.slug == "save-the-park"
    assert petition.state == Petition.State.DRAFT
    assert petition.review == Petition.Review.UNCONFIRMED
    assert petition.starter_name == "Rosa Parker"
    assert petition.organizer_email == "Rosa.Parker@example.org"
    assert petition.body == "The park is where our children play.\n\nKeep it open."
    assert [(r.name, r.role, r.position) for r in petition.recipients.all()] == [
        ("Jo Bank", "Mayor of Riverton", 0),
        ("Sam Flow", "Minister of Parks", 1),
    ]
    email = OutgoingEmail.objects.get()
    assert (email.kind, email.petition) == (OutgoingEmail.Kind.STARTER_CONFIRM, petition)
    # Not public, nor in the moderation queue, before it is confirmed.
    assert client.get(reverse("petitions:appeal", args=[petition.slug])).status_code == 404
    assert not Petition.objects.awaiting_review().exists()


def test_it_then_says_to_check_the_inbox(client, db):
    response = client.post(FORM, start_data(), follow=True)
    assert response.redirect_chain == [(reverse("petitions:start-check-inbox"), 302)]
    assert "Check your inbox" in response.content.decode()


def test_the_email_asks_the_starter_to_confirm(client, started, sent_emails):
    (message,) = sent_emails()
    assert message.to == ["Rosa.Parker@example.org"]
    assert message.subject == "Please confirm your petition: Save the park"
    assert "Confirm my petition" in message.alternatives[0][0]
    assert link_in(message.body, "confirm") in message.alternatives[0][0]


def test_the_email_is_in_the_language_the_starter_used(client, db, sent_emails):
    client.post(FORM, start_data(language="fr"), HTTP_ACCEPT_LANGUAGE="fr")
    assert OutgoingEmail.objects.get().language == "fr"
    assert Petition.objects.get().language == "fr"
    (message,) = sent_emails()
    assert message.to == ["Rosa.Parker@example.org"]


def test_opening_the_link_changes_nothing_and_its_button_confirms_once(
    client, started, sent_emails
):
    link = link_in(sent_emails()[0].body, "confirm")
    response = client.get(link)
    assert response.status_code == 200
    assert "Confirm my petition" in response.content.decode()
    assert reload(started).review == Petition.Review.UNCONFIRMED  # mail scanners open links

    response = client.post(link, follow=True)
    assert response.redirect_chain == [(reverse("petitions:start-thanks"), 302)]
    assert "A moderator will review it" in response.content.decode()
    petition = reload(started)
    assert petition.review == Petition.Review.AWAITING
    assert list(Petition.objects.awaiting_review()) == [petition]
    submitted_at = petition.submitted_at

    again = client.post(link)  # a double click
    assert again.status_code == 200
    assert "already confirmed" in again.content.decode()
    assert reload(started).submitted_at == submitted_at
    # Still not public: a moderator decides.
    assert client.get(reverse("petitions:appeal", args=[petition.slug])).status_code == 404


def test_confirming_the_starter_twice_confirms_once(started):
    assert starting.confirm_starter(started)
    assert not starting.confirm_starter(started)


def test_the_confirmation_email_is_not_sent_once_confirmed(started, sent_emails):
    starting.confirm_starter(started)
    assert sent_emails() == []


def test_a_changed_or_expired_confirmation_link_gets_a_clear_page(client, started, settings):
    link = starting.confirm_url(started)
    response = client.get(link[:-5] + "xxxx/")
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    settings.CONFIRMATION_LINK_MAX_AGE = -1
    response = client.get(link)
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert reload(started).review == Petition.Review.UNCONFIRMED


def test_missing_fields_are_refused_with_a_message_for_each(client, db):
    empty = {name: "" for name in ("title", "body", "letter", "name", "email")}
    empty |= {"recipients-0-name": "", "recipients-0-role": ""}
    empty |= {"recipients-1-name": "", "recipients-1-role": ""}
    response = client.post(FORM, start_data(**empty))
    assert response.status_code == 400
    html = response.content.decode()
    for message in (
        "Enter what you want to change.",
        "Say why it is important.",
        "Write the letter to the decision makers.",
        "Name at least one decision maker who can make the change.",
        "Enter your name.",
        "Enter your email address.",
    ):
        assert message in html
    assert 'href="#id_recipients-0-name"' in html  # the summary leads to the first row
    assert 'aria-invalid="true"' in html
    assert not Petition.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_a_recipient_needs_both_a_name_and_a_role(client, db):
    response = client.post(FORM, start_data(**{"recipients-1-role": ""}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter the role of this decision maker." in html
    assert 'href="#id_recipients-1-role"' in html
    assert 'value="Sam Flow"' in html  # what was typed stays
    assert not Petition.objects.exists()


def test_an_invalid_email_is_refused(client, db):
    response = client.post(FORM, start_data(email="rosa-at-example"))
    assert response.status_code == 400
    assert "Enter an email address like name@example.org." in response.content.decode()


def test_the_closing_date_must_be_after_today_and_within_a_year(client, db, frozen_now):
    today = frozen_now.date()
    for closes_on, message in (
        (today, "Choose a closing date after today."),
        (today + dt.timedelta(days=366), "Choose a closing date at most a year from today."),
        ("31/12/2099x", "Enter a date like 2030-12-31."),
    ):
        response = client.post(FORM, start_data(closes_on=str(closes_on)))
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not Petition.objects.exists()


def test_a_closing_date_closes_it_at_the_end_of_that_day(client, db, frozen_now):
    closes_on = frozen_now.date() + dt.timedelta(days=30)
    assert client.post(FORM, start_data(closes_on=closes_on.isoformat())).status_code == 302
    closes_at = timezone.localtime(Petition.objects.get().closes_at)
    assert (closes_at.date(), closes_at.hour, closes_at.minute) == (closes_on, 23, 59)


def test_the_goal_is_optional_but_a_sensible_whole_number(client, db):
    for goal, message in (
        ("0", "Enter a goal of at least 1 supporter."),
        ("99999999999", "Enter a goal of at most"),
        ("lots", "Enter a whole number of supporters, or leave it empty."),
    ):
        response = client.post(FORM, start_data(goal=goal))
        assert response.status_code == 400
        assert message in response.content.decode()
    assert client.post(FORM, start_data(goal="5000")).status_code == 302
    assert Petition.objects.get().goal == 5000


def test_add_another_recipient_shows_the_form_again_with_one_more_row(client, db):
    response = client.post(FORM, start_data(add_recipient="1", title=""))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="recipients-3-name"' in html
    assert 'name="recipients-4-name"' not in html
    assert 'value="Sam Flow"' in html
    assert 'value="Rosa Parker"' in html
    assert "There is a problem" not in html  # nothing is checked yet
    assert not Petition.objects.exists()


def test_the_fourth_recipient_is_stored_too(client, db):
    data = start_data(**{"recipients-TOTAL_FORMS": "4"})
    data |= {"recipients-3-name": "Kim Lee", "recipients-3-role": "Council leader"}
    assert client.post(FORM, data).status_code == 302
    assert Petition.objects.get().recipients.count() == 3


def test_a_forged_number_of_rows_is_refused(client, db):
    response = client.post(FORM, start_data(**{"recipients-TOTAL_FORMS": "5000"}))
    assert response.status_code == 400
    assert "Name at most 20 decision makers." in response.content.decode()
    response = client.post(FORM, start_data(**{"recipients-TOTAL_FORMS": ""}))
    assert response.status_code == 400
    assert "Your form was incomplete" in response.content.decode()


def test_a_filled_trap_field_is_refused_and_the_form_offered_again(client, db):
    response = client.post(FORM, start_data(website="http://spam.example"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Your browser filled in a field that should stay empty" in html
    assert 'value="http://spam.example"' not in html
    assert not Petition.objects.exists()


def test_a_form_sent_faster_than_a_person_could_is_refused(client, db, settings):
    settings.SIGN_FORM_MIN_SECONDS = 60
    response = client.post(FORM, start_data(started=form_timestamp()))
    assert response.status_code == 400
    assert "quicker than we expected from a person" in response.content.decode()
    assert not Petition.objects.exists()


def test_a_forged_timestamp_is_refused(client, db):
    response = client.post(FORM, start_data(started="123"))
    assert response.status_code == 400
    assert "Your form was incomplete" in response.content.decode()


def test_one_address_is_limited_with_a_429(client, db, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "start": {"ip": "2/m", "email": "10/h"}}
    statuses = [
        client.post(FORM, start_data(email=f"starter{n}@example.org")).status_code for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert Petition.objects.count() == 2


def test_one_email_is_limited_from_any_address(client, db, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "start": {"ip": "20/m", "email": "1/h"}}
    first = client.post(FORM, start_data(), REMOTE_ADDR="192.0.2.1")
    second = client.post(FORM, start_data(), REMOTE_ADDR="192.0.2.2")
    assert (first.status_code, second.status_code) == (302, 429)


def test_adding_a_row_is_not_counted_against_the_limit(client, db, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "start": {"ip": "1/m", "email": "10/h"}}
    for _ in range(3):
        assert client.post(FORM, start_data(add_recipient="1")).status_code == 200
    assert client.post(FORM, start_data()).status_code == 302


def test_a_blocked_starter_sees_the_same_page_and_nothing_is_stored(client, db):
    BlockedEmailDomain.objects.create(domain="example.org")
    response = client.post(FORM, start_data())
    assert response.status_code == 302
    assert response.url == reverse("petitions:start-check-inbox")
    assert not Petition.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_slugs_are_unique_and_never_the_sites_own(client, db):
    for title in ("Save the park", "Save the park!", "Start", "拯救公园", "拯救河流"):
        assert client.post(FORM, start_data(title=title)).status_code == 302
    slugs = list(Petition.objects.order_by("pk").values_list("slug", flat=True))
    assert slugs == ["save-the-park", "save-the-park-2", "start-2", "petition", "petition-2"]


def test_step_two_refuses_other_methods(client, db):
    assert client.put(FORM).status_code == 405


@pytest.fixture
def changes_asked(started) -> Petition:
    """The moderator asked for changes, as petitions/moderation.py does."""
    starting.confirm_starter(started)
    Petition.objects.filter(pk=started.pk).update(
        review=Petition.Review.CHANGES,
        reviewed_at=timezone.now(),
        moderation_note="Please name the park.",
    )
    return reload(started)


def test_the_edit_link_opens_the_form_filled_in_with_the_moderators_note(client, changes_asked):
    response = client.get(starting.edit_url(changes_asked))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please name the park." in html
    assert 'value="Save the park"' in html
    assert 'value="Jo Bank"' in html
    assert 'value="Minister of Parks"' in html
    assert 'name="email"' not in html  # the link proved it: it stays as it was
    assert "Send my changes" in html


def test_sending_the_changes_puts_it_back_in_the_queue(client, changes_asked, sent_emails):
    sent_emails().clear()
    first_submitted_at = changes_asked.submitted_at
    data = start_data(title="Save Riverton Park", email="")
    data |= {"recipients-1-name": "", "recipients-1-role": ""}
    response = client.post(starting.edit_url(changes_asked), data, follow=True)
    assert response.redirect_chain == [(reverse("petitions:start-resubmitted"), 302)]
    assert "A moderator will read your petition again" in response.content.decode()
    petition = reload(changes_asked)
    assert petition.title == "Save Riverton Park"
    assert petition.slug == "save-the-park"  # its address stays
    assert petition.organizer_email == "Rosa.Parker@example.org"
    assert petition.review == Petition.Review.AWAITING
    assert petition.submitted_at > first_submitted_at
    assert [r.name for r in petition.recipients.all()] == ["Jo Bank"]
    assert list(Petition.objects.awaiting_review()) == [petition]
    assert sent_emails() == []  # no second confirmation


def test_invalid_changes_are_refused_with_400(client, changes_asked):
    response = client.post(starting.edit_url(changes_asked), start_data(title=""))
    assert response.status_code == 400
    assert "Enter what you want to change." in response.content.decode()
    assert reload(changes_asked).review == Petition.Review.CHANGES


def test_the_edit_link_works_only_while_changes_are_asked_for(client, changes_asked):
    link = starting.edit_url(changes_asked)
    assert client.post(link, start_data()).status_code == 302
    for response in (client.get(link), client.post(link, start_data())):
        assert response.status_code == 409
        assert "cannot be changed now" in response.content.decode()


def test_a_changed_edit_link_gets_a_clear_page(client, changes_asked):
    response = client.get(starting.edit_url(changes_asked)[:-5] + "xxxx/")
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()


def test_the_confirmation_link_does_not_open_the_edit_page(client, changes_asked):
    token = starting.confirm_token(changes_asked)
    assert client.get(reverse("petitions:start-edit", args=[token])).status_code == 400
    with pytest.raises(signing.BadSignature):
        starting.from_edit_token(token)
