"""Request dependencies for agency endpoints: the agency named in the path, once the caller's scope allows it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Path

from hocso.accounts.deps import CurrentUser
from hocso.agencies import access
from hocso.agencies.access import Action
from hocso.agencies.models import Agency
from hocso.core.db import SessionDep

CodePath = Annotated[str, Path(description="The agency's code")]


def scoped(action: Action) -> Callable[..., Agency]:
    """A dependency resolving `{code}` to an agency where the caller may do this: 403 if nowhere, 404 outside."""

    def agency_in_scope(code: CodePath, user: CurrentUser, session: SessionDep) -> Agency:
        return access.scoped_agency(session, user=user, code=code, action=action)

    return agency_in_scope


ManagedAgency = Annotated[Agency, Depends(scoped(Action.manage))]
HelpedAgency = Annotated[Agency, Depends(scoped(Action.assist))]
