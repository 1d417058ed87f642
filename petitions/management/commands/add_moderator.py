"""Make someone a moderator: a member of the Moderators group, which holds every permission
of the petitions app, so they see all petitions, publish or reject those started on the site
and read the whole access log."""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from petitions.accounts import set_password_url, user_for_email

GROUP = "Moderators"


def moderators_group() -> Group:
    """The group, with every permission of the petitions app (made or brought up to date)."""
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label="petitions"))
    return group


class Command(BaseCommand):
    help = (
        "Add the account of an email address (made if need be) to the Moderators group, and "
        "print a link to set its password when it has none."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"“{email}” is not an email address.") from None
        with transaction.atomic():
            user = user_for_email(email)
            user.groups.add(moderators_group())
        self.stdout.write(f"{user.get_username()} is a moderator.")
        if not user.has_usable_password():
            self.stdout.write(
                f"Set the password here (the link works once): {set_password_url(user)}"
            )
        self.stdout.write("At the first sign-in, the admin asks them to set up a second factor.")
