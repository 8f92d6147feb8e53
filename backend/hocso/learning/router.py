"""HTTP endpoints for the learner's progress, and the receipt every request that sends progress is dated by."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import TypeAdapter

from hocso.accounts.deps import SignedInDep
from hocso.core.clock import Now
from hocso.core.config import Settings
from hocso.core.errors import error_responses
from hocso.learning import service
from hocso.learning.client_time import Receipt
from hocso.learning.schemas import ProgressSummary

router = APIRouter(tags=["learning"])


async def get_receipt(request: Request, now: Now) -> Receipt:
    """When this request arrived, with the window around it in which a phone's clock is believed."""
    settings: Settings = request.app.state.settings  # not a dependency: see accounts.deps
    return Receipt(
        at=now,
        trust_before=timedelta(days=settings.client_time_past_days),
        trust_after=timedelta(minutes=settings.client_time_future_minutes),
    )


ReceiptDep = Annotated[Receipt, Depends(get_receipt)]


# The busiest read there is. Its answer is serialised here, once: given the model, FastAPI would turn it into a
# dict, validate that into the model again and only then serialise it.
_SUMMARY_JSON = TypeAdapter(ProgressSummary)


@router.get("/me/progress", response_model=ProgressSummary, operation_id="get_my_progress", responses=error_responses(401))
async def my_progress(
    signed_in: SignedInDep,
    now: Now,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="Calendar year in Vietnam; default this year")] = None,
) -> Response:
    """This year's goal, each module's status and the per-year history."""
    catalogue = signed_in.request.app.state.content_answers
    summary = await signed_in.read(
        lambda session, person: service.progress_summary(session, person=person, catalogue=catalogue, now=now, year=year)
    )
    return Response(_SUMMARY_JSON.dump_json(summary), media_type="application/json")
