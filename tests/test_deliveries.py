"""Recording a delivery: one per chosen recipient, with the counts handed over, from the
delivery pack's header; shown next to the recipient on the appeal page."""

import datetime as dt
import html
import re

from django.urls import reverse

from petitions.models import Delivery, PaperSignatures, Recipient
from tests.conftest import make_petition, make_signature


def record_url(petition) -> str:
    return reverse("admin:petitions_petition_record_delivery", args=[petition.pk])


def pack_url(petition) -> str:
    return reverse("admin:petitions_petition_delivery_pack", args=[petition.pk])


def delivery_data(petition, **fields) -> dict:
    return {
        "recipients": [r.pk for r in petition.recipients.all()],
        "delivered_on": "2013-05-02",
        "method": "hand",
        "note": "At the town hall",
        **fields,
    }


def test_the_form_ticks_every_recipient_and_today(admin_client, petition, frozen_now):
    page = admin_client.get(record_url(petition)).content.decode()
    assert page.count('name="recipients"') == 2
    assert page.count("checked") == 2
    assert f'value="{frozen_now.date().isoformat()}"' in page


def test_recording_stores_the_counts_of_that_moment(admin_client, petition):
    for _ in range(3):
        make_signature(petition, confirmed=True)
    make_signature(petition)  # unconfirmed: not delivered
    PaperSignatures.objects.create(petition=petition, received_on=dt.date(2013, 5, 1), count=150)
    response = admin_client.post(record_url(petition), delivery_data(petition))
    assert response.status_code == 302
    assert response.url == reverse("admin:petitions_petition_change", args=[petition.pk])
    make_signature(petition, confirmed=True)  # signs after the delivery
    deliveries = Delivery.objects.filter(recipient__petition=petition)
    assert sorted(deliveries.values_list("recipient__name", "signatures", "paper_signatures")) == [
        ("Jo Bank", 3, 150),
        ("Sam Flow", 3, 150),
    ]
    assert {(d.delivered_on, d.method, d.note) for d in deliveries} == {
        (dt.date(2013, 5, 2), "hand", "At the town hall")
    }


def test_only_the_chosen_recipients_get_one(admin_client, petition):
    jo = petition.recipients.get(name="Jo Bank")
    admin_client.post(record_url(petition), delivery_data(petition, recipients=[jo.pk]))
    assert list(Delivery.objects.values_list("recipient", flat=True)) == [jo.pk]


def test_the_pack_links_to_the_form_with_the_time_it_was_made(admin_client, petition):
    pack = b"".join(admin_client.get(pack_url(petition)).streaming_content).decode()
    made_at = re.search(r'Pack made on <time datetime="([^"]+)">', pack).group(1)
    link = html.unescape(re.search(r'<a href="([^"]+)">record the delivery</a>', pack).group(1))
    form = admin_client.get(link).content.decode()
    assert f'name="pack_made_at" value="{made_at}"' in form
    admin_client.post(record_url(petition), delivery_data(petition, pack_made_at=made_at))
    assert {d.pack_made_at.isoformat() for d in Delivery.objects.all()} == {
        dt.datetime.fromisoformat(made_at).isoformat()
    }


def test_the_appeal_page_says_when_and_how_with_how_many(admin_client, client, petition):
    make_signature(petition, confirmed=True)
    jo = petition.recipients.get(name="Jo Bank")
    admin_client.post(record_url(petition), delivery_data(petition, recipients=[jo.pk]))
    page = client.get(petition.get_absolute_url()).content.decode()
    jo_item = re.search(r"<strong>Jo Bank</strong>(.*?)</li>", page, re.DOTALL).group(1)
    assert "Delivered by hand on May 2nd, 2013, with 1 signature" in jo_item
    sam_item = re.search(r"<strong>Sam Flow</strong>(.*?)</li>", page, re.DOTALL).group(1)
    assert "Delivered" not in sam_item


def test_paper_signatures_delivered_are_named_too(client, petition):
    Delivery.objects.create(
        recipient=petition.recipients.first(),
        delivered_on=dt.date(2013, 5, 2),
        method=Delivery.Method.POST,
        signatures=12345,
        paper_signatures=2000,
    )
    page = client.get(petition.get_absolute_url()).content.decode()
    assert "Delivered by post on May 2nd, 2013, with 12,345 signatures online" in page
    assert "signatures online and 2,000 on paper" in page


def test_the_recipients_admin_page_lists_its_deliveries(admin_client, petition):
    recipient = petition.recipients.first()
    Delivery.objects.create(
        recipient=recipient, delivered_on=dt.date(2013, 5, 2), method="email", signatures=7
    )
    page = admin_client.get(
        reverse("admin:petitions_recipient_change", args=[recipient.pk])
    ).content.decode()
    assert 'name="deliveries-0-signatures" value="7"' in page


def test_it_refuses_bad_input_with_a_message(admin_client, petition, frozen_now):
    other = make_petition(slug="other")
    stranger = Recipient.objects.create(petition=other, role="Elsewhere", name="Not Theirs")
    tomorrow = (frozen_now.date() + dt.timedelta(days=1)).isoformat()
    for fields, message in [
        ({"recipients": []}, "Choose at least one recipient."),
        ({"recipients": [stranger.pk]}, "Select a valid choice."),
        ({"delivered_on": tomorrow}, "A delivery cannot be recorded before it happens."),
        ({"delivered_on": "soon"}, "Enter a valid date."),
        ({"method": "pigeon"}, "Select a valid choice."),
        ({"pack_made_at": "yesterday-ish"}, "Enter a valid date/time."),
    ]:
        response = admin_client.post(record_url(petition), delivery_data(petition, **fields))
        assert response.status_code == 400, fields
        assert message in response.content.decode(), fields
    assert not Delivery.objects.exists()


def test_who_cannot_see_signatures_can_neither_record_nor_see_the_pack(staff_client, petition):
    client = staff_client("view_petition", "change_petition", "add_delivery")
    assert client.get(record_url(petition)).status_code == 403
    assert client.post(record_url(petition), delivery_data(petition)).status_code == 403
    assert client.get(pack_url(petition)).status_code == 403
    page = client.get(reverse("admin:petitions_petition_change", args=[petition.pk]))
    assert record_url(petition) not in page.content.decode()
    assert not Delivery.objects.exists()


def test_seeing_the_pack_is_not_enough_to_record_a_delivery(staff_client, petition):
    client = staff_client("view_petition", "view_signature")
    assert client.post(record_url(petition), delivery_data(petition)).status_code == 403
    pack = b"".join(client.get(pack_url(petition)).streaming_content).decode()
    assert "record the delivery" not in pack


def test_who_may_record_finds_the_form_from_the_petition(staff_client, petition):
    client = staff_client("view_petition", "view_signature", "add_delivery")
    page = client.get(reverse("admin:petitions_petition_change", args=[petition.pk]))
    assert record_url(petition) in page.content.decode()
    assert client.post(record_url(petition), delivery_data(petition)).status_code == 302
    assert Delivery.objects.count() == 2


def test_deleting_the_petition_counts_its_deliveries_and_paper_signatures(admin_client, petition):
    Delivery.objects.create(
        recipient=petition.recipients.first(),
        delivered_on=dt.date(2013, 5, 2),
        method="hand",
        signatures=1,
    )
    PaperSignatures.objects.create(petition=petition, received_on=dt.date(2013, 5, 1), count=9)
    page = admin_client.get(
        reverse("admin:petitions_petition_delete", args=[petition.pk])
    ).content.decode()
    assert "Deliveries: 1" in page
    assert "Paper signatures: 1" in page
