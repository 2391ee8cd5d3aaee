"""Lending equipment and booking space: bookings of lend/book offers by time span."""

from flask import Flask


def init_bookings(app: Flask) -> None:
    """Hook bookings into the app: the listing change check and the reminder sweep."""
    from marketplace.bookings.guards import check_listing_change
    from marketplace.bookings.sweep import sweep_bookings
    from marketplace.listings.validation import add_change_check

    add_change_check(check_listing_change)
    app.before_request(sweep_bookings)
