"""Web Push: the VAPID key pair kept in the data dir, people's subscribed devices, and delivering a notice."""

from __future__ import annotations

import base64
import ipaddress
import json
import logging
import os
import uuid
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import Column, ForeignKey, String, Text, Uuid, delete
from sqlmodel import Field, Session, SQLModel, col, select

from hocso.core.config import Settings
from hocso.core.errors import Invalid
from hocso.core.timeutil import utcnow

log = logging.getLogger("hocso.push")


class PushSubscription(SQLModel, table=True):
    """A browser's push endpoint for one person (a PushSubscription from the PWA)."""

    __tablename__ = "push_subscription"

    id: int | None = Field(default=None, primary_key=True)
    user_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    endpoint: str = Field(sa_column=Column(Text, nullable=False))
    # The endpoint is unique per browser; a hash of it keeps the unique index short on both databases.
    endpoint_key: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    p256dh: str = Field(max_length=200)
    auth: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)


# --- VAPID keys -----------------------------------------------------------------------------------------------


def vapid_key_path(settings: Settings) -> Path:
    """Returns the VAPID private key file, made on first run like the JWT secret (first writer wins)."""
    path = settings.data_dir / "vapid_private.pem"
    if path.exists():
        return path
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    tmp = settings.data_dir / f".vapid_private.{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def vapid_public_key(settings: Settings) -> str:
    """The application server key a browser subscribes with: the uncompressed P-256 point, base64url."""
    private = serialization.load_pem_private_key(vapid_key_path(settings).read_bytes(), password=None)
    return _b64url(private.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))


# --- Subscriptions --------------------------------------------------------------------------------------------


def _key(endpoint: str) -> str:
    import hashlib

    return hashlib.sha256(endpoint.encode()).hexdigest()


def _check_endpoint(endpoint: str, settings: Settings) -> None:
    """Push services are public HTTPS; anything else would let a learner aim the server at an internal address."""
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    local = False
    try:
        address = ipaddress.ip_address(host)
        local = address.is_loopback
        private = address.is_private or address.is_link_local or address.is_reserved
    except ValueError:
        private = host == "localhost" or host.endswith(".local") or "." not in host
        local = host == "localhost"
    if parts.scheme == "https" and host and not private:
        return
    # Development and tests have no push service: a loopback endpoint stands in for one there.
    if settings.environment in ("development", "test") and local and parts.scheme in ("http", "https"):
        return
    raise Invalid(
        "The push endpoint must be an https address of a public push service.",
        "Địa chỉ nhận thông báo phải là địa chỉ https của một dịch vụ thông báo công khai.",
    )


def _check_key(value: str, *, length: int, name: str) -> None:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (ValueError, TypeError):
        raw = b""
    if len(raw) != length:
        raise Invalid(f"keys.{name} is not a browser push key.", f"keys.{name} không phải khóa thông báo của trình duyệt.")


def subscribe(session: Session, *, user_id: uuid.UUID, endpoint: str, p256dh: str, auth: str, settings: Settings) -> None:
    """Stores a device's subscription for the person; a browser that changed hands now belongs to them alone."""
    _check_endpoint(endpoint, settings)
    _check_key(p256dh, length=65, name="p256dh")
    _check_key(auth, length=16, name="auth")
    sub = session.exec(select(PushSubscription).where(PushSubscription.endpoint_key == _key(endpoint))).first()
    if sub is None:
        sub = PushSubscription(user_id=user_id, endpoint=endpoint, endpoint_key=_key(endpoint), p256dh=p256dh, auth=auth)
    sub.user_id, sub.p256dh, sub.auth = user_id, p256dh, auth
    session.add(sub)
    session.flush()


def unsubscribe(session: Session, *, user_id: uuid.UUID, endpoint: str) -> None:
    """Forgets the person's subscription for that endpoint (nothing happens for someone else's)."""
    session.execute(
        delete(PushSubscription).where(
            col(PushSubscription.endpoint_key) == _key(endpoint), col(PushSubscription.user_id) == user_id
        )
    )
    session.flush()


# --- Delivery ---------------------------------------------------------------------------------------------------


def _contact(settings: Settings) -> str:
    """VAPID's "sub": the public https address, or a mailto a push service accepts when there is none."""
    return settings.base_url if settings.base_url.startswith("https://") else "mailto:hocso@localhost"


def send(settings: Settings, sub: PushSubscription, payload: dict) -> bool:
    """Sends one encrypted push; returns False when the push service says the subscription is gone."""
    from pywebpush import WebPushException, webpush

    try:
        webpush(
            subscription_info={"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}},
            data=json.dumps(payload, ensure_ascii=False),
            vapid_private_key=str(vapid_key_path(settings)),
            vapid_claims={"sub": _contact(settings)},
            ttl=24 * 3600,
            timeout=10,
        )
    except WebPushException as exc:
        status = exc.response.status_code if exc.response is not None else None
        if status in (404, 410):
            return False
        log.warning("push to %s failed: %s", urlsplit(sub.endpoint).hostname, status or exc)
        raise
    return True
