"""Reporting periods in China time: bounds, month buckets in SQL (per dialect), day spans, percentiles.

Timestamps are stored in UTC; a month or a day of the reports is a month or day in China (UTC+8, no
daylight saving), so a case opened at 01:00 on 1 March Beijing time counts in March.
"""
import calendar
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, literal_column

from engine.workflow.clock import CHINA_TZ

_OFFSET_HOURS = int(CHINA_TZ.utcoffset(None).total_seconds() // 3600)


def bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """UTC instants [start, end) of the local days ``date_from`` … ``date_to`` (both included)."""
    start = datetime.combine(date_from, time.min, CHINA_TZ).astimezone(timezone.utc)
    end = datetime.combine(date_to + timedelta(days=1), time.min, CHINA_TZ).astimezone(timezone.utc)
    return start, end


def month_keys(date_from: date, date_to: date) -> list[str]:
    """Every month the period touches, as ``YYYY-MM`` (the buckets charts show, empty ones too)."""
    keys, year, month = [], date_from.year, date_from.month
    while (year, month) <= (date_to.year, date_to.month):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), clipped to the month's last day."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def month_of_instant(column, dialect: str):
    """SQL: the local month (``YYYY-MM``) of a UTC timestamp column."""
    if dialect == "postgresql":
        local = func.timezone("UTC", column) + literal_column(f"interval '{_OFFSET_HOURS} hours'")
        return func.to_char(local, "YYYY-MM")
    return func.strftime("%Y-%m", column, f"{_OFFSET_HOURS:+d} hours")


def month_of_day(column, dialect: str):
    """SQL: the month (``YYYY-MM``) of a calendar-date column (already a local date)."""
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks: PostgreSQL's ``percentile_cont(q)``."""
    if not values:
        return None
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
