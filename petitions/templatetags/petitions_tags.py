"""Template helpers for the supporter's pages."""

from urllib.parse import quote, urlencode

from django import template
from django.utils.translation import gettext

from petitions.models import Petition

register = template.Library()


def query(params: dict) -> str:
    # %20 rather than + for spaces: mail clients read mailto: bodies literally.
    return urlencode(params, quote_via=quote)


@register.inclusion_tag("petitions/_share.html")
def share_links(petition: Petition, *, signed: bool = False) -> dict:
    """Plain links to each service's own share page: no third-party script, no tracker."""
    url = petition.absolute_url
    if signed:
        text = gettext("I signed “%(title)s”. Will you add your name?")
    else:
        text = gettext("Please sign “%(title)s”.")
    text = text % {"title": petition.title}
    return {
        "share_url": url,
        "share_text": text,
        "links": [
            (
                gettext("Email"),
                "mailto:?" + query({"subject": petition.title, "body": f"{text}\n\n{url}"}),
            ),
            ("WhatsApp", "https://wa.me/?" + query({"text": f"{text} {url}"})),
            ("X", "https://x.com/intent/post?" + query({"text": text, "url": url})),
            ("Facebook", "https://www.facebook.com/sharer/sharer.php?" + query({"u": url})),
        ],
    }
