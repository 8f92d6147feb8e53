"""Account rules: registration without enumeration, sign-in, refresh rotation, passwords and activation."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import bindparam, update
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from hocso.accounts.delivery import Outgoing
from hocso.accounts.models import ActivationCode, AssistedSession, PasswordReset, RefreshToken, User
from hocso.accounts.schemas import RegisterIn, TokenPair
from hocso.core import security
from hocso.core.config import Settings
from hocso.core.db import table_of
from hocso.core.errors import BadRequest, Invalid, NotAuthenticated
from hocso.core.identifiers import IdentifierRefused, normalize_identifier
from hocso.core.timeutil import to_utc, utcnow


class SignInTooOld(NotAuthenticated):
    """A refresh chain past its absolute lifetime: revoked, and that must stick."""

    keep_changes = True

    def __init__(self) -> None:
        super().__init__(
            "This sign-in is too old to renew. Please sign in again.",
            "Phiên đăng nhập đã quá lâu để gia hạn. Vui lòng đăng nhập lại.",
        )


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
    if not security.verify_password(password, user.password_hash if user else None) or user is None:
        return None
    if user.password_hash and security.needs_rehash(user.password_hash):
        user.password_hash = security.hash_password(password)
        session.add(user)
    return user


def issue_tokens(
    session: Session, settings: Settings, *, user: User, family_id: str | None = None, family_started_at: datetime | None = None
) -> TokenPair:
    """Issues an access token and a refresh token (recorded, in a new or the given family)."""
    access, _, _ = security.create_token(
        settings,
        subject=str(user.id),
        token_type="access",
        lifetime=timedelta(minutes=settings.access_token_minutes),
        extra={"ver": user.token_version},
    )
    family_id = family_id or uuid.uuid4().hex
    now = utcnow()
    family_started_at = family_started_at or now
    # A refresh token never outlives its family: the chain ends refresh_family_days after the sign-in.
    refresh_lifetime = min(
        timedelta(days=settings.refresh_token_days), family_started_at + timedelta(days=settings.refresh_family_days) - now
    )
    refresh, jti, expires = security.create_token(
        settings, subject=str(user.id), token_type="refresh", lifetime=refresh_lifetime, extra={"fam": family_id}
    )
    session.add(
        RefreshToken(
            jti=jti, family_id=family_id, user_id=user.id, expires_at=to_utc(expires), family_started_at=family_started_at
        )
    )
    session.flush()
    return TokenPair(
        access_token=access,
        refresh_token=refresh,
        expires_in=settings.access_token_minutes * 60,
        refresh_expires_in=max(0, int(refresh_lifetime.total_seconds())),
    )


def revoke_family(session: Session, *, family_id: str) -> None:
    session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.family_id) == family_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )


def rotate_refresh_token(session: Session, settings: Settings, *, token: str) -> TokenPair:
    """Swaps a refresh token for a new pair; a token seen twice revokes its whole family."""
    claims = security.decode_token(settings, token, expected_type="refresh")
    row = session.get(RefreshToken, claims["jti"])
    if row is None or str(row.user_id) != claims["sub"]:
        raise NotAuthenticated()
    # Marking it used is one conditional UPDATE, so two concurrent refreshes cannot both succeed.
    marked = session.exec(
        update(RefreshToken)
        .where(col(RefreshToken.jti) == row.jti, col(RefreshToken.used_at).is_(None), col(RefreshToken.revoked_at).is_(None))
        .values(used_at=utcnow())
    ).rowcount
    if marked != 1:
        revoke_family(session, family_id=row.family_id)
        raise TokenReused()
    started = row.family_started_at or row.issued_at
    if utcnow() >= started + timedelta(days=settings.refresh_family_days):
        revoke_family(session, family_id=row.family_id)
        raise SignInTooOld()
    user = session.get(User, row.user_id)
    if user is None:
        raise NotAuthenticated()
    return issue_tokens(session, settings, user=user, family_id=row.family_id, family_started_at=started)


def logout(session: Session, settings: Settings, *, token: str) -> None:
    """Ends the sign-in a refresh token belongs to; an unknown or expired token is already logged out."""
    try:
        claims = security.decode_token(settings, token, expected_type="refresh")
    except NotAuthenticated:
        return
    fam = claims.get("fam")
    if isinstance(fam, str):
        revoke_family(session, family_id=fam)


def user_from_access_token(
    session: Session, settings: Settings, *, token: str, lock: bool = False
) -> tuple[User, AssistedSession | None]:
    """Returns the person an access token names and, for an assisted session's token, that session; or refuses.

    lock takes the person's lock (stats.rollups.lock_person's, until commit) in the same read, for a request
    that goes on to change their progress: one round trip to the database instead of two.
    """
    claims, user_id = _access_claims(settings, token)
    user = session.get(User, user_id, with_for_update={"key_share": True} if lock else None)
    if user is None:
        raise NotAuthenticated()
    return user, _still_valid(session, claims, user.id, user.token_version)


@dataclass(frozen=True)
class Person:
    """Who a request is from, as far as a read of their own records needs: no entity, no identity map."""

    id: uuid.UUID
    agency_id: int | None


_USERS = table_of(User)
_PERSON = core_select(_USERS.c.agency_id, _USERS.c.token_version).where(_USERS.c.id == bindparam("user_id"))


def person_from_access_token(session: Session, settings: Settings, *, token: str) -> tuple[Person, AssistedSession | None]:
    """user_from_access_token's person and refusals for a read, from one Core statement instead of the ORM.

    The ORM's load of the whole person cost /me/progress, the busiest read, a tenth of its CPU.
    """
    claims, user_id = _access_claims(settings, token)
    row = session.connection().execute(_PERSON, {"user_id": user_id}).one_or_none()
    if row is None:
        raise NotAuthenticated()
    return Person(id=user_id, agency_id=row.agency_id), _still_valid(session, claims, user_id, row.token_version)


def _access_claims(settings: Settings, token: str) -> tuple[dict[str, Any], uuid.UUID]:
    """An access token's claims and the id of the person it names; refuses a token that is not one."""
    claims = security.decode_token(settings, token, expected_type="access")
    try:
        return claims, uuid.UUID(claims["sub"])
    except (ValueError, TypeError):
        raise NotAuthenticated() from None


def _still_valid(session: Session, claims: dict[str, Any], user_id: uuid.UUID, token_version: int) -> AssistedSession | None:
    """Refuses a token the person has since revoked, or one of an assisted session that ended; else that session."""
    # Tokens from before a password change or a sign-out everywhere carry an older version.
    if claims.get("ver", 0) != token_version:
        raise NotAuthenticated(
            "You were signed out on this device (password changed or signed out everywhere). Please sign in again.",
            "Bạn đã bị đăng xuất trên thiết bị này (mật khẩu đã đổi hoặc đã đăng xuất mọi nơi). Vui lòng đăng nhập lại.",
        )
    assisted = None
    if "ast" in claims:
        try:
            assisted = session.get(AssistedSession, uuid.UUID(str(claims["ast"])))
        except ValueError:
            assisted = None
        if assisted is None or assisted.citizen_id != user_id or assisted.ended_at is not None:
            raise NotAuthenticated("The assisted session has ended.", "Phiên hỗ trợ đã kết thúc.")
    return assisted


def start_assisted_session(
    session: Session, settings: Settings, *, citizen: User, helper: User, agency_id: int
) -> tuple[AssistedSession, str]:
    """Opens an assisted session for a citizen; returns it and its access token (no refresh token: it is short)."""
    now = utcnow()
    lifetime = timedelta(minutes=ASSISTED_MINUTES)
    row = AssistedSession(
        citizen_id=citizen.id, helper_id=helper.id, agency_id=agency_id, started_at=now, expires_at=now + lifetime
    )
    session.add(row)
    session.flush()
    token, _, _ = security.create_token(
        settings,
        subject=str(citizen.id),
        token_type="access",
        lifetime=lifetime,
        extra={"ver": citizen.token_version, "ast": str(row.id)},
    )
    return row, token


def end_assisted_session(session: Session, *, assisted: AssistedSession) -> None:
    """Signs the citizen out of the shared device: the session's token stops working at once."""
    if assisted.ended_at is None:
        assisted.ended_at = utcnow()
        session.add(assisted)
        session.flush()


def rename(session: Session, *, user: User, full_name: str) -> User:
    """Changes the person's full name."""
    user.full_name = full_name
    session.add(user)
    session.flush()
    return user


def end_all_sessions(session: Session, *, user: User) -> None:
    """Signs the person out everywhere: every refresh token is revoked and every access token issued so far refused."""
    session.execute(update(User).where(col(User.id) == user.id).values(token_version=col(User.token_version) + 1))
    session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.user_id) == user.id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    session.flush()
    session.refresh(user)


class WrongCurrentPassword(BadRequest):
    """The current password did not match: the counted try must stick."""

    keep_changes = True

    def __init__(self) -> None:
        super().__init__("The current password is not right.", "Mật khẩu hiện tại không đúng.")


def change_password(session: Session, *, user: User, current_password: str, new_password: str) -> None:
    """Sets a new password after checking the current one, and ends every sign-in."""
    if not security.verify_password(current_password, user.password_hash):
        raise WrongCurrentPassword()
    set_password(session, user=user, password=new_password)


def set_password(session: Session, *, user: User, password: str) -> None:
    """Stores a new password hash and ends every sign-in of the person."""
    user.password_hash = security.hash_password(password)
    session.add(user)
    session.flush()
    end_all_sessions(session, user=user)


# --- Password reset -----------------------------------------------------------------------------------------

# An assisted session on a shared device lasts at most this long; signing out ends it sooner.
ASSISTED_MINUTES = 60

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I, for codes read aloud or from paper


class WrongResetCode(BadRequest):
    """A reset code that does not match: the try is counted, and that must stick."""

    keep_changes = True

    def __init__(self) -> None:
        super().__init__(
            "This code is not valid or has expired. Ask for a new one.",
            "Mã không hợp lệ hoặc đã hết hạn. Hãy xin mã mới.",
        )


def _store_reset_code(
    session: Session, settings: Settings, *, user: User, code: str, sent_by: str, lifetime: timedelta
) -> datetime:
    expires = utcnow() + lifetime
    row = session.get(PasswordReset, user.id) or PasswordReset(user_id=user.id, code_hash="", expires_at=expires, sent_by=sent_by)
    # Bound to the person, so a code is only ever good for the account it was made for.
    row.code_hash = security.hash_code(settings, f"reset:{user.id}:{code}")
    row.expires_at = expires
    row.tries = 0
    row.sent_by = sent_by
    row.created_at = utcnow()
    session.add(row)
    session.flush()
    return expires


def request_password_reset(session: Session, settings: Settings, *, identifier: str, channels: set[str]) -> list[Outgoing]:
    """Makes a reset code for the person with that identifier, if any; returns the messages that carry it."""
    # Nobody with that identifier, or no channel that reaches them, gives no message and no row; the caller
    # answers the same either way.
    user = find_by_identifier(session, identifier)
    if user is None:
        return []
    pairs: tuple[tuple[Literal["email", "sms"], str | None], ...] = (("email", user.email), ("sms", user.phone))
    targets = [(c, to) for c, to in pairs if to and c in channels]
    if not targets:
        return []
    code = "".join(secrets.choice("0123456789") for _ in range(6))
    minutes = settings.password_reset_code_minutes
    _store_reset_code(session, settings, user=user, code=code, sent_by=targets[0][0], lifetime=timedelta(minutes=minutes))
    text = (
        f"Mã đặt lại mật khẩu Hocso của bạn: {code} (hết hạn sau {minutes} phút). "
        "Nếu bạn không yêu cầu, hãy bỏ qua tin này.\n"
        f"Your Hocso password reset code: {code} (expires in {minutes} minutes). If you did not ask for it, ignore this.\n"
    )
    return [
        Outgoing(channel=c, to=to, subject="Hocso: mã đặt lại mật khẩu / password reset code", text=text) for c, to in targets
    ]


def issue_agency_reset_code(session: Session, settings: Settings, *, member: User) -> tuple[str, datetime]:
    """Makes a reset code an agency admin hands to a member whose email or phone does not reach them."""
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
    expires = _store_reset_code(
        session, settings, user=member, code=code, sent_by="agency", lifetime=timedelta(hours=settings.agency_reset_code_hours)
    )
    return code, expires


def confirm_password_reset(session: Session, settings: Settings, *, identifier: str, code: str, new_password: str) -> User:
    """Sets a new password with a valid reset code, and ends every sign-in; a wrong code uses up one try."""
    user = find_by_identifier(session, identifier)
    row = session.get(PasswordReset, user.id) if user else None
    if user is None or row is None or row.expires_at <= utcnow() or row.tries >= settings.password_reset_code_tries:
        raise WrongResetCode()
    typed = "".join(code.split()).replace("-", "").upper()
    if not security.verify_code(settings, f"reset:{user.id}:{typed}", row.code_hash):
        row.tries += 1
        session.add(row)
        session.flush()
        raise WrongResetCode()
    session.delete(row)
    set_password(session, user=user, password=new_password)
    return user


def sessions_of(session: Session, *, user: User) -> list[dict]:
    rows = session.exec(select(RefreshToken).where(col(RefreshToken.user_id) == user.id).order_by(col(RefreshToken.issued_at)))
    return [
        {
            "issued_at": r.issued_at,
            "expires_at": r.expires_at,
            "used_at": r.used_at,
            "revoked_at": r.revoked_at,
        }
        for r in rows
    ]


def activate_invitation(session: Session, settings: Settings, *, identifier: str, code: str, password: str) -> User:
    """Sets the first password of an imported person who holds a valid one-time code."""
    user = find_by_identifier(session, identifier)
    invitation = session.get(ActivationCode, user.id) if user else None
    # The code is checked even with no invitation, so the answer takes as long either way.
    # Codes are read aloud and typed in groups: spaces anywhere are not part of the code.
    ok = security.verify_code(settings, "".join(code.split()).upper(), invitation.code_hash if invitation else None)
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
