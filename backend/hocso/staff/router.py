"""HTTP endpoints for the staff import (inline or as a job) and for invitations, as the invited person sees them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile, status
from fastapi.responses import JSONResponse

from hocso.accounts.deps import CurrentUser, SettingsDep
from hocso.agencies import audit
from hocso.agencies.deps import ManagedAgency
from hocso.agencies.schemas import ImportJobOut, ImportQueued, ImportResult, InvitationOut
from hocso.core.db import SessionDep
from hocso.core.errors import PayloadTooLarge, error_responses, import_reason, preferred_language
from hocso.staff import imports

router = APIRouter(prefix="/agencies", tags=["agencies"])
invitations_router = APIRouter(prefix="/me/invitations", tags=["agencies"])

MAX_IMPORT_BYTES = 10_000_000


@router.post(
    "/{code}/members/import",
    response_model=ImportResult,
    operation_id="import_agency_members",
    responses={
        202: {"model": ImportQueued, "description": "A large file: imported by a job whose progress is at status_url"},
        **error_responses(400, 401, 403, 404, 413),
    },
)
def import_members(
    agency: ManagedAgency,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File()],
    request: Request,
) -> ImportResult | JSONResponse:
    """Creates civil servants from a CSV (full_name,email,phone[,agency_code]); people who exist are invited."""
    raw = file.file.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        raise PayloadTooLarge(
            f"The file is larger than {MAX_IMPORT_BYTES // 1_000_000} MB; split it.",
            f"Tệp lớn hơn {MAX_IMPORT_BYTES // 1_000_000} MB; hãy chia nhỏ.",
        )
    staff = imports.read_staff_file(raw)
    if len(staff.rows) <= imports.INLINE_ROWS:
        result = imports.import_members(session, settings=settings, caller=user, agency=agency, staff=staff)
        audit.members_imported(session, actor=user, agency=agency, result=result)
        lang = preferred_language(request)
        return result.model_copy(
            update={"rejected": [r.model_copy(update={"reason": import_reason(r.reason, lang)}) for r in result.rejected]}
        )
    job = imports.queue_import(session, caller=user, agency=agency, raw=raw, staff=staff)
    runner = getattr(request.app.state, "job_runner", None)
    if runner is not None:
        runner.wake()  # it finds the job once this request commits, or at its next poll
    queued = ImportQueued(
        job_id=str(job.id), status_url=f"/api/v1/agencies/{agency.code}/import-jobs/{job.id}", rows_total=len(staff.rows)
    )
    return JSONResponse(queued.model_dump(), status_code=status.HTTP_202_ACCEPTED)


@router.get(
    "/{code}/import-jobs/{job_id}",
    response_model=ImportJobOut,
    operation_id="get_agency_import_job",
    responses=error_responses(401, 403, 404),
)
def get_import_job(agency: ManagedAgency, job_id: str, user: CurrentUser, session: SessionDep, request: Request) -> ImportJobOut:
    """Where a large import stands: queued, running (rows done so far), done with its result, or failed."""
    job = imports.import_job(session, agency=agency, job_id=job_id)
    result = job.result
    if result and result.get("invitations") and job.created_by != user.id:
        # The one-time codes are for the admin who imported the file (to print their slips), not for every
        # admin above them who can follow the import.
        result = {**result, "invitations": []}
    if result and result.get("rejected"):
        # Reasons are stored in English and said in the language of whoever asks.
        lang = preferred_language(request)
        result = {**result, "rejected": [{**r, "reason": import_reason(r["reason"], lang)} for r in result["rejected"]]}
    return ImportJobOut(
        job_id=str(job.id),
        status=job.status,
        rows_total=job.rows_total,
        rows_done=job.rows_done,
        result=ImportResult.model_validate(result) if result is not None else None,
        error=job.error,
    )


@invitations_router.get(
    "", response_model=list[InvitationOut], operation_id="list_my_invitations", responses=error_responses(401)
)
def list_invitations(user: CurrentUser, session: SessionDep) -> list[InvitationOut]:
    """Agencies' invitations waiting for you: accept one to join that agency as a civil servant."""
    return imports.invitations_of(session, user=user)


@invitations_router.post(
    "/{invitation_id}/accept",
    response_model=InvitationOut,
    operation_id="accept_my_invitation",
    responses=error_responses(400, 401, 404),
)
def accept_invitation(invitation_id: str, user: CurrentUser, session: SessionDep) -> InvitationOut:
    """Joins the inviting agency as a civil servant (leaving the agency you were in, if any)."""
    return imports.accept_invitation(session, user=user, invitation_id=invitation_id)
