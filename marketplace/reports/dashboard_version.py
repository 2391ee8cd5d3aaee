"""The version of everything the coordinators' dashboard shows, for keeping its rendered body.

The dashboard's body took 15-25 ms (figures, the value lost, sharing, the local currency, the
gaps matrix and some 1,500 formatted numbers) and coordinators reload it with the same filters.
It is kept under: the report data stamp (exchanges, listings, categories, the day), the map's
version (organisations, their places and functions, listings, categories), the bookings' latest
change, the ledger's latest transfer and the minute (loans fall due and periods end by the
clock). A section that shows other data must add its version here. Where the database has a
commit stamp (core/commit_stamp.py: the embedded SQLite), the stamp and the minute say the same
without a statement.
"""

import time

from sqlalchemy import func, select

from marketplace.bookings.models import Booking
from marketplace.core.kept_reads import request_stamp
from marketplace.directory.map_version import read_map_version
from marketplace.extensions import db
from marketplace.ledger.models import Transfer
from marketplace.reports.cache import data_stamp


def dashboard_version() -> tuple | None:
    """None while the map has no version (nothing would tell when organisations changed)."""
    stamp = request_stamp()
    if stamp is not None:
        return stamp, int(time.time() // 60)
    map_version = read_map_version()
    if map_version is None:
        return None
    bookings_changed, bookings, transfer = db.session.execute(
        select(
            select(func.max(Booking.updated_at)).scalar_subquery(),
            select(func.count(Booking.id)).scalar_subquery(),
            select(func.max(Transfer.id)).scalar_subquery(),
        )
    ).one()
    return (
        data_stamp(),
        map_version,
        bookings_changed,
        bookings,
        transfer,
        int(time.time() // 60),
    )
