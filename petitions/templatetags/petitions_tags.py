"""Template helpers for the supporter's pages."""

from urllib.parse import quote, urlencode

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.translation import get_language, gettext

from petitions.models import Petition

register = template.Library()


# The organizer's words in the language they are written in, where the page's differs
# (WCAG 3.1.2, language of parts): a screen reader then pronounces them in it.
@register.simple_tag
def lang_of(petition: Petition) -> str:
    """lang="…" for an element that holds only the organizer's words."""
    if petition.language == get_language():
        return ""
    return format_html(' lang="{}"', petition.language)


@register.filter
def written_in(text: str, petition: Petition) -> str:
    """The organizer's words inside a sentence of the interface."""
    lang = lang_of(petition)
    return format_html("<span{}>{}</span>", lang, text) if lang else conditional_escape(text)


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


@register.inclusion_tag("petitions/_closes.html")
def closing_notice(petition: Petition, now=None) -> dict:
    """ "Closes in 12 days", "Closes tomorrow" or "Closes today at 18:00" for an open petition
    with a closing time, with that time in full, in the site's time zone; nothing otherwise."""
    days = petition.days_to_close(now) if petition.state == Petition.State.OPEN else None
    return {"petition": petition, "days": days}


@register.inclusion_tag("admin/petitions/petition/_embed_snippets.html")
def embed_snippets(petition: Petition) -> dict:
    """The markup an organizer copies to show the petition's counter on another site."""
    from petitions.embeds import embed_snippets as snippets  # embeds imports the views

    return {"petition": petition, **snippets(petition)}
