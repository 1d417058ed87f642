"""Where supporters are: confirmed signatures per country with their shares, for the appeal
page, the embed's neighbours and the delivery pack. The counts are Petition.signatures_by_
country()'s, so they sum to the confirmed rows exactly."""

from django.conf import settings
from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils.translation import get_language

from petitions.models import Petition

# How many countries the appeal page lists before "all countries".
TOP_COUNTRIES = 5


def country_shares(petition: Petition) -> list[dict]:
    """[{code, name, count, share}] most first; share in percent of the confirmed supporters,
    to one decimal."""
    rows = petition.signatures_by_country()
    total = sum(count for _, _, count in rows)
    return [
        {"code": code, "name": name, "count": count, "share": round(count * 100 / total, 1)}
        for code, name, count in rows
    ]


def countries_html(petition: Petition) -> str:
    """The appeal page's "Where supporters are", read at most once per APPEAL_STATE_MAX_AGE
    per process and language, as the recent supporters are."""

    def render():
        shares = country_shares(petition)
        context = {
            "petition": petition,
            "top": shares[:TOP_COUNTRIES],
            "rest": shares[TOP_COUNTRIES:],
        }
        return render_to_string("petitions/_countries.html", context)

    return caches["pages"].get_or_set(
        f"countries:{petition.pk}:{get_language()}", render, settings.APPEAL_STATE_MAX_AGE
    )
