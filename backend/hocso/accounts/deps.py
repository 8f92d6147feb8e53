"""Request dependencies: settings, the signed-in person, the caller's address and the attempt limits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import Engine
from sqlmodel import Session

from hocso.accounts import service
from hocso.accounts.delivery import SmsGateway
from hocso.accounts.models import AssistedSession, User
from hocso.core import security
from hocso.core.config import Settings
from hocso.core.db import WRITE_METHODS, DatabaseGate, SessionDep
from hocso.core.errors import Forbidden, NotAuthenticated
from hocso.core.ratelimit import AttemptLimiter, RequestLimiter, SessionLimiter

T = TypeVar("T")
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/login", auto_error=False)


# Dependencies that only read the request are async: FastAPI runs a plain def on a worker thread, and the hop
# there and back cost more than the whole of what they do.


async def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


# The signed-in person's dependencies read the settings from the app themselves: a sub-dependency costs each
# request FastAPI's resolution of it (37 of the 65 µs that /me/progress's dependencies took, measured in process).


def get_current_user(request: Request, session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)]) -> User:
    if not token:
        raise NotAuthenticated("Sign in to continue.", "Vui lòng đăng nhập để tiếp tục.")
    user, assisted = service.user_from_access_token(session, request.app.state.settings, token=token)
    request.state.assisted_session = assisted
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


@dataclass(frozen=True)
class SignedIn:
    """A signed-in person's request that looks them up, does its work and commits on one worker thread."""

    request: Request
    settings: Settings
    token: str

    async def run(self, work: Callable[[Session, User, AssistedSession | None], T], *, lock_person: bool = False) -> T:
        """Runs work(session, person, assisted session or None) in the request's transaction (DatabaseGate.run).

        lock_person reads the person with their lock taken (see user_from_access_token).
        """

        def _work(session: Session) -> T:
            user, assisted = service.user_from_access_token(session, self.settings, token=self.token, lock=lock_person)
            self.request.state.assisted_session = assisted
            return work(session, user, assisted)

        gate: DatabaseGate = self.request.app.state.db_gate
        return await gate.run(_work, write=self.request.method in WRITE_METHODS)

    async def read(self, work: Callable[[Session, service.Person], T]) -> T:
        """Runs work(session, person) as a read: the person from one Core statement (person_from_access_token)."""

        def _work(session: Session) -> T:
            person, assisted = service.person_from_access_token(session, self.settings, token=self.token)
            self.request.state.assisted_session = assisted
            return work(session, person)

        gate: DatabaseGate = self.request.app.state.db_gate
        return await gate.run(_work, write=False)


async def get_signed_in(request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]) -> SignedIn:
    """CurrentUser for the busiest endpoints: the same person and refusals, without a thread hop of its own."""
    if not token:
        raise NotAuthenticated("Sign in to continue.", "Vui lòng đăng nhập để tiếp tục.")
    settings: Settings = request.app.state.settings
    # A token that is not one of ours is refused here, before the body is read (as CurrentUser does); its
    # claims are kept, so the lookup decodes it again for free.
    security.decode_token(settings, token, expected_type="access")
    return SignedIn(request, settings, token)


SignedInDep = Annotated[SignedIn, Depends(get_signed_in)]


async def get_assisted_session(request: Request, user: CurrentUser) -> AssistedSession | None:
    """The assisted session this request was made in (a helper beside the citizen), or None."""
    return getattr(request.state, "assisted_session", None)


AssistedSessionDep = Annotated[AssistedSession | None, Depends(get_assisted_session)]


async def get_account_owner(user: CurrentUser, assisted: AssistedSessionDep) -> User:
    """The signed-in person, acting for themselves: refused in an assisted session."""
    if assisted is not None:
        raise Forbidden(
            "Not in an assisted session: the account's owner does this when signed in themselves.",
            "Không làm được trong phiên hỗ trợ: chủ tài khoản tự đăng nhập để làm việc này.",
        )
    return user


# For what only the owner may do: change a password or identifier, sign out everywhere, export, erase.
AccountOwner = Annotated[User, Depends(get_account_owner)]


async def get_client_ip(request: Request) -> str:
    """The address the connection came from (uvicorn puts a trusted proxy's X-Forwarded-For here)."""
    return request.client.host if request.client else "unknown"


ClientIP = Annotated[str, Depends(get_client_ip)]


@dataclass(frozen=True)
class AccountLimits:
    """The attempt limits of the account endpoints, counted in the database."""

    login: AttemptLimiter
    activate: AttemptLimiter
    register: RequestLimiter
    password_change: SessionLimiter
    reset_request: RequestLimiter
    reset_confirm: AttemptLimiter
    citizen_code: RequestLimiter

    @classmethod
    def from_settings(cls, engine: Engine, settings: Settings) -> AccountLimits:
        sign_in = {
            "per_identifier": settings.login_attempts_per_identifier,
            "per_ip": settings.login_attempts_per_ip,
            "per_ip_max": settings.login_attempts_per_ip_max,
            "window": settings.login_window_seconds,
        }
        return cls(
            login=AttemptLimiter(engine, "login", **sign_in),
            activate=AttemptLimiter(engine, "activate", **sign_in),
            register=RequestLimiter(
                engine,
                "register",
                per_identifier=settings.register_attempts_per_identifier,
                per_ip=settings.register_attempts_per_ip,
                window=3600,
            ),
            password_change=SessionLimiter(
                "password_change", limit=settings.login_attempts_per_identifier, window=settings.login_window_seconds
            ),
            reset_request=RequestLimiter(
                engine,
                "reset_request",
                per_identifier=settings.password_reset_requests_per_identifier,
                per_ip=settings.password_reset_requests_per_ip,
                window=3600,
            ),
            reset_confirm=AttemptLimiter(engine, "reset_confirm", **sign_in),
            # Codes a helper has sent to a citizen's phone or email: a few per number, many per busy commune office.
            citizen_code=RequestLimiter(
                engine,
                "citizen_code",
                per_identifier=settings.password_reset_requests_per_identifier,
                per_ip=10 * settings.password_reset_requests_per_ip,
                window=3600,
            ),
        )


async def get_limits(request: Request) -> AccountLimits:
    return request.app.state.limits


LimitsDep = Annotated[AccountLimits, Depends(get_limits)]


async def get_sms_gateway(request: Request) -> SmsGateway:
    return request.app.state.sms_gateway


SmsDep = Annotated[SmsGateway, Depends(get_sms_gateway)]
