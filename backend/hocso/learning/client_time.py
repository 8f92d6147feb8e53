"""When a phone's own clock is believed: the time an attempt or lesson counts at (API.md, "Client time")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hocso.core.errors import Invalid
from hocso.core.timeutil import to_utc, vietnam_year, year_closes_at


@dataclass(frozen=True)
class Receipt:
    """When the server received a request, and how far around that moment a phone's clock is believed."""

    at: datetime
    trust_before: timedelta = timedelta(days=30)
    trust_after: timedelta = timedelta(minutes=5)


def claimed_time(moment: datetime | None, *, field: str) -> datetime | None:
    """Returns the time a phone gave, in UTC; one the server cannot work with is refused as bad input."""
    if moment is None:
        return None
    try:
        return to_utc(moment)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+07:00 is still year 0 in UTC
        raise Invalid(
            f"{field}: {moment.isoformat()} is not a date this server can work with; check the phone's date and time.",
            f"{field}: {moment.isoformat()} không phải ngày giờ máy chủ xử lý được; hãy kiểm tra ngày giờ của điện thoại.",
        ) from None


def effective_time(claimed: datetime | None, *, receipt: Receipt, account_since: datetime) -> datetime:
    """Returns when something counts as done: the phone's time if it is believable, else the receipt time.

    Believable means within the window around receipt, not before the account existed, and in a year whose
    figures are still open: a year closes at the end of 31 January after it, and what arrives later is
    counted when it arrives, so a closed year's figures never change.
    """
    now = receipt.at
    if claimed is None:
        return now
    if not max(now - receipt.trust_before, account_since) <= claimed <= now + receipt.trust_after:
        return now
    if year_closes_at(vietnam_year(claimed)) <= now:
        return now
    # A phone a few minutes ahead is taken at its word but never put after the server's now.
    return min(claimed, now)
