"""manage.py export_signatures writes the admin's CSV for scripts."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import make_signature


def export(*args) -> tuple[list[list[str]], str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("export_signatures", *args, stdout=out, stderr=err)
    text = out.getvalue()
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]))), err.getvalue()


def test_it_writes_every_signature_without_emails_by_default(petition):
    make_signature(petition, name="Ada", confirmed=True)
    make_signature(petition, name="Bo")
    rows, report = export("free-the-river")
    assert rows[0][:3] == ["name", "country", "country_name"]
    assert "email" not in rows[0]
    assert [r[0] for r in rows[1:]] == ["Ada", "Bo"]
    assert "Exported 2 signature(s) of free-the-river to stdout." in report


def test_it_includes_emails_when_asked(petition):
    make_signature(petition, email="ada@example.org")
    rows, _ = export("free-the-river", "--email")
    assert rows[0][:2] == ["name", "email"]
    assert rows[1][1] == "ada@example.org"


def test_it_filters_like_the_admin(petition):
    day = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)
    make_signature(petition, name="Early", confirmed=True, created_at=day)
    make_signature(petition, name="Later", confirmed=True, created_at=day + dt.timedelta(days=5))
    make_signature(petition, name="Pending", created_at=day + dt.timedelta(days=5))
    make_signature(petition, name="German", country="DE", confirmed=True, created_at=day)
    rows, _ = export(
        "free-the-river", "--confirmed-only", "--since", "2026-03-15", "--until", "2026-03-15"
    )
    assert [r[0] for r in rows[1:]] == ["Later"]
    rows, _ = export("free-the-river", "--country", "de")
    assert [r[0] for r in rows[1:]] == ["German"]


def test_it_writes_a_file(petition, tmp_path):
    make_signature(petition, name='Zoë, "the" signer')
    target = tmp_path / "out.csv"
    call_command("export_signatures", "free-the-river", "-o", str(target), stderr=io.StringIO())
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[1][0] == 'Zoë, "the" signer'


def test_it_rejects_an_unknown_petition_and_a_bad_date(petition):
    with pytest.raises(CommandError, match="No petition with slug nope"):
        export("nope")
    with pytest.raises(CommandError, match="Not a date"):
        export("free-the-river", "--since", "yesterday")
