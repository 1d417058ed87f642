"""Link previews and share links: our own markup, no third-party script."""

import io

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tests.conftest import reload


def appeal(client, petition) -> str:
    return client.get(reverse("petitions:appeal", args=[petition.slug])).content.decode()


def png(width: int, height: int) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#14532d").save(buffer, "PNG")
    return SimpleUploadedFile("river.png", buffer.getvalue(), content_type="image/png")


def test_it_names_the_canonical_url_and_describes_the_petition(client, petition):
    html = appeal(client, petition)
    url = settings.SITE_URL + "/free-the-river/"
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:title" content="Free the river">' in html
    assert '<meta name="twitter:card" content="summary">' in html


def test_without_a_summary_the_preview_is_the_start_of_the_text(client, petition):
    html = appeal(client, petition)
    assert (
        '<meta property="og:description" content="First paragraph with a link. Second paragraph.">'
    ) in html


def test_the_summary_is_the_preview_when_there_is_one(client, petition):
    petition.summary = "Let the river reach the sea."
    petition.save()
    assert '<meta name="description" content="Let the river reach the sea.">' in appeal(
        client, petition
    )


def test_the_image_is_shown_and_previewed_with_its_absolute_url(
    client, petition, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    petition.image = png(1200, 630)
    petition.image_alt = "The river at dawn"
    petition.save()
    petition = reload(petition)
    assert (petition.image_width, petition.image_height) == (1200, 630)
    html = appeal(client, petition)
    image_url = settings.SITE_URL + petition.image.url
    assert f'<meta property="og:image" content="{image_url}">' in html
    assert '<meta property="og:image:alt" content="The river at dawn">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert (
        f'<img class="appeal__image" src="{petition.image.url}" alt="The river at dawn" '
        'width="1200" height="630"'
    ) in html


def test_share_links_need_no_script_from_other_sites(client, petition):
    html = appeal(client, petition)
    for target in ("mailto:?", "https://wa.me/?", "https://x.com/intent/post?", "sharer.php?u="):
        assert target in html
    assert "<script" in html  # our own file, and only it
    assert html.count("<script") == 1
    assert '<script src="/static/js/site.js" defer></script>' in html


def test_pages_have_no_inline_script_style_or_event_handlers(client, petition):
    html = appeal(client, petition)
    assert " style=" not in html
    assert " onclick=" not in html and " onload=" not in html


def test_pages_are_sent_compressed(client, petition):
    url = reverse("petitions:appeal", args=[petition.slug])
    response = client.get(url, headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
