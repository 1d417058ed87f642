import re

from django.urls import reverse

from petitions.models import Ask, Petition
from tests.conftest import make_signature

# What signers and the organizer gave, each distinctive enough that no other part of a
# response could contain it by chance.
SIGNERS = [
    {
        "name": "Zebulon Quixotewright",
        "email": "zebulon.q@privatemail.example",
        "comment": "Marmalade-hippogriff reasons of my own",
        "postcode": "QX9 9ZZ",
        "organisation": "Quixotewright Holdings",
        "job_title": "Chief Lamplighter",
        "phone": "+44 7700 900461",
        "is_public": True,
        "may_contact": True,
    },
    {
        "name": "Ottilie Vantongeren",
        "email": "OTTILIE@Secret-Domain.example",
        "comment": "Saxophone walrus",
        "postcode": "75099",
        "organisation": "Vantongeren & Daughters",
        "job_title": "Itinerant Cartographer",
        "phone": "0612345678",
        "is_public": False,
    },
]
ORGANIZER_EMAIL = "organizer.hidden@inbox.example"
EMAIL_LIKE = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def every_endpoint(slug: str) -> list[str]:
    detail = reverse("api:petition", args=[slug])
    return [
        reverse("api:petitions"),
        reverse("api:petitions") + "?q=river",
        reverse("api:petitions") + "?state=open",
        detail,
        reverse("api:count", args=[slug]),
        reverse("api:history", args=[slug]),
        reverse("api:history", args=[slug]) + "?interval=hour",
        reverse("api:openapi"),
    ]


def secrets_of(signer: dict) -> list[str]:
    given = [v for k, v in signer.items() if isinstance(v, str)]
    first, last = signer["name"].split()
    # The appeal page shows a public signer as "Zebulon Q.": not even that here.
    return [*given, first, last, signer["email"].lower(), f"{first} {last[0]}."]


def test_no_endpoint_shows_anything_personal(client, petition):
    Petition.objects.filter(pk=petition.pk).update(
        organizer_email=ORGANIZER_EMAIL, **{f"ask_{f}": Ask.OPTIONAL for f in ("postcode", "phone")}
    )
    petition.refresh_from_db()
    for signer in SIGNERS:
        make_signature(petition, confirmed=True, country="GB", **signer)
    make_signature(petition, name="Pending Pamphilia", email="pending.p@hidden.example")

    checked = 0
    for url in every_endpoint(petition.slug):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        for secret in [s for signer in SIGNERS for s in secrets_of(signer)]:
            assert secret.lower() not in text.lower(), (url, secret)
        for secret in [ORGANIZER_EMAIL, "Pamphilia", "pending.p"]:
            assert secret not in text, (url, secret)
        assert not EMAIL_LIKE.search(text), (url, EMAIL_LIKE.search(text).group())
        checked += 1
    assert checked == 8
    # And yet the signers are counted, where they are from included.
    detail = client.get(reverse("api:petition", args=[petition.slug])).json()
    assert detail["signature_count"] == 2
    assert detail["signatures_by_country"] == [{"code": "GB", "name": "United Kingdom", "count": 2}]
    assert detail["starter_name"] == "Ada Organizer"


def test_the_appeal_page_would_have_shown_the_public_signer(client, petition):
    # The check above could pass by showing nobody anywhere: the same signer is on the page.
    make_signature(petition, confirmed=True, country="GB", **SIGNERS[0])
    page = client.get(reverse("petitions:appeal", args=[petition.slug])).content.decode()
    assert "Zebulon Q." in page
