"""Account rules: registration without enumeration, sign-in, refresh rotation, export and erasure."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, select

from hocso.accounts.models import ROLES, RefreshToken, User
from hocso.accounts.schemas import RegisterIn, TokenPair
from hocso.agencies.models import Invitation
from hocso.agencies.service import forget_person, leave_before_erasure
from hocso.certificates.service import revoke_all_of as revoke_certificates
from hocso.core import security
from hocso.core.config import Settings
from hocso.core.errors import BadRequest, Invalid, NotAuthenticated
from hocso.core.identifiers import IdentifierRefused, normalize_identifier
from hocso.core.timeutil import to_utc, utcnow
from hocso.learning.models import Attempt, ModuleProgress, ProgressEvent


class TokenReused(NotAuthenticated):
    """A refresh token came back after it was used: the whole family is revoked, and that must stick."""

    keep_changes = True

    def __init__(self) -> None:
        super().__init__(
            "This sign-in was ended because its refresh token was used twice. Please sign in again.",
            "Phiên đăng nhập đã bị kết thúc vì mã làm mới được dùng hai lần. Vui lòng đăng nhập lại.",
        )


def sign_in_identifier(raw: str) -> str:
    """Returns the canonical email or phone of what a person typed, or refuses it saying why (422)."""
    try:
        return normalize_identifier(raw)[1]
    except IdentifierRefused as exc:
        raise Invalid(exc.en[0].upper() + exc.en[1:] + ".", exc.vi[0].upper() + exc.vi[1:] + ".") from None


def find_by_identifier(session: Session, identifier: str) -> User | None:
    """Finds a person by email or phone, in any spelling the normaliser folds to theirs."""
    try:
        kind, value = normalize_identifier(identifier)
    except IdentifierRefused:
        return None
    column = User.email if kind == "email" else User.phone
    return session.exec(select(User).where(column == value)).first()


def register(session: Session, *, data: RegisterIn) -> User:
    """Creates an account; if the email or phone is taken, returns an unsaved look-alike and changes nothing."""
    password_hash = security.hash_password(data.password)  # spent on both paths, so timing tells nothing
    clauses = []
    if data.email:
        clauses.append(User.email == data.email)
    if data.phone:
        clauses.append(User.phone == data.phone)
    taken = any(session.exec(select(User.id).where(c)).first() for c in clauses)
    user = User(email=data.email, phone=data.phone, full_name=data.full_name, password_hash=password_hash)
    if taken:
        # The owner could be told by email/SMS here; the caller sees the same answer as for a new account.
        return user
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, *, identifier: str, password: str) -> User | None:
    """Returns the person if the password matches; checks a dummy hash when nobody has that identifier."""
    user = find_by_identifier(session, identifier)
    if not security.verify_password(password, user.password_hash if user else None):
        return None
    if security.needs_rehash(user.password_hash):
        user.password_hash = security.hash_password(password)
        session.add(user)
    return user


def issue_tokens(session: Session, settings: Settings, *, user: User, family_id: str | None = None) -> TokenPair:
    """Issues an access token and a refresh token (recorded, in a new or the given family)."""
    access, _, _ = security.create_token(
        settings,
        subject=str(user.id),
        token_type="access",
        lifetime=timedelta(minutes=settings.access_token_minutes),
    )
    family_id = family_id or uuid.uuid4().hex
    refresh_lifetime = timedelta(days=settings.refresh_token_days)
    refresh, jti, expires = security.create_token(
        settings, subject=str(user.id), token_type="refresh", lifetime=refresh_lifetime, extra={"fam": family_id}
    )
    session.add(RefreshToken(jti=jti, family_id=family_id, user_id=user.id, expires_at=to_utc(expires)))
    session.flush()
    return TokenPair(
        access_token=access,
        refresh_token=refresh,
        expires_in=settings.access_token_minutes * 60,
        refresh_expires_in=int(refresh_lifetime.total_seconds()),
    )


def revoke_family(session: Session, *, family_id: str) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def rotate_refresh_token(session: Session, settings: Settings, *, token: str) -> TokenPair:
    """Swaps a refresh token for a new pair; a token seen twice revokes its whole family."""
    claims = security.decode_token(settings, token, expected_type="refresh")
    row = session.get(RefreshToken, claims["jti"])
    if row is None or str(row.user_id) != claims["sub"]:
        raise NotAuthenticated()
    # Marking it used is one conditional UPDATE, so two concurrent refreshes cannot both succeed.
    marked = session.execute(
        update(RefreshToken)
        .where(RefreshToken.jti == row.jti, RefreshToken.used_at.is_(None), RefreshToken.revoked_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    if marked != 1:
        revoke_family(session, family_id=row.family_id)
        raise TokenReused()
    user = session.get(User, row.user_id)
    if user is None:
        raise NotAuthenticated()
    return issue_tokens(session, settings, user=user, family_id=row.family_id)


def logout(session: Session, settings: Settings, *, token: str) -> None:
    """Ends the sign-in a refresh token belongs to; an unknown or expired token is already logged out."""
    try:
        claims = security.decode_token(settings, token, expected_type="refresh")
    except NotAuthenticated:
        return
    fam = claims.get("fam")
    if isinstance(fam, str):
        revoke_family(session, family_id=fam)


def user_from_access_token(session: Session, settings: Settings, *, token: str) -> User:
    """Returns the person an access token names, or refuses."""
    claims = security.decode_token(settings, token, expected_type="access")
    try:
        user_id = uuid.UUID(claims["sub"])
    except (ValueError, TypeError):
        raise NotAuthenticated() from None
    user = session.get(User, user_id)
    if user is None:
        raise NotAuthenticated()
    return user


def set_roles(user: User, roles: list[str]) -> None:
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise Invalid(f"Unknown role(s): {', '.join(unknown)}. Roles are: {', '.join(ROLES)}.")
    user.roles = ",".join(dict.fromkeys(["learner", *roles]))


def sessions_of(session: Session, *, user: User) -> list[dict]:
    rows = session.exec(select(RefreshToken).where(RefreshToken.user_id == user.id).order_by(RefreshToken.issued_at))
    return [
        {
            "issued_at": r.issued_at,
            "expires_at": r.expires_at,
            "used_at": r.used_at,
            "revoked_at": r.revoked_at,
        }
        for r in rows
    ]


def delete_account(session: Session, *, user: User) -> None:
    """Erases the person: their row and everything tied to it (tokens, events, attempts, progress)."""
    leave_before_erasure(session, user=user)  # the agency's counts drop before the progress is gone
    revoke_certificates(session, user_id=user.id)  # verifiers see "revoked" and no name from now on
    # Explicit deletes rather than relying on ON DELETE CASCADE alone, so SQLite files made without
    # foreign-key enforcement are cleaned too.
    session.execute(delete(Invitation).where(Invitation.user_id == user.id))
    forget_person(session, user=user)
    for table in (ProgressEvent, Attempt, ModuleProgress, RefreshToken):
        session.execute(delete(table).where(table.user_id == user.id))
    session.delete(user)
    session.flush()


def activate_invitation(session: Session, settings: Settings, *, identifier: str, code: str, password: str) -> User:
    """Sets the first password of an imported person who holds a valid one-time code."""
    user = find_by_identifier(session, identifier)
    invitation = session.get(Invitation, user.id) if user else None
    # The code is checked even with no invitation, so the answer takes as long either way.
    ok = security.verify_code(settings, code.strip().upper(), invitation.code_hash if invitation else None)
    # An account that has a password is its owner's: a code (left over, or issued by mistake) never resets it.
    if not ok or invitation is None or user is None or invitation.expires_at < utcnow() or user.password_hash:
        raise BadRequest(
            "This code is not valid or has expired. Ask your agency for a new one.",
            "Mã không hợp lệ hoặc đã hết hạn. Hãy xin cơ quan của bạn mã mới.",
        )
    user.password_hash = security.hash_password(password)
    session.add(user)
    session.delete(invitation)
    session.flush()
    return user
