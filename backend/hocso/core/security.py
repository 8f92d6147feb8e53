"""Password hashing and JWTs: the only module that imports passlib and jose."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from jose import JWTError, jwt
from passlib.context import CryptContext

from hocso.core.config import Settings
from hocso.core.errors import NotAuthenticated

# Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): ~25 ms a check here, so a small
# machine can serve sign-ins at load without 64 MiB per concurrent hash. Hashes made with other settings
# are redone at the next successful sign-in (accounts.service.authenticate).
_pwd = CryptContext(
    schemes=["argon2"], deprecated="auto", argon2__memory_cost=19456, argon2__time_cost=2, argon2__parallelism=1
)
# Verified against when an identifier is unknown, so a failed login takes as long either way.
_DUMMY_HASH = _pwd.hash("hocso-timing-equaliser")

TokenType = Literal["access", "refresh"]


def hash_password(password: str) -> str:
    return _pwd.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Checks a password; with no hash it still spends the time of one check and answers False."""
    if not password_hash:
        _pwd.verify(password, _DUMMY_HASH)
        return False
    try:
        return _pwd.verify(password, password_hash)
    except (ValueError, TypeError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when a stored hash was made with other settings than today's and should be redone."""
    return _pwd.needs_update(password_hash)


def create_token(
    settings: Settings, *, subject: str, token_type: TokenType, lifetime: timedelta, extra: dict[str, Any] | None = None
) -> tuple[str, str, datetime]:
    """Signs a token; returns (token, jti, expires_at)."""
    now = datetime.now(UTC)
    expires = now + lifetime
    jti = uuid.uuid4().hex
    claims = {"sub": subject, "typ": token_type, "jti": jti, "iat": int(now.timestamp()), "exp": int(expires.timestamp())}
    claims.update(extra or {})
    token = jwt.encode(claims, settings.signing_key(), algorithm=settings.jwt_algorithm)
    return token, jti, expires


def decode_token(settings: Settings, token: str, *, expected_type: TokenType) -> dict[str, Any]:
    """Verifies signature, expiry and type; the algorithm is pinned so `alg: none` or RS/HS swaps fail."""
    try:
        claims = jwt.decode(
            token,
            settings.signing_key(),
            algorithms=[settings.jwt_algorithm],
            options={"require_exp": True, "require_sub": True, "require_jti": True},
        )
    except JWTError:
        raise NotAuthenticated() from None
    if claims.get("typ") != expected_type:
        raise NotAuthenticated()
    return claims
