"""Extra signature fields a petition may ask for (postcode, organisation, job title, phone):
asked, checked, stored, exported and erased."""

import csv
import datetime as dt
import io
import re

import pytest
from django import forms
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from petitions.exports import SignatureExport
from petitions.forms import POSTCODE_FIELDS, SignForm
from petitions.models import Signature
from petitions.privacy import erase_person
from tests.conftest import change_form_data, make_petition, make_signature, reload


def ask(petition, **asks):
    """Ask for these extra fields, e.g. ask(petition, postcode="required")."""
    for field, value in asks.items():
        setattr(petition, f"ask_{field}", value)
    petition.save()
    return petition


def sign(client, petition, sign_data, **fields):
    return client.post(reverse("petitions:sign", args=[petition.slug]), {**sign_data, **fields})


def appeal_page(client, petition) -> str:
    return client.get(reverse("petitions:appeal", args=[petition.slug])).content.decode()


def test_the_form_shows_only_the_fields_the_petition_asks_for(client, petition):
    ask(petition, postcode="required", phone="optional")
    html = appeal_page(client, petition)
    assert '<label for="id_postcode">Postcode</label>' in html
    assert '<label for="id_phone">Phone number (optional)</label>' in html
    assert 'autocomplete="postal-code"' in html
    assert re.search(r'<input type="tel" name="phone"[^>]*autocomplete="tel"', html)
    assert "start with + and its country code" in html
    assert 'aria-describedby="id_phone_helptext"' in html
    assert 'name="organisation"' not in html
    assert 'name="job_title"' not in html
    # After the country, in the form's order, before the comment.
    positions = [html.index(f'name="{name}"') for name in ("country", "postcode", "phone")]
    assert positions == sorted(positions) and positions[-1] < html.index('name="comment"')


def test_a_petition_that_asks_for_nothing_shows_the_usual_form(client, petition):
    html = appeal_page(client, petition)
    assert "postal-code" not in html
    assert 'name="phone"' not in html


def test_organisation_and_job_title_fill_in_from_the_browser(client, petition):
    ask(petition, organisation="required", job_title="optional")
    html = appeal_page(client, petition)
    assert re.search(r'name="organisation"[^>]*autocomplete="organization"', html)
    assert re.search(r'name="job_title"[^>]*autocomplete="organization-title"', html)
    assert "Job title (optional)" in html


def test_asking_for_a_field_shows_it_at_once_though_the_page_is_cached(client, petition):
    assert 'name="postcode"' not in appeal_page(client, petition)
    ask(petition, postcode="optional")  # a new version of the petition: a new cache key
    assert 'name="postcode"' in appeal_page(client, petition)


def test_the_admin_preview_shows_the_asked_fields(admin_client, draft_petition):
    ask(draft_petition, organisation="required")
    url = reverse("admin:petitions_petition_preview", args=[draft_petition.pk])
    assert 'name="organisation"' in admin_client.get(url).content.decode()


def test_missing_required_fields_are_refused_with_clear_messages(client, petition, sign_data):
    ask(petition, postcode="required", organisation="required", job_title="required")
    ask(petition, phone="required")
    response = sign(client, petition, sign_data)
    assert response.status_code == 400
    html = response.content.decode()
    for message in (
        "Enter your postcode.",
        "Enter your organisation.",
        "Enter your job title.",
        "Enter your phone number.",
    ):
        assert message in html
    assert '<a href="#id_postcode">' in html
    assert not Signature.objects.exists()


def test_optional_fields_may_stay_empty(client, petition, sign_data):
    ask(petition, postcode="optional", phone="optional")
    assert sign(client, petition, sign_data).status_code == 302
    assert Signature.objects.values_list("postcode", "phone").get() == ("", "")


@pytest.mark.both_databases  # the sign path: PostgreSQL's one statement, SQLite's ORM path
def test_a_british_postcode_is_written_as_the_royal_mail_does(client, petition, sign_data):
    ask(petition, postcode="required")
    response = sign(client, petition, sign_data, country="GB", postcode=" sw1a1aa ")
    assert response.status_code == 302
    assert Signature.objects.get().postcode == "SW1A 1AA"


@pytest.mark.parametrize(
    ("country", "postcode", "message"),
    [
        ("GB", "SW1A", "Enter a valid postcode."),
        ("FR", "7500", "Enter a zip code in the format XXXXX."),
        ("US", "2050O", "Enter a zip code in the format XXXXX or XXXXX-XXXX."),
    ],
)
def test_a_postcode_that_does_not_fit_the_country_is_refused(
    client, petition, sign_data, country, postcode, message
):
    ask(petition, postcode="required")
    response = sign(client, petition, sign_data, country=country, postcode=postcode)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Ensure this value has at least" not in html  # the format says it all
    assert not Signature.objects.exists()


def test_a_country_without_a_validator_keeps_the_postcode_as_typed(client, petition, sign_data):
    assert "IE" not in POSTCODE_FIELDS
    ask(petition, postcode="required")
    response = sign(client, petition, sign_data, country="IE", postcode="  D02   X285 ")
    assert response.status_code == 302
    assert Signature.objects.get().postcode == "D02 X285"


def test_an_overlong_free_text_postcode_is_refused(client, petition, sign_data):
    ask(petition, postcode="required")
    response = sign(client, petition, sign_data, country="IE", postcode="D" * 21)
    assert response.status_code == 400
    assert "Ensure this value has at most 20 characters" in response.content.decode()


@pytest.mark.parametrize("country", sorted(POSTCODE_FIELDS))
def test_every_postcode_validator_exists_in_the_installed_localflavor(country):
    field = import_string(POSTCODE_FIELDS[country])
    assert issubclass(field, forms.CharField)
    assert field(required=False).clean("") == ""


@pytest.mark.parametrize(
    ("country", "typed", "stored"),
    [
        ("GB", "020 7946 0958", "+442079460958"),
        ("FR", "06 12 34 56 78", "+33612345678"),
        ("GB", "+33 6 12 34 56 78", "+33612345678"),  # its own country code wins
        ("US", "(202) 456-1111", "+12024561111"),
    ],
)
def test_a_phone_number_is_stored_in_e164(client, petition, sign_data, country, typed, stored):
    ask(petition, phone="required")
    response = sign(client, petition, sign_data, country=country, phone=typed)
    assert response.status_code == 302
    assert Signature.objects.get().phone == stored


@pytest.mark.parametrize("typed", ["123", "not a number", "020 7946 09589999"])
def test_an_invalid_phone_number_is_refused_with_an_example(client, petition, sign_data, typed):
    ask(petition, phone="optional")
    response = sign(client, petition, sign_data, country="GB", phone=typed)
    assert response.status_code == 400
    assert "Enter a phone number that can be dialled, like 0121 234 5678." in (
        response.content.decode()
    )
    assert not Signature.objects.exists()


def test_an_unknown_country_is_reported_before_its_postcode_or_phone(client, petition, sign_data):
    ask(petition, postcode="required", phone="required")
    response = sign(client, petition, sign_data, country="XX", postcode="sw1a1aa", phone="123")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert "Enter a valid postcode." not in html
    assert "Enter a phone number" not in html


@pytest.mark.both_databases
def test_the_values_are_stored_through_the_sign_path(client, petition, sign_data):
    ask(petition, postcode="required", organisation="optional", job_title="optional")
    ask(petition, phone="optional")
    response = sign(
        client,
        petition,
        sign_data,
        country="GB",
        postcode="sw1a 1aa",
        organisation="  River   Trust ",
        job_title="Chair",
        phone="07400 123456",
    )
    assert response.status_code == 302
    stored = Signature.objects.values_list("postcode", "organisation", "job_title", "phone")
    assert stored.get() == ("SW1A 1AA", "River Trust", "Chair", "+447400123456")


@pytest.mark.both_databases
def test_fields_the_petition_does_not_ask_for_are_not_stored(client, petition, sign_data):
    ask(petition, organisation="optional")
    response = sign(client, petition, sign_data, organisation="Acme", phone="+447400123456")
    assert response.status_code == 302
    assert Signature.objects.values_list("organisation", "phone").get() == ("Acme", "")


def test_the_form_gives_the_sign_action_every_extra_field(petition, sign_data):
    ask(petition, job_title="required")
    form = SignForm(petition=petition, data={**sign_data, "job_title": "Mayor"})
    assert form.is_valid(), form.errors
    fields = form.signature_fields()
    assert (fields["job_title"], fields["postcode"], fields["phone"]) == ("Mayor", "", "")
    assert "started" not in fields


@pytest.mark.parametrize(
    "fields",
    [
        {"organisation": "Acme\u202e Corp"},
        {"job_title": "Boss\x1b[31m"},
        {"postcode": "SW1A\x07 1AA"},
        {"phone": "+44 20\x08 7946 0958"},
    ],
)
def test_control_characters_are_refused(client, petition, sign_data, fields):
    ask(petition, postcode="optional", organisation="optional", job_title="optional")
    ask(petition, phone="optional")
    response = sign(client, petition, sign_data, country="GB", **fields)
    assert response.status_code == 400
    assert "Remove the invisible control characters" in response.content.decode()
    assert not Signature.objects.exists()


@pytest.mark.parametrize("field", ["postcode", "organisation", "job_title", "phone"])
def test_very_long_or_null_input_is_a_form_error(client, petition, sign_data, field):
    ask(petition, **{field: "optional"})
    for hostile in ("9" * 100_000, "a\x00b"):
        response = sign(client, petition, sign_data, country="GB", **{field: hostile})
        assert response.status_code == 400
        html = response.content.decode()
        assert "Ensure this value has at most" in html or "Null characters" in html
    assert not Signature.objects.exists()


def signed_with_extras(petition, **fields) -> Signature:
    ask(petition, postcode="optional", organisation="optional", job_title="optional")
    ask(petition, phone="optional")
    defaults = {
        "name": "Ada",
        "email": "ada@example.org",
        "country": "GB",
        "postcode": "SW1A 1AA",
        "organisation": "River Trust",
        "job_title": "Chair",
        "phone": "+447400123456",
    }
    return make_signature(petition, confirmed=True, **{**defaults, **fields})


@pytest.fixture(params=["csv", "rows"])
def exported(request):
    """The export's rows as the CSV file has them (written by PostgreSQL's COPY there, by
    the csv module from the ORM's rows on SQLite), and as the ORM's rows."""

    def rows(petition) -> list[dict]:
        export = SignatureExport(petition=petition)
        if request.param == "csv":
            text = "".join(export.chunks()).lstrip("\ufeff")
            return list(csv.DictReader(io.StringIO(text, newline="")))
        return [dict(zip(export.columns, row, strict=True)) for row in export.rows()]

    return rows


@pytest.mark.both_databases
def test_the_csv_has_a_column_for_each_asked_field_only(petition, exported):
    signed_with_extras(petition)
    ask(petition, job_title="no")
    (row,) = exported(petition)
    assert list(row)[:6] == ["name", "country", "country_name", "postcode", "organisation", "phone"]
    assert (row["postcode"], row["organisation"]) == ("SW1A 1AA", "River Trust")
    assert row["phone"] == "'+447400123456"  # begins like a formula: quoted, as every such cell
    assert "job_title" not in row


@pytest.mark.both_databases
def test_a_petition_that_asks_for_nothing_exports_the_usual_columns(petition, exported):
    make_signature(petition, postcode="SW1A 1AA")
    (row,) = exported(petition)
    assert "postcode" not in row


@pytest.mark.both_databases
def test_extra_cells_a_spreadsheet_would_run_are_neutralised(petition, exported):
    signed_with_extras(petition, organisation='=HYPERLINK("http://evil")', job_title="@SUM(1)")
    (row,) = exported(petition)
    assert row["organisation"] == '\'=HYPERLINK("http://evil")'
    assert row["job_title"] == "'@SUM(1)"


def test_the_export_command_has_the_asked_columns(petition):
    signed_with_extras(petition)
    out = io.StringIO()
    call_command("export_signatures", petition.slug, stdout=out, stderr=io.StringIO())
    header, row = csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff")))
    assert header[3:7] == ["postcode", "organisation", "job_title", "phone"]
    assert row[3:7] == ["SW1A 1AA", "River Trust", "Chair", "'+447400123456"]


def test_the_delivery_pack_lists_the_asked_fields_but_the_phone(admin_client, petition):
    signed_with_extras(petition, name="Ada <Lovelace>", organisation="R&D", job_title="")
    make_signature(petition, name="Bo", country="FR", confirmed=True)
    response = admin_client.get(
        reverse("admin:petitions_petition_delivery_pack", args=[petition.pk])
    )
    page = b"".join(response.streaming_content).decode()
    assert (
        "<li>Ada &lt;Lovelace&gt; <span>United Kingdom</span> · "
        '<span class="details">SW1A 1AA · R&amp;D</span></li>'
    ) in page
    assert "<li>Bo <span>France</span></li>" in page
    assert "also postcode, organisation, job title where given" in page
    # Contact details are not for decision makers, as email addresses are not.
    assert "+447400123456" not in page


def test_the_petition_admin_has_the_extra_fields_fieldset(admin_client, petition):
    url = reverse("admin:petitions_petition_change", args=[petition.pk])
    page = admin_client.get(url).content.decode()
    assert "Sign form: extra fields" in page
    for field in ("ask_postcode", "ask_organisation", "ask_job_title", "ask_phone"):
        assert f'name="{field}"' in page


def test_the_admin_saves_what_the_form_asks_for(admin_client, petition):
    url = reverse("admin:petitions_petition_change", args=[petition.pk])
    data = change_form_data(petition, ask_postcode="required", ask_phone="optional")
    data.update(ask_organisation="no", ask_job_title="no", state="open")
    # Empty management forms for whatever other inlines the page has.
    for prefix in re.findall(
        r'name="([\w-]+)-TOTAL_FORMS"', admin_client.get(url).content.decode()
    ):
        data.setdefault(f"{prefix}-TOTAL_FORMS", "0")
        data.setdefault(f"{prefix}-INITIAL_FORMS", "0")
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert reload(petition).asked_fields == ["postcode", "phone"]


def test_signature_admin_shows_the_values_to_who_may_view_signatures(staff_client, petition):
    signature = signed_with_extras(petition)
    client = staff_client("view_signature")
    page = client.get(reverse("admin:petitions_signature_change", args=[signature.pk]))
    html = page.content.decode()
    assert "SW1A 1AA" in html and "River Trust" in html and "+447400123456" in html
    assert 'name="phone"' not in html  # read-only: as the sign form checked it


def test_signature_admin_is_closed_to_who_may_not_view_signatures(staff_client, petition):
    signature = signed_with_extras(petition)
    client = staff_client("view_petition")
    page = client.get(reverse("admin:petitions_signature_change", args=[signature.pk]))
    assert page.status_code == 403
    assert "+447400123456" not in page.content.decode()


def test_erasing_a_person_erases_their_extra_fields(petition):
    signed_with_extras(petition, email="ada@example.org")
    other = make_petition(slug="other", title="Other")
    ask(other, phone="optional")
    make_signature(other, email="ADA@example.org", phone="+447400123456")
    assert erase_person("ada@example.org") >= 2
    assert not Signature.objects.filter(phone="+447400123456").exists()
    assert not Signature.objects.filter(postcode="SW1A 1AA").exists()


def test_purging_deletes_an_old_unconfirmed_signers_phone_number(petition):
    ask(petition, phone="optional")
    stale = make_signature(petition, phone="+447400123456")
    kept = signed_with_extras(petition, email="kept@example.org", phone="+447400654321")
    Signature.objects.filter(pk__in=[stale.pk, kept.pk]).update(
        created_at=timezone.now() - dt.timedelta(days=90)
    )
    call_command("purge_personal_data", stdout=io.StringIO())
    assert not Signature.objects.filter(pk=stale.pk).exists()
    # A confirmed signature keeps what its signer gave, as it keeps the name and email.
    assert reload(kept).phone == "+447400654321"
