"""The admin's CSV export: streamed, spreadsheet-safe, filtered, and only for who may export."""

import csv
import datetime as dt
import io

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from petitions.exports import Chunk, SignatureExport
from tests.conftest import make_signature

DAY = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)


def export_url(petition, **params) -> str:
    url = reverse("admin:petitions_petition_export", args=[petition.pk])
    query = "&".join(f"{k}={v}" for k, v in {"download": "1", **params}.items())
    return f"{url}?{query}"


# The tests marked both_databases download the file as PostgreSQL's COPY writes it, and as the
# csv module writes the ORM's rows on SQLite (make run's database).


def download(client, petition, **params) -> tuple[StreamingHttpResponse, list[dict]]:
    response = client.get(export_url(petition, **params))
    assert response.status_code == 200, response
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: spreadsheets read UTF-8
    rows = list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"), newline="")))
    return response, rows


@pytest.mark.both_databases
def test_it_streams_a_csv_attachment(admin_client, petition):
    make_signature(petition, confirmed=True)
    response, rows = download(admin_client, petition)
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="free-the-river-signatures-'
    )
    assert len(rows) == 1


@pytest.mark.both_databases
def test_it_has_every_column_in_signing_order(admin_client, petition):
    make_signature(
        petition,
        name="Ada",
        email="ada@example.org",
        country="GB",
        comment="Yes.",
        is_public=True,
        created_at=DAY,
        confirmed=True,
    )
    make_signature(petition, name="Bo", created_at=DAY + dt.timedelta(hours=1))
    _, rows = download(admin_client, petition)
    assert ",".join(rows[0]) == (
        "name,email,country,country_name,comment,signed_at,confirmed_at,"
        "is_public,may_contact,status"
    )
    ada, bo = rows
    assert ada["name"] == "Ada"
    assert ada["email"] == "ada@example.org"
    assert (ada["country"], ada["country_name"]) == ("GB", "United Kingdom")
    assert ada["signed_at"] == "2026-03-10T12:00:00+00:00"
    assert dt.datetime.fromisoformat(ada["confirmed_at"]).tzinfo is not None
    assert (ada["is_public"], ada["may_contact"], ada["status"]) == ("yes", "no", "confirmed")
    assert (bo["name"], bo["confirmed_at"], bo["status"]) == ("Bo", "", "pending")


@pytest.mark.both_databases
def test_commas_quotes_and_newlines_survive(admin_client, petition):
    comment = 'Line one, with a comma\nand "quotes"\r\non two lines'
    make_signature(petition, name='Zoë "Z" Ng, PhD', comment=comment)
    _, (row,) = download(admin_client, petition)
    assert row["name"] == 'Zoë "Z" Ng, PhD'
    assert row["comment"] == comment


@pytest.mark.both_databases
@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_cells_a_spreadsheet_would_run_are_neutralised(admin_client, petition, start):
    make_signature(petition, name=f'{start}HYPERLINK("http://evil")', comment=f"{start}1+1")
    _, (row,) = download(admin_client, petition)
    assert row["name"] == f'\'{start}HYPERLINK("http://evil")'
    assert row["comment"] == f"'{start}1+1"


@pytest.mark.both_databases
def test_harmless_cells_are_left_alone(admin_client, petition):
    make_signature(petition, name="Ada = Lovelace-King", comment="")
    _, (row,) = download(admin_client, petition)
    assert (row["name"], row["comment"]) == ("Ada = Lovelace-King", "")


def test_the_rows_are_written_as_copy_writes_them():
    rows = [
        ("plain", "", "2026-03-10T12:00:00+00:00"),
        ("a, comma", 'a "quote"', "line\nbreak"),
        ("carriage\rreturn", "'=quoted", " spaced "),
        ("Bonaire, Sint Eustatius and Saba", "Zoë", "ünïcødé"),
    ]
    chunk = Chunk()
    chunk.write_rows(rows)
    text = chunk.take()
    assert text == (
        "plain,,2026-03-10T12:00:00+00:00\n"
        '"a, comma","a ""quote""","line\nbreak"\n'
        '"carriage\rreturn",\'=quoted, spaced \n'  # a bare carriage return would end the row
        '"Bonaire, Sint Eustatius and Saba",Zoë,ünïcødé\n'
    )
    assert [tuple(row) for row in csv.reader(io.StringIO(text, newline=""))] == rows


@pytest.mark.both_databases
def test_it_filters_by_status_date_and_country(admin_client, petition):
    make_signature(petition, name="Early", confirmed=True, created_at=DAY)
    make_signature(petition, name="Late", confirmed=True, created_at=DAY + dt.timedelta(days=3))
    make_signature(petition, name="Unconfirmed", created_at=DAY + dt.timedelta(days=3))
    make_signature(petition, name="German", country="DE", confirmed=True, created_at=DAY)

    def names(**params):
        return [r["name"] for r in download(admin_client, petition, **params)[1]]

    assert names() == ["Early", "German", "Late", "Unconfirmed"]
    assert names(confirmed_only="on") == ["Early", "German", "Late"]
    assert names(since="2026-03-13") == ["Late", "Unconfirmed"]
    assert names(until="2026-03-10") == ["Early", "German"]
    assert names(since="2026-03-13", until="2026-03-13", confirmed_only="on") == ["Late"]
    assert names(country="DE") == ["German"]


def test_it_exports_only_the_petition_asked_for(admin_client, petition, closed_petition):
    make_signature(petition, name="Here")
    make_signature(closed_petition, name="Elsewhere")
    assert [r["name"] for r in download(admin_client, petition)[1]] == ["Here"]


def test_the_form_page_shows_the_options(admin_client, petition):
    response = admin_client.get(reverse("admin:petitions_petition_export", args=[petition.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    for name in ["confirmed_only", "since", "until", "country", "download"]:
        assert f'name="{name}"' in page


def test_a_reversed_date_range_is_a_form_error(admin_client, petition):
    response = admin_client.get(export_url(petition, since="2026-03-10", until="2026-03-01"))
    assert response.status_code == 200
    assert "The first day comes after the last one." in response.content.decode()


def test_the_petition_page_links_to_the_export(admin_client, petition):
    page = admin_client.get(
        reverse("admin:petitions_petition_change", args=[petition.pk])
    ).content.decode()
    assert reverse("admin:petitions_petition_export", args=[petition.pk]) in page


def test_the_export_path_is_flat_in_chunks(petition):
    # The generator yields the header at once, then a chunk per CHUNK_ROWS rows.
    for _ in range(5):
        make_signature(petition)
    chunks = SignatureExport(petition=petition).chunks()
    assert next(chunks).startswith("\ufeffname,country,")
    assert sum(c.count("\n") for c in chunks) == 5


def test_postgresqls_copy_and_the_csv_module_write_the_same_cells(petition):
    # The admin's export is written by COPY on PostgreSQL; the Python writer serves SQLite.
    make_signature(petition, confirmed=True, name='=cmd|" /C calc"!A0', comment='a,b\n"c"')
    make_signature(petition, name="Zoë Ünïcødé", country="CN", comment="")
    export = SignatureExport(petition=petition, include_email=True)
    by_copy = list(csv.reader(io.StringIO("".join(export.chunks()).lstrip("\ufeff"))))
    by_python = [export.columns, *[list(row) for row in export.rows()]]
    assert by_copy == by_python
    assert by_copy[1][0] == '\'=cmd|" /C calc"!A0'
    assert by_copy[2][3] == "China"
