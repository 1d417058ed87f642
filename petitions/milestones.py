"""Milestone emails to the organizer: 100, 1,000, 10,000 and 100,000 supporters, and the goal.

Each is claimed once in the database, inside the transaction that moved the counter, by a
conditional UPDATE on Petition.last_milestone; only the transaction whose UPDATE matched
sends the email, on commit. Two workers confirming at once can never both send it, and a
counter that falls and rises again never announces a milestone twice.
"""

from functools import partial

from django.db import transaction

from petitions import emails
from petitions.models import Petition

MILESTONES = (100, 1_000, 10_000, 100_000)


def milestones(goal: int | None) -> list[int]:
    """The supporter counts worth an email, smallest first."""
    return sorted({*MILESTONES, *([goal] if goal else [])})


def due_milestone(*, supporters: int, last: int, goal: int | None) -> int | None:
    """The highest milestone reached but not yet announced, if any."""
    reached = [m for m in milestones(goal) if last < m <= supporters]
    return reached[-1] if reached else None


def announce_milestone(*, petition_id: int) -> int | None:
    """Claim the milestone the counter has just reached and send its email on commit.

    Call it in the transaction that raised the counter, after the raise: that UPDATE holds
    the petition's row lock, so the read below sees this transaction's count.
    """
    supporters, last, goal = Petition.objects.values_list(
        "supporter_count", "last_milestone", "goal"
    ).get(pk=petition_id)
    milestone = due_milestone(supporters=supporters, last=last, goal=goal)
    if milestone is None:
        return None
    claimed = Petition.objects.filter(pk=petition_id, last_milestone__lt=milestone).update(
        last_milestone=milestone
    )
    if not claimed:
        return None
    petition = Petition.objects.get(pk=petition_id)
    if petition.organizer_email:
        transaction.on_commit(partial(emails.send_milestone_reached, petition, milestone))
    return milestone
