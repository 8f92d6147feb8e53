"""HTTP endpoints for agencies: the agency, members' reset codes, requirements and the audit trail."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from hocso.accounts import service as accounts_service
from hocso.accounts.deps import CurrentUser, SettingsDep
from hocso.accounts.schemas import ResetCodeOut
from hocso.agencies import audit, requirements, scope
from hocso.agencies.deps import ManagedAgency
from hocso.agencies.schemas import (
    AgencyRef,
    AuditPage,
    RequirementIn,
    RequirementOut,
)
from hocso.core.db import SessionDep
from hocso.core.errors import error_responses

router = APIRouter(prefix="/agencies", tags=["agencies"])


@router.post(
    "/{code}/members/{user_id}/reset-code",
    response_model=ResetCodeOut,
    operation_id="issue_member_reset_code",
    responses=error_responses(401, 403, 404),
)
def issue_reset_code(
    agency: ManagedAgency, user_id: uuid.UUID, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> ResetCodeOut:
    """A one-time code for a member whose email or phone does not reach them; they set a new password with it."""
    member, where = scope.member_in_subtree(session, agency=agency, user_id=user_id)
    reset_code, expires_at = accounts_service.issue_agency_reset_code(session, settings, member=member)
    audit.record(session, actor=user, agency=where, action="reset_code_issued", detail={"member": str(member.id)})
    return ResetCodeOut(code=reset_code, expires_at=expires_at)


@router.get(
    "/{code}/requirements",
    response_model=list[RequirementOut],
    operation_id="list_agency_requirements",
    responses=error_responses(401, 403, 404),
)
def list_requirements(
    agency: ManagedAgency,
    user: CurrentUser,
    session: SessionDep,
    below: Annotated[bool, Query(description="Also what units inside the subtree require of their own people")] = False,
) -> list[RequirementOut]:
    """What applies to the agency: its own requirements and those set by its ancestors (and below, if asked)."""
    return requirements.requirements_of(session, agency, below=below)


@router.post(
    "/{code}/requirements",
    response_model=RequirementOut,
    status_code=status.HTTP_201_CREATED,
    operation_id="set_agency_requirement",
    responses={
        200: {"model": RequirementOut, "description": "An existing requirement's due date was changed"},
        **error_responses(400, 401, 403, 404, 413),
    },
)
def set_requirement(
    agency: ManagedAgency, data: RequirementIn, user: CurrentUser, session: SessionDep, response: Response
) -> RequirementOut:
    """Requires a module of the agency's whole subtree by a due date (setting it again moves the date)."""
    req, created = requirements.set_requirement(session, agency=agency, module_slug=data.module, due_date=data.due_date, by=user)
    audit.record(
        session,
        actor=user,
        agency=agency,
        action="requirement_set",
        detail={"module": req.module_slug, "due_date": req.due_date.isoformat(), "new": created},
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return RequirementOut(
        module=req.module_slug,
        due_date=req.due_date,
        agency=AgencyRef(code=agency.code, name=agency.name),
        inherited=False,
        origin="own",
    )


@router.delete(
    "/{code}/requirements/{module}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="delete_agency_requirement",
    responses=error_responses(401, 403, 404),
)
def delete_requirement(agency: ManagedAgency, module: str, user: CurrentUser, session: SessionDep) -> Response:
    """Removes a requirement the agency set itself."""
    requirements.remove_requirement(session, agency=agency, module_slug=module)
    audit.record(session, actor=user, agency=agency, action="requirement_removed", detail={"module": module})
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{code}/audit", response_model=AuditPage, operation_id="list_agency_audit", responses=error_responses(401, 403, 404))
def list_audit(
    agency: ManagedAgency,
    user: CurrentUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[int | None, Query(ge=1, le=2**62, description="An id from next_before")] = None,
) -> AuditPage:
    """Administrators' actions on the agency and its subtree, newest first."""
    return audit.page(session, agency=agency, limit=limit, before=before)
