"""HTTP endpoints for quiz attempts, progress events and the learner's progress."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from hocso.accounts.deps import AssistedSessionDep, CurrentUser, SettingsDep
from hocso.content.router import LangQuery
from hocso.core.clock import Now
from hocso.core.db import SessionDep
from hocso.core.errors import error_responses
from hocso.learning import service
from hocso.learning.client_time import Receipt
from hocso.learning.schemas import AttemptIn, AttemptResult, ProgressBatchIn, ProgressBatchResult, ProgressSummary
from hocso.xapi.statements import target as xapi_target

router = APIRouter(tags=["learning"])


async def get_receipt(settings: SettingsDep, now: Now) -> Receipt:
    """When this request arrived, with the window around it in which a phone's clock is believed."""
    return Receipt(
        at=now,
        trust_before=timedelta(days=settings.client_time_past_days),
        trust_after=timedelta(minutes=settings.client_time_future_minutes),
    )


ReceiptDep = Annotated[Receipt, Depends(get_receipt)]


@router.post(
    "/modules/{slug}/attempts",
    response_model=AttemptResult,
    status_code=status.HTTP_200_OK,
    operation_id="submit_attempt",
    responses=error_responses(400, 401, 404, 409, 413),
)
def submit_attempt(
    slug: str,
    data: AttemptIn,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    receipt: ReceiptDep,
    assisted: AssistedSessionDep,
    lang: LangQuery = "vi",
) -> AttemptResult:
    """Grades a quiz attempt on the server. Re-sending the same event_id returns the first result."""
    return service.submit_attempt(
        session,
        user=user,
        slug=slug,
        data=data,
        lang=lang,
        receipt=receipt,
        xapi_target=xapi_target(settings),
        assisted_session_id=assisted.id if assisted else None,
    )


@router.post(
    "/progress/events",
    response_model=ProgressBatchResult,
    operation_id="record_progress_events",
    responses=error_responses(400, 401, 413),
)
def record_events(
    batch: ProgressBatchIn, user: CurrentUser, session: SessionDep, settings: SettingsDep, receipt: ReceiptDep
) -> ProgressBatchResult:
    """Stores progress made offline; idempotent by event_id, in any order, any number of times."""
    return service.record_events(
        session,
        user=user,
        batch=batch,
        receipt=receipt,
        max_events=settings.max_events_per_batch,
        xapi_target=xapi_target(settings),
    )


@router.get("/me/progress", response_model=ProgressSummary, operation_id="get_my_progress", responses=error_responses(401))
def my_progress(
    user: CurrentUser,
    session: SessionDep,
    now: Now,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="Calendar year in Vietnam; default this year")] = None,
) -> ProgressSummary:
    """This year's goal, each module's status and the per-year history."""
    return service.progress_summary(session, user=user, now=now, year=year)
