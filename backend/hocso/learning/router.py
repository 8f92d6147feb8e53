"""HTTP endpoints for the learner's progress, and the receipt every request that sends progress is dated by."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from hocso.accounts.deps import SettingsDep, SignedInDep
from hocso.core.clock import Now
from hocso.core.errors import error_responses
from hocso.learning import service
from hocso.learning.client_time import Receipt
from hocso.learning.schemas import ProgressSummary

router = APIRouter(tags=["learning"])


async def get_receipt(settings: SettingsDep, now: Now) -> Receipt:
    """When this request arrived, with the window around it in which a phone's clock is believed."""
    return Receipt(
        at=now,
        trust_before=timedelta(days=settings.client_time_past_days),
        trust_after=timedelta(minutes=settings.client_time_future_minutes),
    )


ReceiptDep = Annotated[Receipt, Depends(get_receipt)]


@router.get("/me/progress", response_model=ProgressSummary, operation_id="get_my_progress", responses=error_responses(401))
async def my_progress(
    signed_in: SignedInDep,
    now: Now,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="Calendar year in Vietnam; default this year")] = None,
) -> ProgressSummary:
    """This year's goal, each module's status and the per-year history."""
    # The lookup, the summary and the commit on one worker thread (SignedIn.run): the busiest read there is.
    return await signed_in.run(lambda session, user, _assisted: service.progress_summary(session, user=user, now=now, year=year))
