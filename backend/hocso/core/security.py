"""Password hashing, JWTs and the credential-signing keys: the only module that imports passlib and jose."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import threading
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jose import JWTError, jwk, jws, jwt
from passlib.context import CryptContext

from hocso.core.config import Settings
from hocso.core.errors import NotAuthenticated

# Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): ~25 ms a check here, so a small
# machine can serve sign-ins at load without 64 MiB per concurrent hash. Hashes made with other settings
# are redone at the next successful sign-in (accounts.service.authenticate).
ARGON2_PARAMETERS = {"memory_cost": 19456, "time_cost": 2, "parallelism": 1}
# Test runs only (HOCSO_TEST_CHEAP_PASSWORD_HASHING=1, set by tests/conftest.py): argon2's floor, a fraction of
# a millisecond, because a test run signs thousands of people up and in and would spend minutes of CPU on
# hashes no attacker ever sees. Refused when HOCSO_ENVIRONMENT is production.
ARGON2_TEST_PARAMETERS = {"memory_cost": 8, "time_cost": 1, "parallelism": 1}
CHEAP_HASHING_VARIABLE = "HOCSO_TEST_CHEAP_PASSWORD_HASHING"


def argon2_parameters(environ: Mapping[str, str]) -> dict[str, int]:
    """The argon2 cost read from the environment: the strong default unless a test run asks for the floor."""
    if environ.get(CHEAP_HASHING_VARIABLE, "") in ("", "0"):
        return dict(ARGON2_PARAMETERS)
    if environ.get("HOCSO_ENVIRONMENT", "").lower() == "production":
        raise RuntimeError(f"{CHEAP_HASHING_VARIABLE} is for test runs and must not be set in production")
    return dict(ARGON2_TEST_PARAMETERS)


def password_context(environ: Mapping[str, str]) -> CryptContext:
    """The passlib context hashing with the cost environ asks for (argon2_parameters)."""
    cost = argon2_parameters(environ)
    return CryptContext(
        schemes=["argon2"],
        deprecated="auto",
        argon2__memory_cost=cost["memory_cost"],
        argon2__time_cost=cost["time_cost"],
        argon2__parallelism=cost["parallelism"],
    )


@lru_cache(maxsize=1)
def _hasher() -> tuple[CryptContext, str]:
    """The context, and a hash verified against when an identifier is unknown so a failed login takes as long."""
    # Made at the first hash rather than at import, so the environment a test run sets up is the one read.
    context = password_context(os.environ)
    return context, context.hash("hocso-timing-equaliser")


TokenType = Literal["access", "refresh"]


# Argon2 is CPU-bound and runs outside the GIL: more hashes at once than there are cores only queue in the
# kernel, and starve the event loop (health checks included) while they do. So at most half the cores hash
# at once per process; the rest wait here. A hash always finishes on its own, so waiting never depends on
# another thread being free.
_hashing = threading.BoundedSemaphore(max(1, (os.cpu_count() or 2) // 2))


def hash_password(password: str) -> str:
    with _hashing:
        return _hasher()[0].hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Checks a password; with no hash it still spends the time of one check and answers False."""
    with _hashing:
        if not password_hash:
            context, dummy = _hasher()
            context.verify(password, dummy)
            return False
        try:
            return _hasher()[0].verify(password, password_hash)
        except (ValueError, TypeError):
            return False


def _code_key(settings: Settings) -> bytes:
    # A key of its own, derived from the app's secret, so a code's hash says nothing about the JWT key.
    return hmac.new(settings.signing_key().encode(), b"hocso one-time codes v1", hashlib.sha256).digest()


def hash_code(settings: Settings, code: str) -> str:
    """Hashes a random one-time code with a keyed hash: a 50-bit secret needs a key, not a slow hash.

    Without the key a stolen table is no help in guessing codes; with it, argon2 would add ~1e5 times the cost
    to the attacker but also ~25 ms a row to every import.
    """
    return "hmac-sha256$" + hmac.new(_code_key(settings), code.encode(), hashlib.sha256).hexdigest()


def verify_code(settings: Settings, code: str, code_hash: str | None) -> bool:
    """Checks a one-time code against its stored hash (keyed, or argon2 from before); False with no hash."""
    if code_hash and code_hash.startswith("$argon2"):
        return verify_password(code, code_hash)
    expected = hash_code(settings, code)
    return hmac.compare_digest(expected, code_hash or "hmac-sha256$" + "0" * 64)


def needs_rehash(password_hash: str) -> bool:
    """True when a stored hash was made with other settings than today's and should be redone."""
    return _hasher()[0].needs_update(password_hash)


# Not a setting: the one algorithm access and refresh tokens are signed with and the only one accepted.
JWT_ALGORITHM = "HS256"


def create_token(
    settings: Settings, *, subject: str, token_type: TokenType, lifetime: timedelta, extra: dict[str, Any] | None = None
) -> tuple[str, str, datetime]:
    """Signs a token; returns (token, jti, expires_at)."""
    now = datetime.now(UTC)
    expires = now + lifetime
    jti = uuid.uuid4().hex
    claims = {"sub": subject, "typ": token_type, "jti": jti, "iat": int(now.timestamp()), "exp": int(expires.timestamp())}
    claims.update(extra or {})
    token = jwt.encode(claims, settings.signing_key(), algorithm=JWT_ALGORITHM)
    return token, jti, expires


# Kept per token: a phone sends the same access token with every request until it expires. What is kept was
# verified once, and only its time limits can change, which decode_token checks on every use.
@lru_cache(maxsize=4096)
def _verified(key: str, algorithm: str, token: str) -> dict[str, Any]:
    """Returns the claims of a token whose signature and claims check out with key; raises JWTError otherwise."""
    return jwt.decode(token, key, algorithms=[algorithm], options={"require_exp": True, "require_sub": True, "require_jti": True})


def decode_token(settings: Settings, token: str, *, expected_type: TokenType) -> dict[str, Any]:
    """Verifies signature, expiry and type; the algorithm is pinned so `alg: none` or RS/HS swaps fail."""
    try:
        claims = _verified(settings.signing_key(), JWT_ALGORITHM, token)
    except JWTError:
        raise NotAuthenticated() from None
    # What jwt.decode checks against the clock, again for a token verified earlier (the same whole seconds).
    now = int(time.time())
    if claims["exp"] < now or claims.get("nbf", now) > now:
        raise NotAuthenticated()
    if claims.get("typ") != expected_type:
        raise NotAuthenticated()
    return dict(claims)


# Open Badges credentials are signed with ES256 keys kept in settings.issuer_keys_path, one PEM file each,
# named so that the newest sorts last. The newest signs; every key stays in the JWKS so credentials signed
# before a rotation still verify.
CREDENTIAL_ALGORITHM = "ES256"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _public_jwk(pem: bytes) -> dict[str, str]:
    private = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(private, ec.EllipticCurvePrivateKey):
        raise ValueError("the issuer key must be an EC P-256 key")
    numbers = private.public_key().public_numbers()
    fields = {
        "crv": "P-256",
        "kty": "EC",
        "x": _b64url(numbers.x.to_bytes(32, "big")),
        "y": _b64url(numbers.y.to_bytes(32, "big")),
    }
    # RFC 7638 thumbprint: the required members in lexicographic order, no spaces.
    kid = _b64url(hashlib.sha256(json.dumps(fields, separators=(",", ":"), sort_keys=True).encode()).digest())
    return {**fields, "kid": kid, "use": "sig", "alg": CREDENTIAL_ALGORITHM}


def add_issuer_key(directory: Path) -> Path:
    """Makes a new P-256 signing key (mode 600); it signs from now on."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path = directory / f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:6]}.pem"
    tmp = directory / f".{path.name}.{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    os.replace(tmp, path)
    return path


def _issuer_pems(settings: Settings) -> list[bytes]:
    directory = settings.issuer_keys_path
    files = sorted(directory.glob("*.pem")) if directory.is_dir() else []
    if not files:
        add_issuer_key(directory)
        files = sorted(directory.glob("*.pem"))
    return [f.read_bytes() for f in files]


def issuer_jwks(settings: Settings) -> dict[str, list[dict[str, str]]]:
    """The public keys that verify Hocso's credentials, newest last."""
    return {"keys": [_public_jwk(pem) for pem in _issuer_pems(settings)]}


def sign_credential(settings: Settings, payload: dict[str, Any], *, typ: str = "vc+jwt") -> str:
    """Signs a credential as a compact JWS (VC-JWT) with the newest issuer key, its kid in the header."""
    pem = _issuer_pems(settings)[-1]
    kid = _public_jwk(pem)["kid"]
    key = jwk.construct(pem.decode(), CREDENTIAL_ALGORITHM)
    return jws.sign(payload, key, headers={"kid": kid, "typ": typ}, algorithm=CREDENTIAL_ALGORITHM)


def access_token_valid(settings: Settings, token: str) -> bool:
    """True when token is a well-signed, unexpired access token (who it names is not looked up)."""
    try:
        decode_token(settings, token, expected_type="access")
    except NotAuthenticated:
        return False
    return True
