from django.test import override_settings

from petitions import emails
from tests.conftest import email_link, make_signature


@override_settings(SITE_URL="https://petitions.example.org")
def test_the_confirmation_request_has_text_and_html_with_an_absolute_link(petition, mailoutbox):
    signature = make_signature(petition, name="Zoë <b>Ng</b>")
    emails.send_confirmation_request(signature)
    (message,) = mailoutbox
    link, opened = email_link(message.body, "confirm")
    assert link.startswith("https://petitions.example.org/free-the-river/confirm/")
    assert opened == signature
    assert message.subject == "Please confirm your signature: Free the river"
    assert "Dear Zoë <b>Ng</b>," in message.body  # plain text is not HTML-escaped
    assert "works for 30 days" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    assert "Dear Zoë &lt;b&gt;Ng&lt;/b&gt;," in html


def test_the_already_signed_email_links_to_the_petition(petition, mailoutbox):
    signature = make_signature(petition, confirmed=True)
    emails.send_already_signed(signature)
    (message,) = mailoutbox
    assert "You had already signed and confirmed" in message.body
    assert "http://127.0.0.1:8000/free-the-river/" in message.body
    assert "/confirm/" not in message.body
