"""Who saw supporters' personal data: each export, delivery pack, signer's record, page of
signatures and erasure is logged with its number of rows, for the petition's editors and
the moderators to review."""

from django.http import HttpRequest

from petitions.models import AccessLog, Petition


def record(
    request_or_user, petition: Petition | None, action: AccessLog.Action, rows: int
) -> AccessLog:
    """Log one access."""
    return AccessLog.objects.create(**entry(request_or_user, petition, action, rows))


def record_page(request: HttpRequest, signatures, action: AccessLog.Action) -> None:
    """Log a page of signatures, one entry per petition it shows (in one statement): each
    editor then sees the accesses to their own petitions' supporters."""
    per_petition: dict[int, int] = {}
    for signature in signatures:
        per_petition[signature.petition_id] = per_petition.get(signature.petition_id, 0) + 1
    if not per_petition:
        return
    petitions = Petition.objects.only("title").in_bulk(per_petition)
    AccessLog.objects.bulk_create(
        AccessLog(**entry(request, petitions.get(petition_id), action, rows))
        for petition_id, rows in per_petition.items()
    )


def entry(request_or_user, petition: Petition | None, action: AccessLog.Action, rows: int):
    """An entry's fields. The username is copied: the entry outlives the account."""
    user = getattr(request_or_user, "user", request_or_user)
    return {
        "user": user if user.is_authenticated else None,
        "username": user.get_username(),
        "petition": petition,
        "petition_title": petition.title if petition else "",
        "action": action,
        "rows": rows,
    }
