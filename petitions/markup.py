"""Autolinks for the organizer's Markdown: bare web addresses and email addresses become
links, as people expect when they paste them. Only http(s) and mailto links are made; the
HTML still goes through nh3 afterwards (models.render_markdown)."""

import xml.etree.ElementTree as etree

from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString

# A web address runs to the next space or angle bracket; trailing punctuation is the
# sentence's, not the address's (see url_end).
URL_RE = r"\bhttps?://[^\s<>\"'\x02\x03]+"
EMAIL_RE = r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}\b"
TRAILING = ".,;:!?*_~"


def url_end(url: str) -> int:
    """How much of a matched address to link: without the sentence's closing punctuation,
    nor a closing parenthesis that it did not open, as in "(see https://example.org)"."""
    end = len(url)
    while end:
        last = url[end - 1]
        if last in TRAILING or (last == ")" and url[:end].count("(") < url[:end].count(")")):
            end -= 1
        else:
            break
    return end


class LinkProcessor(InlineProcessor):
    # Never a link inside a link, e.g. [https://example.org](https://example.org).
    ANCESTOR_EXCLUDES = ("a",)

    def __init__(self, pattern, md, *, mailto: bool):
        super().__init__(pattern, md)
        self.mailto = mailto

    def handleMatch(self, m, data):  # noqa: N802 (Markdown's name)
        text = m.group(0)
        if not self.mailto:
            text = text[: url_end(text)]
            if "://" not in text or text.endswith("://"):
                return None, None, None
        el = etree.Element("a")
        el.set("href", f"mailto:{text}" if self.mailto else text)
        el.text = AtomicString(text)
        return el, m.start(0), m.start(0) + len(text)


class AutolinkExtension(Extension):
    """After Markdown's own links and raw HTML (priority 90), before emphasis, so that an
    underscore in an address stays an underscore."""

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's name)
        md.inlinePatterns.register(LinkProcessor(URL_RE, md, mailto=False), "bare-url", 86)
        md.inlinePatterns.register(LinkProcessor(EMAIL_RE, md, mailto=True), "bare-email", 85)
