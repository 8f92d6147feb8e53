"""HTTP endpoints for agencies: tree, stats and CSV export, staff import, requirements."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, Request, Response, UploadFile, status
from fastapi.responses import JSONResponse

from hocso.accounts import service as accounts_service
from hocso.accounts.deps import CurrentUser, SettingsDep
from hocso.accounts.schemas import ResetCodeOut
from hocso.accounts.models import User
from hocso.agencies import exports, imports, service
from hocso.agencies.schemas import (
    AgencyOut,
    AgencyRef,
    AgencyStats,
    AuditPage,
    ImportJobOut,
    ImportQueued,
    ImportResult,
    InvitationOut,
    RequirementIn,
    RequirementOut,
)
from hocso.core.db import SessionDep
from hocso.core.errors import Forbidden, PayloadTooLarge, error_responses, import_reason, preferred_language
from hocso.core.timeutil import current_vietnam_year

router = APIRouter(prefix="/agencies", tags=["agencies"])
invitations_router = APIRouter(prefix="/me/invitations", tags=["agencies"])

YearQuery = Annotated[int | None, Query(ge=2000, le=2100, description="Calendar year in Vietnam; default this year")]
MAX_IMPORT_BYTES = 10_000_000


def _require_manager(user: User) -> None:
    if not {"agency_admin", "sysadmin"} & set(user.role_list):
        raise Forbidden(
            "Only agency administrators can do this.", "Chỉ quản trị viên cơ quan mới làm được việc này."
        )


@router.get("/{code}", response_model=AgencyOut, operation_id="get_agency", responses=error_responses(401, 403, 404))
def get_agency(code: str, user: CurrentUser, session: SessionDep) -> AgencyOut:
    """An agency you manage, its parent and its children."""
    _require_manager(user)
    return service.agency_out(session, service.visible_agency(session, user=user, code=code))


@router.get(
    "/{code}/stats", response_model=AgencyStats, operation_id="get_agency_stats", responses=error_responses(401, 403, 404)
)
def get_stats(code: str, user: CurrentUser, session: SessionDep, year: YearQuery = None) -> AgencyStats:
    """Completion figures over the agency's whole subtree, and one row per child agency."""
    _require_manager(user)
    agency = service.visible_agency(session, user=user, code=code)
    return service.agency_stats(session, agency=agency, year=year or current_vietnam_year())


@router.get(
    "/{code}/stats.csv",
    operation_id="export_agency_stats_csv",
    responses={200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV with BOM"}, **error_responses(401, 403, 404)},
)
def get_stats_csv(
    code: str,
    user: CurrentUser,
    session: SessionDep,
    year: YearQuery = None,
    delimiter: Annotated[Literal[",", ";"], Query(description="';' for Excel set to a Vietnamese locale")] = ",",
    lang: Annotated[Literal["vi", "en"] | None, Query(description="vi: ';', Vietnamese headers, rates as 16,7%")] = None,
) -> Response:
    """The agency and each child agency as CSV rows, for Excel."""
    _require_manager(user)
    agency = service.visible_agency(session, user=user, code=code)
    stats = service.agency_stats(session, agency=agency, year=year or current_vietnam_year())
    filename = f"hocso-{agency.code}-{stats.year}.csv"
    service.record_audit(session, actor=user, agency=agency, action="stats_exported", detail={"year": stats.year})
    return Response(
        (exports.stats_csv_vi(stats) if lang == "vi" else service.stats_csv(stats, delimiter=delimiter)).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


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
    code: str, user: CurrentUser, session: SessionDep, settings: SettingsDep, file: Annotated[UploadFile, File()],
    request: Request,
) -> ImportResult | JSONResponse:
    """Creates civil servants from a CSV (full_name,email,phone[,agency_code]); people who exist are invited."""
    _require_manager(user)
    agency = service.visible_agency(session, user=user, code=code)
    raw = file.file.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        raise PayloadTooLarge(
            f"The file is larger than {MAX_IMPORT_BYTES // 1_000_000} MB; split it.",
            f"Tệp lớn hơn {MAX_IMPORT_BYTES // 1_000_000} MB; hãy chia nhỏ.",
        )
    staff = imports.read_staff_file(raw)
    if len(staff.rows) <= imports.INLINE_ROWS:
        result = imports.import_members(session, settings=settings, caller=user, agency=agency, staff=staff)
        service.record_audit(
            session, actor=user, agency=agency, action="members_imported", detail=imports.audit_detail(result)
        )
        lang = preferred_language(request)
        return result.model_copy(update={"rejected": [
            r.model_copy(update={"reason": import_reason(r.reason, lang)}) for r in result.rejected
        ]})
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
def get_import_job(code: str, job_id: str, user: CurrentUser, session: SessionDep, request: Request) -> ImportJobOut:
    """Where a large import stands: queued, running (rows done so far), done with its result, or failed."""
    _require_manager(user)
    agency = service.visible_agency(session, user=user, code=code)
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
        job_id=str(job.id), status=job.status, rows_total=job.rows_total, rows_done=job.rows_done,
        result=ImportResult.model_validate(result) if result is not None else None, error=job.error,
    )


@router.post(
    "/{code}/members/{user_id}/reset-code",
    response_model=ResetCodeOut,
    operation_id="issue_member_reset_code",
    responses=error_responses(401, 403, 404),
)
def issue_reset_code(code: str, user_id: uuid.UUID, user: CurrentUser, session: SessionDep, settings: SettingsDep) -> ResetCodeOut:
    """A one-time code for a member whose email or phone does not reach them; they set a new password with it."""
    _require_manager(user)
    agency = service.visible_agency(session, user=user, code=code)
    member, where = service.member_in_subtree(session, agency=agency, user_id=user_id)
    reset_code, expires_at = accounts_service.issue_agency_reset_code(session, settings, member=member)
    service.record_audit(session, actor=user, agency=where, action="reset_code_issued", detail={"member": str(member.id)})
    return ResetCodeOut(code=reset_code, expires_at=expires_at)


@router.get(
    "/{code}/requirements",
    response_model=list[RequirementOut],
    operation_id="list_agency_requirements",
    responses=error_responses(401, 403, 404),
)
def list_requirements(
    code: str, user: CurrentUser, session: SessionDep,
    below: Annotated[bool, Query(description="Also what units inside the subtree require of their own people")] = False,
) -> list[RequirementOut]:
    """What applies to the agency: its own requirements and those set by its ancestors (and below, if asked)."""
    _require_manager(user)
    return service.requirements_of(session, service.visible_agency(session, user=user, code=code), below=below)


@router.post(
    "/{code}/requirements",
    response_model=RequirementOut,
    status_code=status.HTTP_201_CREATED,
    operation_id="set_agency_requirement",
    responses={200: {"model": RequirementOut, "description": "An existing requirement's due date was changed"},
               **error_responses(400, 401, 403, 404, 413)},
)
def set_requirement(code: str, data: RequirementIn, user: CurrentUser, session: SessionDep, response: Response) -> RequirementOut:
    """Requires a module of the agency's whole subtree by a due date (setting it again moves the date)."""
    _require_manager(user)
    agency = service.visible_agency(session, user=user, code=code)
    req, created = service.set_requirement(session, agency=agency, module_slug=data.module, due_date=data.due_date, by=user)
    service.record_audit(
        session, actor=user, agency=agency, action="requirement_set",
        detail={"module": req.module_slug, "due_date": req.due_date.isoformat(), "new": created},
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return RequirementOut(
        module=req.module_slug, due_date=req.due_date, agency=AgencyRef(code=agency.code, name=agency.name), inherited=False,
        origin="own",
    )


@router.delete(
    "/{code}/requirements/{module}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="delete_agency_requirement",
    responses=error_responses(401, 403, 404),
)
def delete_requirement(code: str, module: str, user: CurrentUser, session: SessionDep) -> Response:
    """Removes a requirement the agency set itself."""
    _require_manager(user)
    agency = service.visible_agency(session, user=user, code=code)
    service.remove_requirement(session, agency=agency, module_slug=module)
    service.record_audit(session, actor=user, agency=agency, action="requirement_removed", detail={"module": module})
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{code}/audit", response_model=AuditPage, operation_id="list_agency_audit", responses=error_responses(401, 403, 404))
def list_audit(
    code: str,
    user: CurrentUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[int | None, Query(ge=1, le=2**62, description="An id from next_before")] = None,
) -> AuditPage:
    """Administrators' actions on the agency and its subtree, newest first."""
    _require_manager(user)
    agency = service.visible_agency(session, user=user, code=code)
    return service.audit_page(session, agency=agency, limit=limit, before=before)


@invitations_router.get("", response_model=list[InvitationOut], operation_id="list_my_invitations", responses=error_responses(401))
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
