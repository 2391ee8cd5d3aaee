"""The report pages' quick picks name different periods on every day of the year."""

from datetime import date, timedelta

import pytest

from marketplace.reports.dashboard import quick_periods


def _days(year: int):
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


@pytest.mark.parametrize("year", [2026, 2027, 2028])  # 2028 has a 29 February
def test_this_year_and_the_last_12_months_differ_on_every_day(app_ctx, year):
    for day in _days(year):
        this_year, last_12, all_time = quick_periods(day)
        assert (this_year.date_from, this_year.date_to) != (last_12.date_from, last_12.date_to)
        assert this_year.date_from == date(year, 1, 1) and this_year.date_to == day
        assert last_12.date_to == day and last_12.date_from.year == year - 1
        assert (all_time.date_from, all_time.date_to) == (None, None)


@pytest.mark.parametrize(
    "day, start",
    [
        (date(2026, 12, 1), date(2025, 12, 1)),
        (date(2027, 1, 1), date(2026, 1, 1)),
        (date(2028, 2, 29), date(2027, 2, 1)),
        (date(2026, 12, 31), date(2025, 12, 1)),
    ],
)
def test_the_last_12_months_are_the_full_months_before_this_one_plus_this_month(
    app_ctx, day, start
):
    last_12 = quick_periods(day)[1]
    assert (last_12.date_from, last_12.date_to) == (start, day)
    assert "12 full months" in last_12.explanation
