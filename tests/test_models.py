import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from petitions.models import Petition, Signature
from tests.conftest import make_petition, make_signature


def test_one_email_signs_a_petition_once_whatever_its_case(petition):
    make_signature(petition, email="ada@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        Signature.objects.create(
            petition=petition, name="Ada", email="ADA@example.org", country="GB"
        )
    assert petition.signatures.count() == 1


def test_the_same_email_may_sign_two_petitions(petition):
    other = make_petition(slug="other")
    make_signature(petition, email="ada@example.org")
    make_signature(other, email="ada@example.org")
    assert Signature.objects.filter(email="ada@example.org").count() == 2


def test_a_closed_petition_needs_its_closing_date(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_petition(state=Petition.State.CLOSED, closed_at=None)


def test_an_open_petition_has_no_closing_date(petition):
    petition.close()
    petition.reopen()
    petition.refresh_from_db()
    assert petition.state == Petition.State.OPEN
    assert petition.closed_at is None


def test_the_constraint_message_reaches_forms(db):
    petition = Petition(slug="x", title="x", body="x", letter="x", starter_name="x", state="closed")
    with pytest.raises(ValidationError, match="closing date"):
        petition.full_clean()


def test_a_slug_may_not_shadow_the_sites_own_paths(db):
    petition = Petition(slug="admin", title="x", body="x", letter="x", starter_name="x")
    with pytest.raises(ValidationError, match="used by the site"):
        petition.full_clean()


def test_the_body_renders_paragraphs_and_links():
    petition = Petition(body="One [case](https://example.org/case).\n\nTwo.")
    assert petition.body_html == (
        '<p>One <a href="https://example.org/case" rel="nofollow noopener">case</a>.</p>\n'
        "<p>Two.</p>"
    )


def test_the_body_is_sanitised():
    petition = Petition(
        body="Hi <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))"
    )
    html = petition.body_html
    assert "<script" not in html
    assert "onerror" not in html
    assert "javascript:" not in html


def test_goal_percent_is_capped_at_one_hundred():
    assert Petition(goal=200, supporter_count=50).goal_percent == 25
    assert Petition(goal=200, supporter_count=500).goal_percent == 100
    assert Petition(goal=None, supporter_count=500).goal_percent == 0
