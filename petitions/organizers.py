"""Who may do what with which petition in the admin.

A site-wide Django permission (moderators, staff as set up by the organisation, superusers)
applies to every petition. Without it, a user acts only on the petitions they organize: an
editor edits them and handles their supporters' personal data; a viewer sees their numbers.
"""

from django.db.models import QuerySet

from petitions.models import Organizer, Petition

# What each need asks of an organizer's role.
ROLES_FOR = {
    "view": (Organizer.Role.EDITOR, Organizer.Role.VIEWER),
    "edit": (Organizer.Role.EDITOR,),
    "personal_data": (Organizer.Role.EDITOR,),
}


def organized(user, need: str = "view") -> QuerySet[Petition]:
    """The petitions this user organizes with a role that meets the need."""
    if not user.is_authenticated:
        return Petition.objects.none()
    return Petition.objects.filter(
        organizers__user=user, organizers__role__in=ROLES_FOR[need]
    ).distinct()


def organizes(user, petition: Petition | int, need: str = "view") -> bool:
    """Whether the user organizes this petition with a role that meets the need."""
    if not user.is_authenticated:
        return False
    petition_id = petition if isinstance(petition, int) else petition.pk
    return Organizer.objects.filter(
        user=user, petition_id=petition_id, role__in=ROLES_FOR[need]
    ).exists()


def organizes_any(user, need: str = "view") -> bool:
    if not user.is_authenticated:
        return False
    return Organizer.objects.filter(user=user, role__in=ROLES_FOR[need]).exists()
