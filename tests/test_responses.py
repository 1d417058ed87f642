"""Decision makers' responses: next to their recipient on the appeal page, recorded in the
admin with their date and a PDF at most, and offered as an update to the supporters."""

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse

from petitions.models import Recipient
from petitions.responses import update_prefill_url
from tests.conftest import reload

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def recipient_item(html: str, name: str) -> str:
    """The recipient's <li> on the appeal page, with what is shown next to it."""
    return re.search(rf"<li>[^<]*<strong>{name}</strong>(.*?)</li>", html, re.DOTALL).group(1)


def respond(recipient: Recipient, **fields) -> Recipient:
    defaults = {"responded_on": dt.date(2013, 5, 3), "response": "We will **consider** it."}
    for field, value in {**defaults, **fields}.items():
        setattr(recipient, field, value)
    recipient.save()
    return recipient


def change_data(recipient: Recipient, **fields) -> dict:
    """What the recipient's admin change form posts, with `fields` changed."""
    return {
        "petition": recipient.petition_id,
        "position": recipient.position,
        "role": recipient.role,
        "name": recipient.name,
        "responded_on": "",
        "response": "",
        "response_url": "",
        "deliveries-TOTAL_FORMS": "0",
        "deliveries-INITIAL_FORMS": "0",
        **fields,
    }


def change_url(recipient: Recipient) -> str:
    return reverse("admin:petitions_recipient_change", args=[recipient.pk])


def test_a_response_is_shown_next_to_its_recipient_only(client, petition):
    sam = petition.recipients.get(name="Sam Flow")
    respond(sam)
    html = client.get(petition.get_absolute_url()).content.decode()
    assert "Responded on May 3rd, 2013" in recipient_item(html, "Sam Flow")
    assert "Responded on" not in recipient_item(html, "Jo Bank")


def test_the_response_text_opens_without_javascript(client, petition):
    respond(
        petition.recipients.get(name="Sam Flow"),
        response="We will **consider** it.<script>alert(1)</script>",
        response_url="https://example.org/answer",
    )
    item = recipient_item(client.get(petition.get_absolute_url()).content.decode(), "Sam Flow")
    # <details> shows the text on a click, with no script.
    assert '<details class="response">' in item
    assert "<summary>Responded on May 3rd, 2013</summary>" in item
    assert "<strong>consider</strong>" in item
    assert "<script>" not in item  # the petition body's sanitiser
    assert 'href="https://example.org/answer"' in item


def test_a_recipient_beyond_the_first_three_shows_its_response_among_the_others(client, petition):
    for i in range(2, 6):
        Recipient.objects.create(petition=petition, role="Consul", name=f"Person {i}", position=i)
    respond(petition.recipients.get(name="Person 4"), response="Declined.")
    html = client.get(petition.get_absolute_url()).content.decode()
    shown, _, hidden = html.partition("<summary>and 3 others</summary>")
    assert "Declined." not in shown
    assert "Declined." in recipient_item(hidden, "Person 4")
    assert "Responded on" not in recipient_item(hidden, "Person 3")


def test_the_page_shows_a_new_response_at_once(client, petition):
    assert "Responded on" not in client.get(petition.get_absolute_url()).content.decode()
    respond(petition.recipients.first())
    assert "Responded on" in client.get(petition.get_absolute_url()).content.decode()


def test_the_database_refuses_a_response_without_its_date(petition):
    recipient = petition.recipients.first()
    recipient.response = "Yes."
    with pytest.raises(IntegrityError):
        recipient.save()


def test_the_admin_refuses_a_response_without_its_date_and_says_why(admin_client, petition):
    recipient = petition.recipients.first()
    response = admin_client.post(change_url(recipient), change_data(recipient, response="Yes."))
    assert response.status_code == 200  # the admin shows the form again
    assert "A response needs the date it was given." in response.content.decode()
    assert reload(recipient).response == ""


def test_the_admin_records_a_response_with_a_pdf(admin_client, petition):
    recipient = petition.recipients.first()
    data = change_data(
        recipient,
        responded_on="2013-05-03",
        response="We agree.",
        response_file=SimpleUploadedFile("answer.pdf", PDF, "application/pdf"),
    )
    assert admin_client.post(change_url(recipient), data).status_code == 302
    recipient = reload(recipient)
    assert (recipient.responded_on, recipient.response) == (dt.date(2013, 5, 3), "We agree.")
    assert recipient.response_file.name.endswith(".pdf")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("answer.docx", PDF, "File extension “docx” is not allowed"),
        ("answer.pdf", b"MZ\x90\x00 not a pdf", "Upload a PDF document: this file is not one."),
    ],
)
def test_the_admin_refuses_a_file_that_is_not_a_pdf(admin_client, petition, name, content, message):
    recipient = petition.recipients.first()
    data = change_data(
        recipient,
        responded_on="2013-05-03",
        response_file=SimpleUploadedFile(name, content, "application/pdf"),
    )
    response = admin_client.post(change_url(recipient), data)
    assert message in response.content.decode()
    assert not reload(recipient).response_file


def test_the_recipient_admin_offers_the_response_as_an_update(admin_client, petition):
    recipient = respond(petition.recipients.get(name="Sam Flow"), response_url="https://e.org/r")
    url = update_prefill_url(recipient)
    path, query = urlsplit(url).path, parse_qs(urlsplit(url).query)
    assert path == "/admin/petitions/update/add/"
    assert query == {
        "petition": [str(petition.pk)],
        "title": ["Response from Minister of Water Sam Flow"],
        "body": ["We will **consider** it.\n\nhttps://e.org/r"],
    }
    page = admin_client.get(change_url(recipient)).content.decode()
    assert "Send this response as an update" in page
    assert url.replace("&", "&amp;") in page
    # The updates' admin fills its add form in from the link.
    form = admin_client.get(url).content.decode()
    assert "Response from Minister of Water Sam Flow" in form


def test_there_is_no_update_link_before_a_response(admin_client, petition):
    recipient = petition.recipients.first()
    assert update_prefill_url(recipient) == ""
    assert "Send this response as an update" not in (
        admin_client.get(change_url(recipient)).content.decode()
    )


def test_the_petitions_recipients_link_to_their_own_page(admin_client, petition):
    page = admin_client.get(
        reverse("admin:petitions_petition_change", args=[petition.pk])
    ).content.decode()
    assert change_url(petition.recipients.first()) in page
