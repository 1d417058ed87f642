"""Who sees what: signatures, signers' emails and exports follow Django's permissions."""

import csv
import io

from django.urls import reverse

from tests.conftest import make_signature

SIGNATURES = reverse("admin:petitions_signature_changelist")


def petition_page(client, petition) -> str:
    response = client.get(reverse("admin:petitions_petition_change", args=[petition.pk]))
    assert response.status_code == 200
    return response.content.decode()


def export_url(petition) -> str:
    return reverse("admin:petitions_petition_export", args=[petition.pk])


def csv_header(client, petition) -> list[str]:
    response = client.get(export_url(petition) + "?download=1")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return next(csv.reader(io.StringIO(text)))


def test_staff_without_the_export_permission_see_no_link_and_get_403(staff_client, petition):
    client = staff_client("view_petition", "view_signature")
    assert export_url(petition) not in petition_page(client, petition)
    assert client.get(export_url(petition)).status_code == 403
    assert client.get(export_url(petition) + "?download=1").status_code == 403


def test_exporting_also_needs_the_view_permission_on_signatures(staff_client, petition):
    client = staff_client("view_petition", "export_signatures")
    assert export_url(petition) not in petition_page(client, petition)
    assert client.get(export_url(petition) + "?download=1").status_code == 403


def test_staff_who_may_export_but_not_see_emails_get_no_email_column(staff_client, petition):
    make_signature(petition, email="secret@example.org")
    client = staff_client("view_petition", "view_signature", "export_signatures")
    assert export_url(petition) in petition_page(client, petition)
    assert "email" not in csv_header(client, petition)
    assert "Email addresses are left out" in client.get(export_url(petition)).content.decode()


def test_staff_who_may_see_emails_get_the_email_column(staff_client, petition):
    client = staff_client(
        "view_petition", "view_signature", "export_signatures", "view_signer_email"
    )
    assert csv_header(client, petition)[:2] == ["name", "email"]


def test_the_signature_list_hides_emails_without_the_permission(staff_client, petition):
    signature = make_signature(petition, name="Ada", email="secret@example.org")
    client = staff_client("view_petition", "view_signature")
    page = client.get(SIGNATURES).content.decode()
    assert "Ada" in page
    assert "secret@example.org" not in page
    assert "column-email" not in page
    # Searching by email would tell whether an address signed: it finds nothing.
    page = client.get(SIGNATURES, {"q": "secret@example.org"}).content.decode()
    assert "0 results" in page
    detail = client.get(reverse("admin:petitions_signature_change", args=[signature.pk]))
    assert detail.status_code == 200
    assert "secret@example.org" not in detail.content.decode()


def test_the_signature_list_shows_emails_with_the_permission(staff_client, petition):
    signature = make_signature(petition, name="Ada", email="secret@example.org")
    client = staff_client("view_petition", "view_signature", "view_signer_email")
    assert "secret@example.org" in client.get(SIGNATURES).content.decode()
    page = client.get(SIGNATURES, {"q": "secret@"}).content.decode()
    assert "1 result" in page
    detail = client.get(reverse("admin:petitions_signature_change", args=[signature.pk]))
    assert "secret@example.org" in detail.content.decode()


def test_the_campaign_panel_hides_emails_without_the_permission(staff_client, petition):
    make_signature(petition, name="Ada", email="secret@example.org")
    page = petition_page(staff_client("view_petition", "view_signature"), petition)
    assert "Latest signatures" in page and "Ada" in page
    assert "secret@example.org" not in page


def test_staff_without_the_view_permission_on_signatures_see_none(staff_client, petition):
    make_signature(petition, name="Ada Lovelace", confirmed=True)
    client = staff_client("view_petition")
    assert client.get(SIGNATURES).status_code == 403
    page = petition_page(client, petition)
    assert "Confirmed supporters" in page  # the counts are the petition's, not the signers'
    assert "Latest signatures" not in page
    assert "Ada Lovelace" not in page
    delivery = reverse("admin:petitions_petition_delivery_pack", args=[petition.pk])
    assert delivery not in page
    assert client.get(delivery).status_code == 403


def test_staff_without_the_view_permission_on_petitions_get_403(staff_client, petition):
    client = staff_client("view_signature", "export_signatures")
    assert client.get(export_url(petition)).status_code == 403
    url = reverse("admin:petitions_petition_delivery_pack", args=[petition.pk])
    assert client.get(url).status_code == 403


def test_visitors_are_sent_to_the_login_page(client, petition):
    response = client.get(export_url(petition) + "?download=1")
    assert response.status_code == 302
    assert "/admin/login/" in response.url
