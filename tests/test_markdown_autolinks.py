"""Autolinks in the organizer's Markdown: bare web and email addresses become links, and
the HTML stays as sanitised as the rest."""

from petitions.models import render_markdown

REL = 'rel="nofollow noopener"'


def test_a_bare_web_address_becomes_a_link():
    assert render_markdown("Read https://example.org/case today") == (
        f'<p>Read <a href="https://example.org/case" {REL}>https://example.org/case</a> today</p>'
    )


def test_an_email_address_becomes_a_mailto_link():
    assert render_markdown("Write to ada@example.org.") == (
        f'<p>Write to <a href="mailto:ada@example.org" {REL}>ada@example.org</a>.</p>'
    )


def test_the_sentences_punctuation_stays_out_of_the_link():
    assert render_markdown("See https://example.org/a. Or (https://example.org/b), ok!") == (
        f'<p>See <a href="https://example.org/a" {REL}>https://example.org/a</a>. Or '
        f'(<a href="https://example.org/b" {REL}>https://example.org/b</a>), ok!</p>'
    )


def test_parentheses_that_belong_to_the_address_stay_in_it():
    html = render_markdown("https://en.wikipedia.org/wiki/Dam_(disambiguation)")
    assert 'href="https://en.wikipedia.org/wiki/Dam_(disambiguation)"' in html


def test_underscores_in_an_address_are_not_emphasis():
    html = render_markdown("https://example.org/a_b_c and _this_")
    assert 'href="https://example.org/a_b_c"' in html
    assert "<em>this</em>" in html


def test_a_markdown_link_is_not_linked_twice():
    html = render_markdown("[https://example.org](https://example.org) and <https://example.com>")
    assert html == (
        f'<p><a href="https://example.org" {REL}>https://example.org</a> and '
        f'<a href="https://example.com" {REL}>https://example.com</a></p>'
    )


def test_only_web_and_email_addresses_are_linked():
    html = render_markdown("javascript:alert(1) data:text/html,x ftp://example.org")
    assert "<a" not in html
    assert "javascript:" in html  # shown as the text it is


def test_a_javascript_link_is_still_stripped():
    html = render_markdown("[click](javascript:alert(1)) https://example.org/?q=<script>")
    assert "javascript:" not in html.replace("[click]", "")
    assert 'href="javascript' not in html
    assert "<script" not in html


def test_an_address_inside_code_is_not_linked():
    assert "<a" not in render_markdown("`https://example.org`")


def test_the_petition_body_uses_it(petition):
    petition.body = "More at https://example.org/more"
    assert 'href="https://example.org/more"' in petition.body_html
