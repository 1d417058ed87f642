from django.core.management import call_command

from petitions.models import Petition

SLUG = "release-dr-wang-bingzhang"


def test_it_loads_the_seed_petition(client, db):
    call_command("load_seed_petition")
    petition = Petition.objects.get(slug=SLUG)
    assert petition.is_open
    assert petition.starter_name == "Ti-Anna Wang"
    assert petition.supporter_count == 1030 == petition.signatures.confirmed().count()
    assert [str(r) for r in petition.recipients.all()][:3] == [
        "Chinese Ambassador to Mexico Zeng Gang",
        "Chinese Leader Xi Jinping",
        "Chinese Ambassador to the UK Liu Xiaoming",
    ]
    assert petition.recipients.count() == 9
    assert str(petition.recipients.last()) == "Chinese Ambassador to the United States Cui Tiankai"
    html = client.get(petition.get_absolute_url()).content.decode()
    assert "Ti-Anna Wang</strong> started this petition with a single signature" in html
    assert '<strong class="count">1,030</strong> supporters' in html
    assert "<summary>and 6 others</summary>" in html
    assert "Thank you for lending your voice in support of his freedom." in html
    assert "Thank you for your time." in html


def test_it_is_idempotent_and_keeps_real_signatures(db):
    call_command("load_seed_petition")
    petition = Petition.objects.get(slug=SLUG)
    real = petition.signatures.create(name="Real Person", email="real@example.org", country="GB")
    real.confirm()
    call_command("load_seed_petition")
    petition.refresh_from_db()
    assert Petition.objects.count() == 1
    assert petition.recipients.count() == 9
    assert petition.supporter_count == 1031 == petition.signatures.confirmed().count()


def test_it_can_close_the_petition_as_the_seed_page_shows(client, db):
    call_command("load_seed_petition", "--closed")
    petition = Petition.objects.get(slug=SLUG)
    assert petition.is_closed
    html = client.get(petition.get_absolute_url()).content.decode()
    assert "<strong>Petition Closed</strong><br>April 8th, 2013" in html


def test_it_can_add_fictional_petitions_that_show_the_campaign(client, db):
    call_command("load_seed_petition", "--demo")
    call_command("load_seed_petition", "--demo")  # idempotent
    seed = Petition.objects.get(slug=SLUG)
    assert seed.is_open and not seed.has_outcome  # a real case: no invented outcome
    assert not seed.updates.exists() and not seed.paper_signatures.exists()
    closed = Petition.objects.get(slug="demo-keep-the-riverside-library-open")
    assert closed.is_closed and closed.outcome == Petition.Outcome.VICTORY
    assert closed.supporters == closed.signatures.confirmed().count() == 1200
    assert closed.updates.count() == 2
    assert closed.recipients.filter(responded_on__isnull=False).count() == 2
    assert sum(p.count for p in closed.paper_signatures.all()) == 312
    open_ = Petition.objects.get(slug="demo-safe-crossing-at-riverside-school")
    assert open_.is_open and open_.days_to_close() == 12
    for demo in (closed, open_):
        assert "fictional" in demo.title
    html = client.get(closed.get_absolute_url()).content.decode()
    assert "<strong>Victory</strong>" in html
    assert "Closes in 12 days" in client.get(open_.get_absolute_url()).content.decode()


def test_the_demonstration_has_a_fictional_petition_awaiting_moderation(client, db):
    call_command("load_seed_petition", "--demo")
    call_command("load_seed_petition", "--demo")  # idempotent
    in_review = Petition.objects.awaiting_review().get()
    assert "fictional" in in_review.title and in_review.recipients.count() == 1
    assert client.get(in_review.get_absolute_url()).status_code == 404  # not public
