"""Reporting periods in China time: day bounds, months, month arithmetic, percentiles."""
import statistics
from datetime import date, datetime, timezone

import pytest

from engine.reads.periods import add_months, bounds, month_keys, percentile


def test_a_period_runs_from_local_midnight_to_local_midnight_after_its_last_day():
    start, end = bounds(date(2026, 3, 1), date(2026, 3, 31))
    assert start == datetime(2026, 2, 28, 16, 0, tzinfo=timezone.utc)   # 00:00 on 1 March in Beijing
    assert end == datetime(2026, 3, 31, 16, 0, tzinfo=timezone.utc)     # 00:00 on 1 April in Beijing


def test_month_keys_cover_every_month_touched_across_years():
    assert month_keys(date(2025, 11, 20), date(2026, 2, 3)) == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert month_keys(date(2026, 5, 1), date(2026, 5, 31)) == ["2026-05"]


@pytest.mark.parametrize("day, months, expected", [
    (date(2026, 1, 31), 1, date(2026, 2, 28)), (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2026, 12, 2), -11, date(2026, 1, 2)), (date(2026, 3, 15), -60, date(2021, 3, 15)),
    (date(2026, 12, 31), 2, date(2027, 2, 28)),
])
def test_add_months_clips_to_the_months_last_day(day, months, expected):
    assert add_months(day, months) == expected


def test_percentile_interpolates_like_postgresqls_percentile_cont():
    values = [3.0, 1.0, 7.0, 2.0, 10.0]
    assert percentile(values, 0.5) == statistics.median(values)
    assert percentile(values, 0.9) == pytest.approx(statistics.quantiles(values, n=10, method="inclusive")[8])
    assert percentile([4.0], 0.9) == 4.0 and percentile([], 0.5) is None
