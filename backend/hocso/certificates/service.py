"""Certificates: issued when a completion is stored, revoked when their holder is erased, shown to anyone who verifies."""

from __future__ import annotations

import base64
import gzip
import secrets
import uuid
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, case, update
from sqlmodel import Session, col, select

from hocso.certificates.models import Certificate
from hocso.core.config import Settings
from hocso.core.db import dialect_insert, table_of
from hocso.core.errors import NotFound
from hocso.core.timeutil import utcnow

# Each status list holds this many certificates: the Bitstring Status List minimum (16 KB), which hides
# which certificate a verifier is checking among many.
STATUS_LIST_SIZE = 131_072
ISSUER_NAME = {"vi": "Hocso – Bình dân học vụ số", "en": "Hocso – Digital learning for everyone"}
_NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: numbers are read aloud and typed


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _new_ids(year: int) -> tuple[str, str]:
    number = f"HS-{year}-{''.join(secrets.choice(_NUMBER_ALPHABET) for _ in range(8))}"
    return secrets.token_urlsafe(18), number


_CERTS = table_of(Certificate)


@lru_cache
def _issue_statement(dialect: str):
    """INSERT of a certificate that, when the person holds it already, re-dates or re-issues it instead; built once.

    An earlier completion synced late moves the achievement's date back, a revoked one is earned again from
    this completion, and a completion moved to another year takes its certificate with it. One statement
    without reading the held certificates first: on the busiest write an ORM read and flush of one or two
    rows cost more than the SQL they send.
    """
    stmt = dialect_insert(dialect, _CERTS)
    held, new = _CERTS.c, stmt.excluded
    return stmt.on_conflict_do_update(
        index_elements=[held.user_id, held.subject],
        set_={
            "achieved_at": case(
                (held.revoked_at.is_not(None) | (new.achieved_at < held.achieved_at), new.achieved_at),
                else_=held.achieved_at,
            ),
            "year": new.year,
            "revoked_at": None,
        },
        where=held.revoked_at.is_not(None) | (held.achieved_at > new.achieved_at) | (held.year != new.year),
    )


_REVOKE_SUBJECT = (
    update(_CERTS)
    .where(
        _CERTS.c.user_id == bindparam("holder"),
        _CERTS.c.subject == bindparam("of"),
        _CERTS.c.revoked_at.is_(None),
    )
    .values(revoked_at=bindparam("at"))
)


def _row(
    *,
    user_id: uuid.UUID,
    holder_name: str,
    subject: str,
    kind: str,
    year: int,
    names: dict[str, str],
    achieved_at: datetime,
    module_slug: str | None,
) -> dict[str, Any]:
    cert_id, number = _new_ids(year)
    return {
        "id": cert_id,
        "number": number,
        "user_id": user_id,
        "subject": subject,
        "kind": kind,
        "module_slug": module_slug,
        "year": year,
        "holder_name": holder_name,
        "name_vi": names["vi"],
        "name_en": names["en"],
        "achieved_at": achieved_at,
        "issued_at": utcnow(),
        "revoked_at": None,
    }


def completion_stored(
    session: Session,
    *,
    user_id: uuid.UUID,
    holder_name: str,
    slug: str,
    titles: dict[str, str],
    achieved_at: datetime,
    year: int,
    years: dict[int, int],
    target: int,
) -> None:
    """Issues (or re-dates) the module's certificate and the year's; years counts new skills per year after this one."""
    achieved_at = _aware(achieved_at)
    common: dict[str, Any] = {"user_id": user_id, "holder_name": holder_name, "achieved_at": achieved_at}
    rows = [_row(**common, subject=f"module:{slug}", kind="module", year=year, names=titles, module_slug=slug)]
    for y, count in sorted(years.items()):
        subject = f"year:{y}"
        if count >= target:
            names = {
                "vi": f"Học một kỹ năng số mới trong năm {y}",
                "en": f"Learned a new digital skill in {y}",
            }
            rows.append(_row(**common, subject=subject, kind="year", year=y, names=names, module_slug=None))
        else:
            # The year's only new skill turned out to belong to an earlier year.
            session.execute(_REVOKE_SUBJECT, {"holder": user_id, "of": subject, "at": utcnow()})
    session.execute(_issue_statement(session.get_bind().dialect.name), rows)


def revoke_all_of(session: Session, *, user_id: uuid.UUID) -> None:
    """Revokes a person's certificates and removes their name from them, before their account is erased."""
    session.execute(
        update(Certificate).where(col(Certificate.user_id) == user_id).values(revoked_at=utcnow(), holder_name=None, user_id=None)
    )


def certificates_of(session: Session, *, user_id: uuid.UUID) -> list[Certificate]:
    """The person's certificates, newest achievement first."""
    rows = session.exec(select(Certificate).where(col(Certificate.user_id) == user_id, col(Certificate.revoked_at).is_(None)))
    return sorted(rows, key=lambda c: (_aware(c.achieved_at), c.seq or 0), reverse=True)


def get_certificate(session: Session, cert_id: str) -> Certificate:
    """Any certificate by its id, for public verification."""
    cert = session.exec(select(Certificate).where(Certificate.id == cert_id)).first() if len(cert_id) <= 40 else None
    if cert is None:
        raise NotFound("There is no certificate with this code.", "Không có chứng nhận nào mang mã này.")
    return cert


def held_certificate(session: Session, cert_id: str, *, user_id: uuid.UUID) -> Certificate:
    """A certificate of the caller's; someone else's is as unknown as a missing one."""
    cert = get_certificate(session, cert_id)
    if cert.user_id != user_id or cert.revoked_at is not None:
        raise NotFound("There is no certificate with this code.", "Không có chứng nhận nào mang mã này.")
    return cert


def status_of(cert: Certificate) -> str:
    return "revoked" if cert.revoked_at is not None else "valid"


def urls(settings: Settings, cert: Certificate) -> dict[str, str]:
    base = settings.base_url
    return {
        "verify_url": f"{base}/verify/{cert.id}",
        "pdf_url": f"{base}/api/v1/certificates/{cert.id}.pdf",
        "credential_url": f"{base}/api/v1/certificates/{cert.id}/credential",
    }


def criteria(cert: Certificate, lang: str) -> str:
    if cert.kind == "module":
        return {
            "vi": "Học các bài của học phần và đạt bài kiểm tra cuối học phần trên Hocso.",
            "en": "Studied the module's lessons and passed its final quiz on Hocso.",
        }[lang]
    return {
        "vi": f"Hoàn thành ít nhất một học phần mới trên Hocso trong năm {cert.year} (giờ Việt Nam).",
        "en": f"Completed at least one new module on Hocso in {cert.year} (Vietnam time).",
    }[lang]


def public_view(settings: Settings, cert: Certificate, lang: str) -> dict[str, Any]:
    """What anyone holding the link may see; an erased holder's name is gone."""
    revoked = cert.revoked_at is not None
    return {
        "id": cert.id,
        "number": cert.number,
        "status": status_of(cert),
        "kind": cert.kind,
        "module": cert.module_slug,
        "year": cert.year,
        "holder_name": None if revoked else cert.holder_name,
        "achievement": {"name": cert.name_vi if lang == "vi" else cert.name_en, "criteria": criteria(cert, lang)},
        "achieved_at": _aware(cert.achieved_at),
        "issued_at": _aware(cert.issued_at),
        "issuer": {"name": ISSUER_NAME[lang], "url": settings.base_url},
        "verify_url": urls(settings, cert)["verify_url"],
    }


def status_list_position(cert: Certificate) -> tuple[int, int]:
    """(list number, index in it) of a certificate."""
    assert cert.seq is not None
    return (cert.seq - 1) // STATUS_LIST_SIZE, (cert.seq - 1) % STATUS_LIST_SIZE


def encoded_status_list(session: Session, list_number: int) -> str:
    """The revocation bits of one list, GZIP-compressed and multibase base64url ('u' prefix), as the spec says."""
    first = list_number * STATUS_LIST_SIZE + 1
    revoked = session.exec(
        select(Certificate.seq).where(
            col(Certificate.seq) >= first,
            col(Certificate.seq) < first + STATUS_LIST_SIZE,
            col(Certificate.revoked_at).is_not(None),
        )
    ).all()
    bits = bytearray(STATUS_LIST_SIZE // 8)
    for seq in revoked:
        assert seq is not None  # a stored certificate always has its number
        index = seq - first
        bits[index // 8] |= 0x80 >> (index % 8)  # index 0 is the left-most bit of the first byte
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode()


def status_list_exists(session: Session, list_number: int) -> bool:
    if list_number < 0:
        return False
    first = list_number * STATUS_LIST_SIZE + 1
    return session.exec(select(Certificate.seq).where(col(Certificate.seq) >= first).limit(1)).first() is not None
