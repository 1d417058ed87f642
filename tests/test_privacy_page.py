def test_it_says_what_is_stored_and_why(client, db):
    response = client.get("/privacy/")
    assert response.status_code == 200
    html = response.content.decode()
    for stored in ("Your name", "Your email address", "Your country", "Your comment"):
        assert stored in html
    assert "We do not store your IP address" in html
    assert "erase it after 7 days" in html
