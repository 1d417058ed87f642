"""Each organizer sees only their own petitions in the admin.

The proof walks every URL the admin site has (its own URL patterns, so that a view added
later is walked too), fills each with another petition's objects, and requires a refusal;
it walks them again as a viewer, who must never see supporters' personal data.
"""

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import models
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, reverse
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from petitions import updates
from petitions.accounts import user_for_email
from petitions.models import (
    AccessLog,
    BlockedEmailDomain,
    BlockedNetwork,
    Delivery,
    Invitation,
    Organizer,
    PaperSignatures,
    Petition,
    PetitionInReview,
    PetitionRevision,
    Recipient,
    Signature,
    Update,
)
from petitions.organizers import organized
from tests.conftest import change_form_data, make_petition, make_signature, reload, sign_in

# In every word of petition B and its objects: no page an organizer of A opens may show it.
MARK_B = "zebrab"
# In the personal data of petition A (its signers, its organizers' addresses): no page a
# viewer of A opens may show it. Compared without case, as emails are lower-cased.
PERSONAL_A = "personala"

OBJECT_ARGUMENTS = {"object_id", "pk", "id"}


def make_objects(petition: Petition, *, public: str, personal: str) -> dict[type, models.Model]:
    """One object of each model the admin may show about this petition, or about its
    organizer; `public` marks the words anyone may read, `personal` the personal data."""
    editor = user_for_email(f"{personal}-editor@example.org")
    Organizer.objects.create(petition=petition, user=editor, role=Organizer.Role.EDITOR)
    recipient = Recipient.objects.create(
        petition=petition, position=0, role=f"Mayor of {public}", name=f"Jo {public}"
    )
    update = Update.objects.create(petition=petition, title=f"{public} news", body="News.")
    updates.publish(update, email=False)
    signature = make_signature(
        petition,
        confirmed=True,
        name=f"{personal} Signer",
        email=f"{personal}-signer@example.org",
        comment=f"{personal} comment",
    )
    objects = {
        Petition: petition,
        PetitionInReview: PetitionInReview.objects.get(pk=petition.pk),
        Recipient: recipient,
        Update: update,
        Signature: signature,
        Delivery: Delivery.objects.create(
            recipient=recipient,
            delivered_on=dt.date(2026, 1, 5),
            method=Delivery.Method.choices[0][0],
            signatures=1,
            note=f"{public} delivery",
        ),
        PaperSignatures: PaperSignatures.objects.create(
            petition=petition, received_on=dt.date(2026, 1, 4), count=12, note=f"{public} stall"
        ),
        Organizer: Organizer.objects.get(petition=petition, user=editor),
        Invitation: Invitation.objects.create(
            petition=petition,
            email=f"{personal}-invitee@example.org",
            role=Organizer.Role.VIEWER,
            invited_by=editor,
        ),
        AccessLog: AccessLog.objects.create(
            user=editor,
            username=editor.username,
            petition=petition,
            petition_title=petition.title,
            action=AccessLog.Action.EXPORT,
            rows=1,
        ),
        PetitionRevision: PetitionRevision.objects.create(
            petition=petition, title=f"{public} old title", body="Old.", letter="Old letter."
        ),
        get_user_model(): editor,
        Group: Group.objects.create(name=f"{public} group"),
        TOTPDevice: TOTPDevice.objects.create(user=editor, name=f"{personal} phone"),
        StaticDevice: StaticDevice.objects.create(user=editor, name=f"{personal} codes"),
        BlockedEmailDomain: BlockedEmailDomain.objects.create(domain=f"{public}.example"),
        BlockedNetwork: BlockedNetwork.objects.create(
            network=f"203.0.113.{petition.pk}/32", note=public
        ),
    }
    LogEntry.objects.create(
        user=editor,
        content_type=ContentType.objects.get_for_model(Petition),
        object_id=str(petition.pk),
        object_repr=str(petition),
        action_flag=CHANGE,
        change_message="[]",
    )
    return objects


@dataclass
class World:
    a: Petition
    b: Petition
    objects_a: dict
    objects_b: dict
    editor: Client  # an editor of petition A only
    editor_user: object
    viewer: Client  # a viewer of petition A only
    viewer_user: object


@pytest.fixture
def world(db) -> World:
    a = make_petition(slug="alpha", title="Alpha", organizer_email=f"{PERSONAL_A}-o@example.org")
    b = make_petition(
        slug=f"{MARK_B}-petition",
        title=f"{MARK_B} petition",
        starter_name=f"{MARK_B} starter",
        organizer_email=f"{MARK_B}-organizer@example.org",
    )
    objects_a = make_objects(a, public="alpha", personal=PERSONAL_A)
    objects_b = make_objects(b, public=MARK_B, personal=MARK_B)
    # Editors of A: the objects' editor (whose address is A's personal data).
    editor_user = objects_a[get_user_model()]
    viewer_user = user_for_email("viewer@example.org")
    Organizer.objects.create(petition=a, user=viewer_user, role=Organizer.Role.VIEWER)
    return World(
        a=a,
        b=b,
        objects_a=objects_a,
        objects_b=objects_b,
        editor=sign_in(Client(), editor_user),
        editor_user=editor_user,
        viewer=sign_in(Client(), viewer_user),
        viewer_user=viewer_user,
    )


# The walk


def admin_routes() -> list[tuple[str, object, type | None]]:
    """Every URL pattern of the admin site as (route, pattern, model or None), walked from
    admin.site.get_urls(): each model admin's patterns sit under "<app_label>/<model>/"."""

    def walk(patterns, prefix: str, model):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                route = str(pattern.pattern)
                assert re.fullmatch(r"\w+/\w+/", route), f"an include the walk cannot read: {route}"
                app_label, model_name = route.strip("/").split("/")
                yield from walk(
                    pattern.url_patterns, prefix + route, apps.get_model(app_label, model_name)
                )
            else:
                assert isinstance(pattern, URLPattern)
                yield prefix + str(pattern.pattern), pattern, model

    return list(walk(admin.site.get_urls(), reverse("admin:index"), None))


def registered_models() -> list[type]:
    """The models of the admin, from its URL patterns (each has a changelist): with
    admin.site.get_model_admin() and is_registered(), the walk needs no admin.site._registry."""
    return sorted(
        {model for _, pattern, model in admin_routes() if model is not None},
        key=lambda m: m._meta.label,
    )


ROUTE_ARGUMENT = re.compile(r"<(?:\w+:)?(\w+)>")


def fill(route: str, values: dict[str, object]) -> str:
    return ROUTE_ARGUMENT.sub(lambda m: str(values[m.group(1)]), route)


def admin_urls(objects: dict) -> tuple[list[tuple[str, str]], list[str]]:
    """Every admin URL filled with these objects, as (kind, url): kind "object" for a URL
    about one of them, "list" for a model's other pages, "site" for the site's; and the
    patterns the walk could not fill."""
    urls, unfilled = [], []
    for route, pattern, model in admin_routes():
        name = pattern.name or route
        arguments = set(ROUTE_ARGUMENT.findall(route))
        if model is not None:
            if not arguments:
                urls.append(("list", route))
            elif arguments <= OBJECT_ARGUMENTS and model in objects:
                urls.append(("object", fill(route, dict.fromkeys(arguments, objects[model].pk))))
            else:
                unfilled.append(name)
        elif pattern.name == "view_on_site" and arguments == {"content_type_id", "object_id"}:
            for model, obj in objects.items():
                content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
                values = {"content_type_id": content_type.pk, "object_id": obj.pk}
                urls.append(("object", fill(route, values)))
        elif pattern.name == "app_list":
            labels = re.search(r"\(\?P<app_label>([\w|]+)\)", route).group(1).split("|")
            urls += [("site", route[: route.index("^")] + f"{label}/") for label in labels]
        elif pattern.name is None and str(pattern.pattern) == "(?P<url>.*)$":  # catch-all
            signature = objects[Signature]
            urls.append(("site", route[: route.index("(")] + f"petitions/x/{signature.pk}/"))
        elif pattern.name == "set_password":
            uid = urlsafe_base64_encode(str(objects[get_user_model()].pk).encode())
            urls.append(("site", fill(route, {"uidb64": uid, "token": "not-a-token"})))
        elif not arguments:
            urls.append(("site", route))
        else:
            unfilled.append(name)
    return urls, unfilled


def autocomplete_urls() -> list[str]:
    """admin:autocomplete for every relation of every model of the admin to another."""
    urls = []
    for model in registered_models():
        for field in model._meta.get_fields():
            if (
                field.is_relation
                and field.concrete
                and admin.site.is_registered(field.related_model)
            ):
                for term in ("", MARK_B, PERSONAL_A):
                    query = f"app_label={model._meta.app_label}&model_name="
                    query += f"{model._meta.model_name}&field_name={field.name}&term={term}"
                    urls.append(f"{reverse('admin:autocomplete')}?{query}")
    return urls


def content(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def refused(response) -> bool:
    """403, 404 or 405; or a redirect to the login page, or to the index (Django's answer
    for an object the user's queryset does not hold, the same as for one that never
    existed)."""
    if response.status_code in (403, 404, 405):
        return True
    for url, _ in response.redirect_chain:
        path = url.split("?")[0]
        if path in (reverse("admin:login"), reverse("admin:index")):
            return True
    return False


def snapshot(world_user) -> dict[str, list]:
    """Every row of every table the admin can change, but the acting user's own sign-in
    (their account and devices) and the access log's record of their own petitions."""
    tables = {}
    for model in apps.get_models():
        if model._meta.proxy or model._meta.app_label in ("sessions", "contenttypes"):
            continue
        rows = model.objects.all()
        if model is world_user._meta.model:
            rows = rows.exclude(pk=world_user.pk)
        elif model in (TOTPDevice, StaticDevice) or model._meta.app_label == "otp_static":
            to_user = "user" if hasattr(model, "user") else "device__user"
            rows = rows.exclude(**{to_user: world_user})
        elif model is AccessLog:
            rows = rows.exclude(user=world_user, petition__in=organized(world_user))
        tables[model._meta.label] = list(rows.order_by("pk").values())
    return tables


def changed_tables(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


def walk(client: Client, user, objects: dict, *, mark: str, refuse_objects: bool) -> list[str]:
    """GET and POST every admin URL filled with these objects, and each model's actions
    POSTed with them; the failures, named."""
    urls, unfilled = admin_urls(objects)
    failures = [f"{name}: the walk cannot fill this admin URL pattern" for name in unfilled]
    changelists = [
        reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist")
        for m in registered_models()
    ]
    searches = [
        f"{url}?{query}"
        for url in changelists
        # Searched for a part of the mark, which the search box then shows, not the mark.
        for query in (f"q={mark[1:-1]}", f"petition__id__exact={objects[Petition].pk}")
    ]
    gets = [*urls, *(("list", url) for url in searches + autocomplete_urls())]

    def check(kind: str, url: str, method: str, response) -> None:
        if mark in content(response).lower():
            failures.append(f"{method} {url}: shows {mark!r}")
        if kind == "object" and refuse_objects and not refused(response):
            failures.append(f"{method} {url}: {response.status_code}, not refused")

    for kind, url in gets:
        check(kind, url, "GET", client.get(url, follow=True))
    for kind, url in urls:
        if url == reverse("admin:logout"):
            continue  # it would sign the walk out, and every later page would refuse
        before, sent = snapshot(user), len(mail.outbox)
        response = client.post(url, {"petition": objects[Petition].pk}, follow=True)
        check(kind, url, "POST", response)
        if changed := changed_tables(before, snapshot(user)):
            failures.append(f"POST {url}: changed {', '.join(changed)}")
        if len(mail.outbox) != sent:
            failures.append(f"POST {url}: sent an email")
    failures += walk_actions(client, user, objects, mark)
    if client.get(reverse("admin:index")).status_code != 200:
        failures.append("the walk was signed out: its refusals prove nothing")
    return failures


def walk_actions(client: Client, user, objects: dict, mark: str) -> list[str]:
    """Every changelist action of every model admin, POSTed with these objects' ids."""
    failures = []
    superuser = type(user).objects.filter(is_superuser=True).first() or type(
        user
    ).objects.create_superuser("walker", "walker@example.org", "pw")
    request = RequestFactory().get("/")
    request.user = superuser
    for model in registered_models():
        model_admin = admin.site.get_model_admin(model)
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for action in model_admin.get_actions(request):
            if model not in objects:
                failures.append(f"{model._meta.label}: no object to try the action {action} on")
                continue
            data = {
                "action": action,
                "_selected_action": [objects[model].pk],
                "index": 0,
                "post": "yes",
            }
            before, sent = snapshot(user), len(mail.outbox)
            response = client.post(url, data, follow=True)
            if mark in content(response).lower():
                failures.append(f"action {action} of {model._meta.label}: shows {mark!r}")
            if changed := changed_tables(before, snapshot(user)):
                failures.append(f"action {action} of {model._meta.label}: changed {changed}")
            if len(mail.outbox) != sent:
                failures.append(f"action {action} of {model._meta.label}: sent an email")
    return failures


# The proof


def test_an_editor_of_one_petition_is_refused_everything_of_another(world):
    failures = walk(
        world.editor, world.editor_user, world.objects_b, mark=MARK_B, refuse_objects=True
    )
    assert not failures, "\n".join(failures)


def test_a_viewer_never_sees_the_personal_data_of_their_own_petition(world):
    failures = walk(
        world.viewer, world.viewer_user, world.objects_a, mark=PERSONAL_A, refuse_objects=False
    )
    assert not failures, "\n".join(failures)


def test_a_viewer_is_refused_the_signatures_exports_and_delivery_pack(world):
    a, signature = world.a, world.objects_a[Signature]
    for url in [
        reverse("admin:petitions_signature_changelist"),
        reverse("admin:petitions_signature_change", args=[signature.pk]),
        reverse("admin:petitions_petition_export", args=[a.pk]),
        reverse("admin:petitions_petition_export", args=[a.pk]) + "?download=1",
        reverse("admin:petitions_petition_delivery_pack", args=[a.pk]),
        reverse("admin:petitions_petition_record_delivery", args=[a.pk]),
        reverse("admin:petitions_petition_history", args=[a.pk]),  # names its editors
    ]:
        assert world.viewer.get(url).status_code == 403, url


def test_the_walk_fails_on_an_admin_url_it_cannot_fill(world, monkeypatch):
    routes = admin_routes()
    unknown = [
        (route + "<slug:thing>/", pattern, model)
        for route, pattern, model in routes
        if pattern.name in ("view_on_site", "petitions_petition_change")
    ]
    monkeypatch.setattr(f"{__name__}.admin_routes", lambda: routes + unknown)
    assert admin_urls(world.objects_b)[1] == [pattern.name for _, pattern, _ in unknown]


# What an organizer does reach, so that the proof is not passing by refusing everything


def test_an_editor_reaches_everything_of_their_own_petition(world):
    a, objects = world.a, world.objects_a
    pages = {
        "admin:petitions_petition_change": a,
        "admin:petitions_petition_preview": a,
        "admin:petitions_petition_export": a,
        "admin:petitions_petition_delivery_pack": a,
        "admin:petitions_petition_record_delivery": a,
        "admin:petitions_petition_organizers": a,
        "admin:petitions_recipient_change": objects[Recipient],
        "admin:petitions_update_change": objects[Update],
        "admin:petitions_update_preview": objects[Update],
        "admin:petitions_update_send_test": objects[Update],
        "admin:petitions_signature_change": objects[Signature],
        "admin:petitions_accesslog_change": objects[AccessLog],
    }
    for name, obj in pages.items():
        response = world.editor.get(reverse(name, args=[obj.pk]))
        assert response.status_code == 200, name
    for model in (Petition, Recipient, Update, Signature):
        url = reverse(f"admin:petitions_{model._meta.model_name}_changelist")
        assert str(objects[model]) in world.editor.get(url).content.decode(), url
    assert (
        f"{PERSONAL_A}-signer@example.org"
        in world.editor.get(
            reverse("admin:petitions_signature_change", args=[objects[Signature].pk])
        ).content.decode()
    )
    assert world.editor.get(reverse("admin:petitions_recipient_add")).status_code == 200
    assert world.editor.get(reverse("admin:petitions_update_add")).status_code == 200


def test_an_editor_moderates_the_signatures_of_their_petition(world):
    signature = world.objects_a[Signature]
    data = {"action": "remove_as_spam", "_selected_action": [signature.pk], "index": 0}
    world.editor.post(reverse("admin:petitions_signature_changelist"), data)
    assert reload(signature).status == Signature.Status.REMOVED


def test_an_editor_may_not_erase_people_nor_delete_signatures(world):
    signature = world.objects_a[Signature]
    data = {"action": "erase_people", "_selected_action": [signature.pk], "post": "yes"}
    world.editor.post(reverse("admin:petitions_signature_changelist"), data)
    assert Signature.objects.filter(pk=signature.pk).exists()
    url = reverse("admin:petitions_signature_delete", args=[signature.pk])
    assert world.editor.post(url, {"post": "yes"}).status_code == 403


def test_an_editor_cannot_rewrite_a_signers_record(world):
    signature = world.objects_a[Signature]
    url = reverse("admin:petitions_signature_change", args=[signature.pk])
    world.editor.post(url, {"name": "Someone else", "email": "else@example.org"})
    assert reload(signature).name == f"{PERSONAL_A} Signer"


def test_an_editor_closes_their_petition_but_does_not_publish_a_draft(world):
    changelist = reverse("admin:petitions_petition_changelist")
    data = {"action": "close_petitions", "_selected_action": [world.a.pk], "index": 0}
    world.editor.post(changelist, data)
    assert reload(world.a).state == Petition.State.CLOSED
    draft = make_petition(slug="alpha-draft", state=Petition.State.DRAFT)
    Organizer.objects.create(petition=draft, user=world.editor_user)
    data = {"action": "open_petitions", "_selected_action": [draft.pk], "index": 0}
    world.editor.post(changelist, data)
    assert reload(draft).state == Petition.State.DRAFT


def test_an_editors_forms_offer_only_their_own_petitions(world):
    page = world.editor.get(reverse("admin:petitions_recipient_add")).content.decode()
    assert "Alpha" in page and MARK_B not in page.lower()
    data = {"petition": world.b.pk, "position": 1, "role": "Mayor", "name": "Jo"}
    data |= {"deliveries-TOTAL_FORMS": 0, "deliveries-INITIAL_FORMS": 0}
    response = world.editor.post(reverse("admin:petitions_recipient_add"), data)
    assert "Select a valid choice" in response.content.decode()
    assert not world.b.recipients.filter(name="Jo").exists()
    data = {"petition": world.b.pk, "title": "Hello", "body": "Text"}
    response = world.editor.post(reverse("admin:petitions_update_add"), data)
    assert "Select a valid choice" in response.content.decode()
    assert not world.b.updates.filter(title="Hello").exists()
    data["petition"] = world.a.pk
    assert world.editor.post(reverse("admin:petitions_update_add"), data).status_code == 302
    assert world.a.updates.filter(title="Hello").exists()


def test_the_autocomplete_offers_only_the_users_petitions(world):
    url = reverse("admin:autocomplete")
    query = {"app_label": "petitions", "model_name": "recipient", "field_name": "petition"}
    results = world.editor.get(url, query).json()["results"]
    assert [result["id"] for result in results] == [str(world.a.pk)]


def test_the_index_shows_an_editor_the_models_of_their_petitions(world):
    page = world.editor.get(reverse("admin:index")).content.decode()
    for name in ("Petitions", "Recipients", "Updates", "Signatures"):
        assert f">{name}</a>" in page, name
    page = world.viewer.get(reverse("admin:index")).content.decode()
    for name in ("Petitions", "Recipients", "Updates"):
        assert f">{name}</a>" in page, name
    assert ">Signatures</a>" not in page


def test_a_viewer_sees_the_campaign_numbers_but_no_address(world):
    page = world.viewer.get(reverse("admin:petitions_petition_change", args=[world.a.pk]))
    html = page.content.decode()
    assert "Confirmed supporters" in html
    assert "Latest signatures" not in html
    assert PERSONAL_A not in html.lower()
    editor_page = world.editor.get(reverse("admin:petitions_petition_change", args=[world.a.pk]))
    assert f"{PERSONAL_A}-o@example.org" in editor_page.content.decode()


def test_staff_with_the_site_wide_permission_see_every_petition(staff_client, world):
    client = staff_client("view_petition", "view_signature", "view_signer_email")
    for petition in (world.a, world.b):
        url = reverse("admin:petitions_petition_change", args=[petition.pk])
        assert client.get(url).status_code == 200
    page = client.get(reverse("admin:petitions_signature_changelist")).content.decode()
    assert f"{MARK_B}-signer@example.org" in page and f"{PERSONAL_A}-signer@example.org" in page


def test_an_organizer_without_a_petition_sees_no_model(client, django_user_model):
    user = user_for_email("nobody@example.org")
    sign_in(client, user)
    page = client.get(reverse("admin:index")).content.decode()
    assert ">Petitions</a>" not in page
    assert client.get(reverse("admin:petitions_petition_changelist")).status_code == 403


def test_an_editor_edits_their_petition_and_its_words_are_kept(world):
    a = world.a
    data = change_form_data(a, slug=a.slug, title="Alpha, revised")
    data |= {"organizer_email": a.organizer_email, "state": "closed"}  # the state is not theirs
    response = world.editor.post(reverse("admin:petitions_petition_change", args=[a.pk]), data)
    assert response.status_code == 302
    a = reload(a)
    assert (a.title, a.state) == ("Alpha, revised", Petition.State.OPEN)
    revision = a.revisions.first()  # the newest
    assert (revision.title, revision.replaced_by) == ("Alpha", world.editor_user)


def test_an_editor_deletes_a_recipient_of_their_petition(world):
    recipient = world.objects_a[Recipient]
    url = reverse("admin:petitions_recipient_delete", args=[recipient.pk])
    assert world.editor.post(url, {"post": "yes"}).status_code == 302
    assert not Recipient.objects.filter(pk=recipient.pk).exists()
