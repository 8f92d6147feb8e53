"""Request dependencies: settings and the signed-in person."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from hocso.accounts import service
from hocso.accounts.models import User
from hocso.core.config import Settings
from hocso.core.db import SessionDep
from hocso.core.errors import NotAuthenticated

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/login", auto_error=False)


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def get_current_user(session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(oauth2_scheme)]) -> User:
    if not token:
        raise NotAuthenticated("Sign in to continue.", "Vui lòng đăng nhập để tiếp tục.")
    return service.user_from_access_token(session, settings, token=token)


CurrentUser = Annotated[User, Depends(get_current_user)]
