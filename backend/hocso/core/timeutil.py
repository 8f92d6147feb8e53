"""Time helpers: aware UTC everywhere, and the calendar year as people in Vietnam live it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_utc(moment: datetime) -> datetime:
    """Converts an aware datetime to UTC; a naive one is refused, since its zone is unknown."""
    if moment.tzinfo is None:
        raise ValueError("a moment needs a UTC offset")
    return moment.astimezone(UTC)


def vietnam_year(moment: datetime) -> int:
    """Returns the calendar year in Asia/Ho_Chi_Minh of an aware moment."""
    return to_utc(moment).astimezone(VIETNAM).year


def current_vietnam_year(now: datetime | None = None) -> int:
    return (now or utcnow()).astimezone(VIETNAM).year


def vietnam_today() -> date:
    return datetime.now(VIETNAM).date()


def year_closes_at(year: int) -> datetime:
    """Returns when a year's figures close: at the end of 31 January of the next year in Vietnam."""
    return datetime(year + 1, 2, 1, tzinfo=VIETNAM)
