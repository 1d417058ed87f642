"""Writing, checking, publishing and following an update to supporters in the admin."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from petitions import updates
from petitions.models import OutgoingEmail, Update
from tests.conftest import make_signature, reload, sign_in

ADD = reverse("admin:petitions_update_add")
CHANGELIST = reverse("admin:petitions_update_changelist")


def make_update(petition, **fields) -> Update:
    defaults = {"title": "We met the mayor", "body": "She **listened**."}
    return Update.objects.create(petition=petition, **{**defaults, **fields})


def url(name: str, update: Update) -> str:
    return reverse(f"admin:petitions_update_{name}", args=[update.pk])


def supporters(petition, n: int, **fields) -> list:
    return [make_signature(petition, confirmed=True, may_contact=True, **fields) for _ in range(n)]


def page(client, address: str, status: int = 200) -> str:
    response = client.get(address)
    assert response.status_code == status
    return response.content.decode()


def test_the_add_form_is_prefilled_from_the_query_string(admin_client, petition):
    html = page(admin_client, f"{ADD}?petition={petition.pk}&title=The+mayor+answered&body=Yes!")
    assert f'<option value="{petition.pk}" selected>Free the river</option>' in html
    assert 'value="The mayor answered"' in html
    assert "Yes!</textarea>" in html


def test_a_bad_petition_in_the_query_string_only_leaves_the_choice_empty(admin_client, petition):
    html = page(admin_client, f"{ADD}?petition=nonsense")
    assert f'<option value="{petition.pk}">Free the river</option>' in html


def test_an_added_update_is_a_numbered_draft_of_its_petition(admin_client, petition):
    make_update(petition)
    data = {"petition": petition.pk, "title": "Second", "body": "More news.", "_save": "Save"}
    assert admin_client.post(ADD, data).status_code == 302
    update = Update.objects.get(title="Second")
    assert update.number == 2 and not update.is_published


def test_once_added_the_petition_is_read_only(admin_client, petition, closed_petition):
    update = make_update(petition)
    html = page(admin_client, url("change", update))
    assert 'name="petition"' not in html
    assert "A draft: nobody sees it until it is published." in html
    data = {"petition": closed_petition.pk, "title": "Renamed", "body": "Text", "_save": "Save"}
    assert admin_client.post(url("change", update), data).status_code == 302
    update = reload(update)
    assert update.title == "Renamed" and update.petition == petition


def test_the_preview_shows_a_draft_to_staff_only(admin_client, client, petition):
    update = make_update(petition)
    html = page(admin_client, url("preview", update))
    assert "<strong>Preview of a draft</strong>: only staff see this page." in html
    assert '<meta name="robots" content="noindex">' in html
    assert "<p>She <strong>listened</strong>.</p>" in html
    assert client.get(url("preview", update)).status_code == 302  # to the login page
    assert client.get(reverse("petitions:update", args=[petition.slug, 1])).status_code == 404


def test_a_test_goes_at_once_to_the_staff_users_address_only(admin_client, petition, mailoutbox):
    supporters(petition, 2)
    mailoutbox.clear()  # the confirmation requests
    update = make_update(petition)
    assert "admin@example.com" in page(admin_client, url("send_test", update))
    response = admin_client.post(url("send_test", update), follow=True)
    assert "A test of this update was sent to admin@example.com." in response.content.decode()
    assert [message.to for message in mailoutbox] == [["admin@example.com"]]
    assert "We met the mayor" in mailoutbox[0].subject
    update = reload(update)
    assert not update.is_published and update.emailed_at is None
    assert not OutgoingEmail.objects.filter(update=update).exists()


def test_without_an_email_address_no_test_is_sent(client, django_user_model, petition, mailoutbox):
    user = django_user_model.objects.create_superuser("noemail", "", "secret")
    sign_in(client, user)
    update = make_update(petition)
    mailoutbox.clear()
    response = client.post(url("send_test", update))
    assert response.status_code == 400
    assert "Your account has no email address, so no test was sent." in response.content.decode()
    assert mailoutbox == []


def test_publishing_without_email_shows_it_and_emails_nobody(admin_client, petition):
    supporters(petition, 1)
    update = make_update(petition)
    response = admin_client.post(url("publish", update), {"email": "no"}, follow=True)
    assert "Published without email" in response.content.decode()
    update = reload(update)
    assert update.is_published and update.emailed_at is None
    assert "We met the mayor" in page(admin_client, petition.get_absolute_url())


def test_publishing_with_email_sends_it_to_the_supporters_who_agreed(admin_client, petition):
    supporters(petition, 2)
    make_signature(petition, confirmed=True, may_contact=False)
    make_signature(petition, may_contact=True)  # not confirmed
    update = make_update(petition)
    html = page(admin_client, url("publish", update))
    assert "Publish and email it to 2 supporters who agreed to hear from you" in html
    assert "Publish without email" in html
    response = admin_client.post(url("publish", update), {"email": "yes"}, follow=True)
    assert "Published, and being emailed to 2 supporter(s)." in response.content.decode()
    update = reload(update)
    assert update.is_published and update.emailed_at is not None
    assert update.email_total == 2


def test_an_update_published_without_email_can_be_emailed_later(admin_client, petition):
    supporters(petition, 1)
    update = make_update(petition)
    updates.publish(update, email=False)
    html = page(admin_client, url("publish", update))
    assert "Email it to 1 supporter who agreed to hear from you" in html
    assert "Publish without email" not in html
    admin_client.post(url("publish", update), {"email": "yes"})
    assert reload(update).emailed_at is not None


def test_within_the_minimum_interval_only_publishing_without_email_is_allowed(
    admin_client, petition, settings
):
    settings.UPDATE_EMAIL_MIN_INTERVAL_HOURS = 24
    supporters(petition, 1)
    updates.publish(make_update(petition, title="Yesterday's"), email=True)
    allowed_at = reload(Update.objects.get(title="Yesterday's")).emailed_at + dt.timedelta(hours=24)
    update = make_update(petition)
    allowed = date_format(timezone.localtime(allowed_at), "j M Y, H:i")
    html = page(admin_client, url("publish", update))
    assert f"the next emailed update is allowed from <strong>{allowed}" in html
    assert 'value="yes" class="default" disabled>' in html
    assert f"the next emailed update is allowed from {allowed}" in page(
        admin_client, url("change", update)
    )

    response = admin_client.post(url("publish", update), {"email": "yes"})
    assert response.status_code == 409
    assert allowed in response.content.decode()
    assert not reload(update).is_published

    admin_client.post(url("publish", update), {"email": "no"})
    update = reload(update)
    assert update.is_published and update.emailed_at is None


def test_a_publish_without_a_choice_is_refused(admin_client, petition):
    update = make_update(petition)
    response = admin_client.post(url("publish", update), {"email": "maybe"})
    assert response.status_code == 400
    assert "Choose one of the buttons" in response.content.decode()
    assert not reload(update).is_published


def emailing(petition, *, total: int, sent: int, queued: int, lost: int) -> Update:
    """An update being emailed, with its emails in each state, as the worker leaves them."""
    update = make_update(petition)
    updates.publish(update, email=True)
    Update.objects.filter(pk=update.pk).update(email_total=total)
    now = timezone.now()
    for state, n in [("sent", sent), ("queued", queued), ("lost", lost)]:
        for signature in supporters(petition, n):
            OutgoingEmail.objects.create(
                kind=OutgoingEmail.Kind.UPDATE,
                update=update,
                signature=signature,
                bulk=True,
                started_at=now if state != "queued" else None,
                sent_at=now if state == "sent" else None,
            )
    return reload(update)


def test_the_progress_reads_sent_to_n_of_the_total(admin_client, petition):
    update = emailing(petition, total=103_000, sent=3, queued=2, lost=1)
    expected = "Sent to 3 of 103,000 (2 queued, 1 lost)"
    assert expected in page(admin_client, url("change", update))
    assert expected in page(admin_client, CHANGELIST)
    assert "the email already went" in page(admin_client, url("change", update))


def test_cancelling_drops_the_queued_emails_and_keeps_the_sent_ones(admin_client, petition):
    update = emailing(petition, total=10, sent=3, queued=2, lost=0)
    assert "Sent to 3 of 10 (2 queued)" in page(admin_client, url("cancel", update))
    response = admin_client.post(url("cancel", update), follow=True)
    html = response.content.decode()
    assert "Sending cancelled: 2 queued email(s) dropped." in html
    assert "Sent to 3 of 10 (the rest cancelled)" in html
    assert reload(update).cancelled_at is not None
    assert OutgoingEmail.objects.filter(update=update).count() == 3


def test_get_on_publish_and_cancel_changes_nothing(admin_client, petition):
    draft = make_update(petition)
    sending = emailing(petition, total=5, sent=0, queued=2, lost=0)
    page(admin_client, url("publish", draft))
    page(admin_client, url("cancel", sending))
    assert not reload(draft).is_published
    assert reload(sending).cancelled_at is None
    assert OutgoingEmail.objects.filter(update=sending).count() == 2


def test_without_the_change_permission_publishing_cancelling_and_tests_are_forbidden(
    staff_client, petition, mailoutbox
):
    client = staff_client("view_petition", "view_update")
    draft = make_update(petition)
    sending = emailing(petition, total=5, sent=0, queued=2, lost=0)
    mailoutbox.clear()
    html = page(client, url("change", draft))
    assert url("publish", draft) not in html and url("send_test", draft) not in html
    assert page(client, url("preview", draft))  # viewing is allowed
    for name, update, data in [
        ("publish", draft, {"email": "no"}),
        ("send_test", draft, {}),
        ("cancel", sending, {}),
    ]:
        assert client.get(url(name, update)).status_code == 403
        assert client.post(url(name, update), data).status_code == 403
    assert not reload(draft).is_published
    assert reload(sending).cancelled_at is None
    assert mailoutbox == []


def test_a_published_updates_text_stays_editable(admin_client, petition):
    update = emailing(petition, total=1, sent=1, queued=0, lost=0)
    data = {"title": "We met the mayor (fixed)", "body": "She listened.", "_save": "Save"}
    assert admin_client.post(url("change", update), data).status_code == 302
    assert reload(update).title == "We met the mayor (fixed)"
    assert "We met the mayor (fixed)" in page(admin_client, petition.get_absolute_url())


def test_the_petitions_page_lists_its_updates_and_links_to_add_one(admin_client, petition):
    update = make_update(petition)
    html = page(admin_client, reverse("admin:petitions_petition_change", args=[petition.pk]))
    assert '<h2 id="updates-heading">Updates to supporters</h2>' in html
    assert f'<a href="{url("change", update)}">We met the mayor</a>' in html
    assert f'href="{ADD}?petition={petition.pk}">Add an update</a>' in html


def test_the_list_filters_by_petition_and_searches_titles(admin_client, petition, closed_petition):
    make_update(petition, title="River news")
    make_update(closed_petition, title="Closed news")
    html = page(admin_client, f"{CHANGELIST}?petition__id__exact={petition.pk}")
    assert "River news" in html and "Closed news" not in html
    html = page(admin_client, f"{CHANGELIST}?q=closed")
    assert "Closed news" in html and "River news" not in html
