"""HTTP endpoints about the caller themselves: /me (read, rename), /me/export and DELETE /me."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from hocso.accounts import service as accounts
from hocso.accounts.deps import AccountOwner, AssistedSessionDep, CurrentUser
from hocso.accounts.schemas import ProfileUpdate, UserPublic
from hocso.core.db import SessionDep
from hocso.core.errors import error_responses
from hocso.privacy import service

router = APIRouter(tags=["accounts"])


@router.get("/me", response_model=UserPublic, operation_id="get_me", responses=error_responses(401))
def me(user: CurrentUser, session: SessionDep, assisted: AssistedSessionDep) -> UserPublic:
    return service.profile(session, user=user, assisted=assisted)


@router.patch("/me", response_model=UserPublic, operation_id="update_me", responses=error_responses(400, 401, 413))
def update_me(data: ProfileUpdate, user: CurrentUser, session: SessionDep) -> UserPublic:
    """Changes the caller's full name."""
    return service.profile(session, user=accounts.rename(session, user=user, full_name=data.full_name))


@router.get("/me/export", operation_id="export_my_data", responses=error_responses(401))
def export_me(user: AccountOwner, session: SessionDep) -> dict[str, Any]:
    """Returns all data held about the caller."""
    return service.export(session, user=user)


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT, operation_id="delete_me", responses=error_responses(401))
def delete_me(user: AccountOwner, session: SessionDep) -> Response:
    """Erases the caller's account and everything tied to it."""
    service.erase(session, user=user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
