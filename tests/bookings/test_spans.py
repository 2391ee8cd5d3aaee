"""The overlap rule counts the peak over a span, not the sum (pure functions, no database)."""

from datetime import date, datetime, timedelta

from marketplace.bookings import workflow
from marketplace.bookings.spans import Held, free_units_by_day, peak_units, widened

MON = datetime(2027, 3, 1, 8)


def day(n: int, hour: int = 8) -> datetime:
    return MON + timedelta(days=n, hours=hour - 8)


def test_back_to_back_spans_never_overlap():
    held = [Held(day(0), day(1), 1), Held(day(2), day(3), 1)]
    assert peak_units(held, day(0), day(4)) == 1
    # Ending exactly when the next begins is not an overlap either.
    assert peak_units([Held(day(0), day(1), 1), Held(day(1), day(2), 1)], day(0), day(2)) == 1


def test_peak_is_the_most_at_one_moment_not_the_sum():
    held = [Held(day(0), day(1), 2), Held(day(2), day(3), 2), Held(day(0, 12), day(2, 12), 1)]
    assert peak_units(held, day(0), day(3)) == 3
    assert peak_units(held, day(1, 9), day(1, 10)) == 1  # only the middle one then


def test_spans_outside_the_window_do_not_count():
    assert peak_units([Held(day(0), day(1), 5)], day(1), day(2)) == 0


def test_a_buffer_widens_each_span_on_both_sides():
    held = widened([Held(day(1), day(2), 1)], timedelta(hours=2))
    assert peak_units(held, day(2), day(2, 9)) == 1
    assert peak_units(held, day(2, 11), day(3)) == 0


def test_free_units_by_local_day():
    capacity = 2
    held = [Held(datetime(2027, 3, 2, 12), datetime(2027, 3, 3, 12), 1)]
    free = dict(free_units_by_day(capacity, held, date(2027, 3, 1), date(2027, 3, 4)))
    assert free == {
        date(2027, 3, 1): 2,
        date(2027, 3, 2): 1,
        date(2027, 3, 3): 1,
        date(2027, 3, 4): 2,
    }


def test_workflow_offers_each_side_its_next_steps():
    assert workflow.allowed_actions("requested", "provider") == ["accept", "decline", "cancel"]
    assert workflow.allowed_actions("requested", "borrower") == ["cancel"]
    assert workflow.allowed_actions("accepted", "provider") == [
        "checkout",
        "cancel",
        "answer_extension",
    ]
    assert workflow.allowed_actions("active", "provider") == ["return", "answer_extension"]
    assert workflow.allowed_actions("active", "borrower") == ["extend"]
    assert workflow.allowed_actions("returned", "provider") == []
