"""Browsing shows which offers are lent or booked rather than given away."""

from tests.bookings.helpers import built


def test_cards_name_lending_and_booking(app, client, german_by_default):
    lent = built(app, mode="lend")
    page = client.get("/listings").get_data(as_text=True)
    assert lent.offer.title in page
    assert "zum Ausleihen" in page
    assert "zum Buchen" not in page
