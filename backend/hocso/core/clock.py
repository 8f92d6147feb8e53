"""The server's clock as a request dependency, so that tests set the time by overriding it, not by patching."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends

from hocso.core.timeutil import utcnow


async def get_now() -> datetime:
    """Returns the moment the request is handled, aware, in UTC (async: no worker thread for a clock read)."""
    return utcnow()


Now = Annotated[datetime, Depends(get_now)]
