"""HTTP endpoints for accounts: register, activate, sign in and out, passwords and sessions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from hocso.accounts import delivery, service
from hocso.accounts.deps import AccountOwner, AssistedSessionDep, ClientIP, CurrentUser, LimitsDep, SettingsDep, SmsDep
from hocso.accounts.schemas import (
    ActivateIn,
    PasswordChangeIn,
    PasswordResetConfirmIn,
    PasswordResetIn,
    RefreshIn,
    RegisterIn,
    ResetRequested,
    TokenPair,
    UserPublic,
    user_public,
)
from hocso.core.db import SessionDep
from hocso.core.errors import NotAuthenticated, NotFound, error_responses, preferred_language

router = APIRouter(tags=["accounts"])


@router.post(
    "/auth/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserPublic,
    operation_id="register",
    responses=error_responses(400, 413, 429),
)
def register(data: RegisterIn, session: SessionDep, limits: LimitsDep, ip: ClientIP) -> UserPublic:
    """Creates an account. A taken email or phone gets the same answer, and nothing changes."""
    limits.register.hit(identifiers=[i for i in (data.email, data.phone) if i], ip=ip)
    return user_public(service.register(session, data=data))


@router.post("/auth/login", response_model=TokenPair, operation_id="login", responses=error_responses(400, 401, 413, 429))
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
    limits: LimitsDep,
    ip: ClientIP,
) -> TokenPair:
    """Signs in with email or phone and password."""
    identifier = service.sign_in_identifier(form.username)
    limits.login.reserve(identifier=identifier, ip=ip)
    user = service.authenticate(session, identifier=identifier, password=form.password)
    if user is None:
        raise NotAuthenticated("The email/phone or password is not right.", "Email/số điện thoại hoặc mật khẩu không đúng.")
    limits.login.succeeded(session, identifier=identifier, ip=ip)
    return service.issue_tokens(session, settings, user=user)


@router.post(
    "/auth/activate", response_model=TokenPair, operation_id="activate_invitation", responses=error_responses(400, 413, 429)
)
def activate(data: ActivateIn, session: SessionDep, settings: SettingsDep, limits: LimitsDep, ip: ClientIP) -> TokenPair:
    """First sign-in of an imported civil servant: the one-time code from their agency and a new password."""
    identifier = service.sign_in_identifier(data.identifier)
    limits.activate.reserve(identifier=identifier, ip=ip)
    user = service.activate_invitation(session, settings, identifier=identifier, code=data.code, password=data.password)
    limits.activate.succeeded(session, identifier=identifier, ip=ip)
    return service.issue_tokens(session, settings, user=user)


@router.post(
    "/auth/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ResetRequested,
    operation_id="request_password_reset",
    responses=error_responses(400, 413, 429),
)
def request_password_reset(
    data: PasswordResetIn,
    session: SessionDep,
    settings: SettingsDep,
    limits: LimitsDep,
    ip: ClientIP,
    sms: SmsDep,
    background: BackgroundTasks,
    request: Request,
) -> ResetRequested:
    """Sends a one-time code to the account's email and/or phone; answers the same whether or not one exists."""
    identifier = service.sign_in_identifier(data.identifier)
    limits.reset_request.hit(identifiers=[identifier], ip=ip)
    messages = service.request_password_reset(session, settings, identifier=identifier, channels=delivery.channels(settings, sms))
    # Sent after the answer (and the commit), so an answer takes as long whether or not a code went out.
    background.add_task(delivery.deliver, settings, sms, messages)
    if preferred_language(request) == "en":
        return ResetRequested(message="If an account has this email or phone, a code is on its way. It expires soon.")
    return ResetRequested(message="Nếu có tài khoản với email hoặc số điện thoại này, mã đang được gửi tới. Mã sớm hết hạn.")


@router.post(
    "/auth/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="confirm_password_reset",
    responses=error_responses(400, 413, 429),
)
def confirm_password_reset(
    data: PasswordResetConfirmIn, session: SessionDep, settings: SettingsDep, limits: LimitsDep, ip: ClientIP
) -> Response:
    """Sets a new password with a reset code; every sign-in of the account ends."""
    identifier = service.sign_in_identifier(data.identifier)
    limits.reset_confirm.reserve(identifier=identifier, ip=ip)
    service.confirm_password_reset(session, settings, identifier=identifier, code=data.code, new_password=data.new_password)
    limits.reset_confirm.succeeded(session, identifier=identifier, ip=ip)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="change_password",
    responses=error_responses(400, 401, 413, 429),
)
def change_password(data: PasswordChangeIn, user: AccountOwner, session: SessionDep, limits: LimitsDep) -> Response:
    """Sets a new password; every sign-in ends, this one included (sign in again with the new password)."""
    limits.password_change.count(session, key=str(user.id))
    service.change_password(session, user=user, current_password=data.current_password, new_password=data.new_password)
    limits.password_change.succeeded(session, key=str(user.id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/me/sessions", status_code=status.HTTP_204_NO_CONTENT, operation_id="sign_out_everywhere", responses=error_responses(401)
)
def sign_out_everywhere(user: AccountOwner, session: SessionDep) -> Response:
    """Ends every sign-in of the caller, on every device, this one included."""
    service.end_all_sessions(session, user=user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/auth/refresh", response_model=TokenPair, operation_id="refresh_tokens", responses=error_responses(400, 401, 413))
def refresh(data: RefreshIn, session: SessionDep, settings: SettingsDep) -> TokenPair:
    """Swaps a refresh token for a new pair; the old one stops working."""
    return service.rotate_refresh_token(session, settings, token=data.refresh_token)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT, operation_id="logout", responses=error_responses(400, 413))
def logout(data: RefreshIn, session: SessionDep, settings: SettingsDep) -> Response:
    """Ends this sign-in: the refresh token and its rotations stop working."""
    service.logout(session, settings, token=data.refresh_token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/me/assisted-session",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="end_assisted_session",
    responses=error_responses(401, 404),
)
def end_assisted_session(user: CurrentUser, session: SessionDep, assisted: AssistedSessionDep) -> Response:
    """Signs the citizen out of the shared device at the end of an assisted session: its token stops working."""
    if assisted is None:
        raise NotFound("This is not an assisted session.", "Đây không phải phiên hỗ trợ.")
    service.end_assisted_session(session, assisted=assisted)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
