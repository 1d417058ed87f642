"""manage.py add_moderator: how an organisation makes its moderators."""

import io

import pytest
from django.core.management import CommandError, call_command

from petitions.accounts import user_for_email
from petitions.second_factor import needs_second_factor


def add_moderator(email: str) -> str:
    out = io.StringIO()
    call_command("add_moderator", email, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_new_moderator_gets_an_account_every_petitions_permission_and_a_password_link():
    output = add_moderator("mo@example.org")
    user = user_for_email("mo@example.org")
    assert user.has_perm("petitions.moderate_petition")
    assert user.has_perm("petitions.view_signature") and user.has_perm("petitions.view_accesslog")
    assert "/admin/set-password/" in output
    assert needs_second_factor(user)


@pytest.mark.django_db
def test_an_existing_account_keeps_its_password_and_is_not_sent_a_link(django_user_model):
    django_user_model.objects.create_user("mo", "mo@example.org", "pw")
    output = add_moderator("MO@example.org")
    assert "set-password" not in output
    assert django_user_model.objects.get(username="mo").has_perm("petitions.moderate_petition")


@pytest.mark.django_db
def test_something_that_is_not_an_address_is_refused():
    with pytest.raises(CommandError, match="not an email address"):
        add_moderator("nobody")
