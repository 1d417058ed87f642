"""Milestone emails to the organizer: 100, 1,000, 10,000 and 100,000 supporters, and the goal.

Each is claimed once in the database, inside the transaction that moved the counter, by a
conditional UPDATE on Petition.last_milestone; only the transaction whose UPDATE matched
queues the email, which the worker sends once it has committed. Two workers confirming at
once can never both send it, and a counter that falls and rises again never announces a
milestone twice.
"""

from django.conf import settings

from petitions import outbox
from petitions.models import OutgoingEmail, Petition

MILESTONES = (100, 1_000, 10_000, 100_000)


def milestones(goal: int | None) -> list[int]:
    """The supporter counts worth an email, smallest first."""
    return sorted({*MILESTONES, *([goal] if goal else [])})


def due_milestone(*, supporters: int, last: int, goal: int | None) -> int | None:
    """The highest milestone reached but not yet announced, if any."""
    reached = [m for m in milestones(goal) if last < m <= supporters]
    return reached[-1] if reached else None


def announce_milestone(*, petition_id: int) -> int | None:
    """Claim the milestone the counter has just reached and queue its email.

    Call it in the transaction that raised the counter, after the raise, so that the read
    below sees this transaction's count; or after a fold of the counter shards. A hot
    petition's concurrent confirmations may each miss the others' uncommitted ones and
    claim nothing: the next confirmation or fold (every few seconds) claims it then.
    """
    supporters, last, goal = (
        Petition.objects.with_supporters()
        .values_list("supporters", "last_milestone", "goal")
        .get(pk=petition_id)
    )
    milestone = due_milestone(supporters=supporters, last=last, goal=goal)
    if milestone is None:
        return None
    claimed = Petition.objects.filter(pk=petition_id, last_milestone__lt=milestone).update(
        last_milestone=milestone
    )
    if not claimed:
        return None
    if Petition.objects.filter(pk=petition_id).exclude(organizer_email="").exists():
        # For the organizer, in the site's language, not the confirming visitor's.
        outbox.queue(
            OutgoingEmail.Kind.MILESTONE,
            petition=Petition(pk=petition_id),
            milestone=milestone,
            language=settings.LANGUAGE_CODE,
        )
    return milestone


def mark_passed(petition: Petition) -> None:
    """Count the milestones a petition has already passed as announced, e.g. after loading
    supporters in bulk, so that the next confirmation does not announce an old one."""
    passed = [m for m in milestones(petition.goal) if m <= petition.supporters]
    if passed:
        Petition.objects.filter(pk=petition.pk, last_milestone__lt=passed[-1]).update(
            last_milestone=passed[-1]
        )
