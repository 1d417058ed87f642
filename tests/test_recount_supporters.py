"""manage.py recount_supporters recomputes the counters and reports the drift it corrected."""

import io

import pytest
from django.core.management import CommandError, call_command

from petitions.models import Petition
from tests.conftest import make_petition, make_signature, reload


def recount(*args) -> str:
    out = io.StringIO()
    call_command("recount_supporters", *args, stdout=out)
    return out.getvalue()


def test_it_reports_no_drift_when_the_counters_are_right(petition):
    make_signature(petition, confirmed=True)
    make_signature(petition)
    assert recount() == "free-the-river: 1 supporters, no drift\n"


def test_it_corrects_drift_and_says_how_much(petition):
    make_signature(petition, confirmed=True)
    Petition.objects.filter(pk=petition.pk).update(supporter_count=4)
    output = recount()
    assert "free-the-river: 1 supporters, corrected a drift of -3" in output
    assert "Drift found on 3 supporter(s) in all." in output
    assert reload(petition).supporter_count == 1


def test_a_dry_run_reports_without_correcting(petition):
    make_signature(petition, confirmed=True)
    Petition.objects.filter(pk=petition.pk).update(supporter_count=0)
    assert "1 supporters, would correct a drift of +1" in recount("--dry-run")
    assert reload(petition).supporter_count == 0


def test_it_recounts_only_the_petitions_named(petition):
    other = make_petition(slug="other")
    Petition.objects.filter(pk=other.pk).update(supporter_count=9)
    assert recount("free-the-river") == "free-the-river: 0 supporters, no drift\n"
    assert reload(other).supporter_count == 9


def test_it_rejects_an_unknown_slug(petition):
    with pytest.raises(CommandError, match="No petition with slug nope"):
        recount("nope")


def test_it_has_a_help_string():
    from petitions.management.commands.recount_supporters import Command

    assert "drift" in Command.help
