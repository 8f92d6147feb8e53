"""Community digital team helpers: citizens registered with their consent, assisted sessions, helper roles."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from hocso.accounts.models import AssistedSession, CitizenConsent, Role, RoleKind, User
from hocso.agencies import access
from hocso.agencies.access import Action
from hocso.agencies.audit import record as record_audit
from hocso.agencies.models import Agency
from hocso.agencies.tree import subtree_filter
from hocso.core.errors import Conflict, Invalid, NotFound

# The consent a helper reads to the citizen before registering them. A changed text gets a new version; each
# registration keeps the version the citizen agreed to.
CONSENT_VERSION = "2026-12"
CONSENT_TEXT = {
    "vi": (
        "Tôi đồng ý để thành viên tổ công nghệ số cộng đồng tạo tài khoản Hocso cho tôi và giúp tôi học trên "
        "thiết bị dùng chung. Hocso lưu họ tên, số điện thoại (nếu có), bài đã học và kết quả, và ghi lại việc học "
        "có người hỗ trợ. Dữ liệu là của tôi: tôi có thể xin bản sao hoặc yêu cầu xóa bất cứ lúc nào."
    ),
    "en": (
        "I agree that a community digital team helper creates a Hocso account for me and helps me learn on a "
        "shared device. Hocso keeps my name, my phone number (if given), the lessons I take and my results, and "
        "records that I was helped. The data is mine: I can get a copy or have it erased at any time."
    ),
}


def register_citizen(
    session: Session,
    *,
    helper: User,
    agency: Agency,
    full_name: str,
    phone: str | None,
    email: str | None,
    consent: bool,
    consent_version: str,
) -> tuple[User, CitizenConsent]:
    """Creates a citizen's account for them, recording their consent (which text, when, given to whom)."""
    if not consent:
        raise Invalid(
            "The citizen's consent is needed: read them the text and tick the box once they agree.",
            "Cần sự đồng ý của người dân: đọc cho họ nghe nội dung và đánh dấu ô khi họ đồng ý.",
        )
    if consent_version != CONSENT_VERSION:
        raise Invalid(
            f"The consent text has changed (now version {CONSENT_VERSION}); reload the page and read it again.",
            f"Nội dung đồng ý đã thay đổi (nay là phiên bản {CONSENT_VERSION}); hãy tải lại trang và đọc lại.",
        )
    taken = [i for i in (phone, email) if i]
    if taken and session.exec(select(User.id).where(or_(col(User.phone).in_(taken), col(User.email).in_(taken)))).first():
        raise Conflict(
            "This phone or email already has an account: the citizen can sign in with it, or register without it.",
            "Số điện thoại hoặc email này đã có tài khoản: người dân đăng nhập bằng nó, hoặc đăng ký không cần nó.",
        )
    citizen = User(full_name=full_name, phone=phone, email=email)
    session.add(citizen)
    session.flush()
    record = CitizenConsent(user_id=citizen.id, agency_id=agency.id, helper_id=helper.id, consent_version=consent_version)
    session.add(record)
    session.flush()
    record_audit(
        session,
        actor=helper,
        agency=agency,
        action="citizen_registered",
        detail={"citizen": str(citizen.id), "consent_version": consent_version},
    )
    return citizen, record


def citizens_of(session: Session, *, caller: User, agency: Agency) -> list[tuple[User, CitizenConsent, Agency]]:
    """Citizens registered in the agency's subtree: all for its managers, a helper's own for a helper."""
    stmt = (
        select(User, CitizenConsent, Agency)
        .join(CitizenConsent, col(CitizenConsent.user_id) == col(User.id))
        .join(Agency, col(Agency.id) == col(CitizenConsent.agency_id))
        .where(subtree_filter(agency.path))
        .order_by(col(User.name_key), col(User.id))
    )
    if not access.may(session, user=caller, action=Action.manage, agency=agency):
        stmt = stmt.where(col(CitizenConsent.helper_id) == caller.id)
    return [(u, c, a) for u, c, a in session.exec(stmt).all()]


def citizen_in_subtree(session: Session, *, agency: Agency, citizen_id: uuid.UUID) -> tuple[User, CitizenConsent, Agency]:
    """Returns a citizen registered in the agency's subtree, their consent and where they were registered; or 404."""
    row = session.exec(
        select(User, CitizenConsent, Agency)
        .join(CitizenConsent, col(CitizenConsent.user_id) == col(User.id))
        .join(Agency, col(Agency.id) == col(CitizenConsent.agency_id))
        .where(col(User.id) == citizen_id, subtree_filter(agency.path))
    ).first()
    if row is None:
        raise NotFound("There is no such citizen registered here.", "Không có người dân này đăng ký tại đây.")
    return row[0], row[1], row[2]


def session_started(session: Session, *, helper: User, agency: Agency, citizen: User, assisted: AssistedSession) -> None:
    record_audit(
        session,
        actor=helper,
        agency=agency,
        action="assisted_session_started",
        detail={"citizen": str(citizen.id), "session": str(assisted.id)},
    )


def grant_helper(session: Session, *, by: User, agency: Agency, identifier: str) -> tuple[User, bool]:
    """Makes the person with this email or phone a helper of the agency's subtree; audit-logged when new."""
    person = session.exec(select(User).where(or_(col(User.email) == identifier, col(User.phone) == identifier))).first()
    if person is None:
        raise NotFound(
            "No account has this email or phone; the helper registers first.",
            "Không có tài khoản với email hoặc số điện thoại này; người hỗ trợ cần đăng ký trước.",
        )
    _, new = access.grant(session, user=person, kind=RoleKind.helper, agency=agency, by=by.id)
    if new:
        record_audit(
            session,
            actor=by,
            agency=agency,
            action="role_granted",
            detail={"user": str(person.id), "kind": RoleKind.helper.value},
        )
    return person, new


def helpers_of(session: Session, *, agency: Agency) -> list[tuple[User, Agency, datetime]]:
    """Helpers holding a role in the agency's subtree, with where and since when."""
    rows = session.exec(
        select(User, Agency, col(Role.granted_at))
        .join(Role, col(Role.user_id) == col(User.id))
        .join(Agency, col(Agency.id) == col(Role.agency_id))
        .where(col(Role.kind) == RoleKind.helper, subtree_filter(agency.path))
        .order_by(col(User.name_key), col(Agency.code))
    ).all()
    return [(u, a, t) for u, a, t in rows]
