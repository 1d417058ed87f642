"""Organizers' accounts, made for an email address by moderation and invitations."""

import pytest
from django.contrib.auth import get_user_model

from petitions.accounts import user_for_email
from tests.test_concurrency import at_once


@pytest.mark.django_db
def test_an_address_without_an_account_gets_a_staff_account_without_a_password():
    user = user_for_email("Ada@Example.org")
    assert user.is_staff and not user.has_usable_password()
    assert user.username == "ada@example.org"


@pytest.mark.django_db
def test_an_existing_account_of_the_address_is_reused_whatever_its_case():
    existing = get_user_model().objects.create_user("ada", "ada@example.org", "pw")
    user = user_for_email("ADA@example.org")
    assert user.pk == existing.pk and user.is_staff and user.has_usable_password()


@pytest.mark.django_db(transaction=True)
def test_two_requests_for_one_new_address_at_once_make_one_account():
    users = at_once(user_for_email, [("new@example.org",)] * 8)
    assert len({user.pk for user in users}) == 1
    assert get_user_model().objects.filter(email="new@example.org").count() == 1
