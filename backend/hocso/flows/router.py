"""HTTP endpoints for what a learner sends: quiz attempts and progress events, recorded through their flows.

These are the busiest writes: each looks the person up, records and commits on one worker thread
(SignedIn.run) rather than hopping to the thread pool for each step, and takes the settings from it rather than
from a dependency of its own (FastAPI resolves each dependency at every request).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from hocso import flows
from hocso.accounts.deps import SignedInDep
from hocso.content.router import LangQuery
from hocso.core.errors import error_responses
from hocso.learning.router import ReceiptDep
from hocso.learning.schemas import AttemptIn, AttemptResult, ProgressBatchIn, ProgressBatchResult
from hocso.xapi.statements import target as xapi_target

router = APIRouter(tags=["learning"])


@router.post(
    "/modules/{slug}/attempts",
    response_model=AttemptResult,
    status_code=status.HTTP_200_OK,
    operation_id="submit_attempt",
    responses=error_responses(400, 401, 404, 409, 413),
)
async def submit_attempt(
    request: Request,
    slug: str,
    data: AttemptIn,
    signed_in: SignedInDep,
    receipt: ReceiptDep,
    lang: LangQuery = "vi",
) -> AttemptResult:
    """Grades a quiz attempt on the server. Re-sending the same event_id returns the first result."""
    return await signed_in.run(
        lambda session, user, assisted: flows.submit_attempt(
            session,
            user=user,
            slug=slug,
            data=data,
            lang=lang,
            receipt=receipt,
            xapi_target=xapi_target(signed_in.settings),
            assisted_session_id=assisted.id if assisted else None,
            person_locked=True,
            modules=request.app.state.content_answers,
        ),
        lock_person=True,
    )


@router.post(
    "/progress/events",
    response_model=ProgressBatchResult,
    operation_id="record_progress_events",
    responses=error_responses(400, 401, 413),
)
async def record_events(batch: ProgressBatchIn, signed_in: SignedInDep, receipt: ReceiptDep) -> ProgressBatchResult:
    """Stores progress made offline; idempotent by event_id, in any order, any number of times."""
    return await signed_in.run(
        lambda session, user, assisted: flows.record_events(
            session,
            user=user,
            batch=batch,
            receipt=receipt,
            max_events=signed_in.settings.max_events_per_batch,
            xapi_target=xapi_target(signed_in.settings),
            assisted_session_id=assisted.id if assisted else None,
        )
    )
