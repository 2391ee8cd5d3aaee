"""Lending equipment and booking space: bookings of lend/book offers by time span."""
