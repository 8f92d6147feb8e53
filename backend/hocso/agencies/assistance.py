"""Community digital team helpers: citizens registered with their consent, assisted sessions, helper roles."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, or_
from sqlmodel import Session, col, select

from hocso.accounts.delivery import Outgoing
from hocso.accounts.models import AssistedSession, CitizenConsent, CitizenRegistration, Role, RoleKind, User
from hocso.agencies import access
from hocso.agencies.access import Action
from hocso.agencies.audit import record as record_audit
from hocso.agencies.models import Agency
from hocso.agencies.tree import in_subtree, subtree_filter
from hocso.core import security
from hocso.core.config import Settings
from hocso.core.errors import BadRequest, Forbidden, Invalid, NotFound
from hocso.core.timeutil import utcnow

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


REGISTRATION_CODE_MINUTES = 15
REGISTRATION_CODE_TRIES = 5


class WrongRegistrationCode(BadRequest):
    """A registration code that does not match: the try is counted, and that must stick."""

    keep_changes = True

    def __init__(self) -> None:
        super().__init__(
            "This code is not valid or has expired. Check it with the citizen, or register them again for a new one.",
            "Mã không hợp lệ hoặc đã hết hạn. Hãy đọc lại mã với người dân, hoặc đăng ký lại để nhận mã mới.",
        )


def check_consent(*, consent: bool, consent_version: str) -> None:
    """Refuses a registration the citizen has not agreed to, or agreed to in an older text."""
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


def register_citizen(
    session: Session, *, helper: User, agency: Agency, full_name: str, consent_version: str, citizen: User | None = None
) -> tuple[User, CitizenConsent]:
    """Creates a citizen's account (or links the one they proved is theirs), recording their consent."""
    if citizen is None:
        citizen = User(full_name=full_name)
        session.add(citizen)
        session.flush()
    record = session.get(CitizenConsent, citizen.id) or CitizenConsent(
        user_id=citizen.id, agency_id=agency.id, consent_version=consent_version
    )
    # Registered again (in another commune, or after a new text): the consent given now is the one kept.
    record.agency_id, record.helper_id = agency.id, helper.id
    record.consent_version, record.consented_at = consent_version, utcnow()
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


def start_registration(
    session: Session,
    settings: Settings,
    *,
    helper: User,
    agency: Agency,
    full_name: str,
    phone: str | None,
    email: str | None,
    consent_version: str,
    channels: set[str],
) -> tuple[CitizenRegistration, Outgoing]:
    """Sends a code to the citizen's phone or email; the account is made once the helper types it back.

    The answer is the same whether or not that phone or email has an account, so a helper cannot use this to
    learn who is registered; its owner, if not the person beside the helper, is told by the message itself.
    """
    if phone and email:
        raise Invalid(
            "Give a phone number or an email address, not both: the confirmation code goes to one of them.",
            "Chỉ nhập số điện thoại hoặc email, không nhập cả hai: mã xác nhận được gửi tới một trong hai.",
        )
    channel, contact = ("sms", phone) if phone else ("email", email)
    assert contact is not None
    if channel not in channels:
        raise Invalid(
            "This server cannot send text messages or emails yet: register the citizen without a phone number or "
            "email, or ask the administrator to set up SMS (HOCSO_SMS_WEBHOOK_URL) or email (HOCSO_SMTP_HOST).",
            "Máy chủ chưa gửi được tin nhắn hoặc email: hãy đăng ký người dân không kèm số điện thoại hay email, hoặc "
            "đề nghị quản trị viên cài đặt SMS (HOCSO_SMS_WEBHOOK_URL) hoặc email (HOCSO_SMTP_HOST).",
        )
    # A helper's unconfirmed registrations are someone's phone or email: none is kept past its expiry.
    session.execute(
        delete(CitizenRegistration).where(
            col(CitizenRegistration.helper_id) == helper.id, col(CitizenRegistration.expires_at) <= utcnow()
        )
    )
    code = "".join(secrets.choice("0123456789") for _ in range(6))
    pending = CitizenRegistration(
        agency_id=agency.id,
        helper_id=helper.id,
        full_name=full_name,
        channel=channel,
        contact=contact,
        consent_version=consent_version,
        code_hash="",
        expires_at=utcnow() + timedelta(minutes=REGISTRATION_CODE_MINUTES),
    )
    pending.code_hash = security.hash_code(settings, f"citizen:{pending.id}:{code}")
    session.add(pending)
    session.flush()
    minutes = REGISTRATION_CODE_MINUTES
    text = (
        f"Mã xác nhận Hocso: {code}. Tổ công nghệ số cộng đồng ({agency.name}) đang đăng ký cho bạn học trên Hocso: "
        f"hãy đọc mã này cho người hỗ trợ. Nếu không phải bạn, hãy bỏ qua tin này (mã hết hạn sau {minutes} phút).\n"
        f"Hocso confirmation code: {code}. A community digital team ({agency.name}) is registering you on Hocso: "
        f"read this code to the helper. If this is not you, ignore this message (the code expires in {minutes} minutes).\n"
    )
    subject = "Hocso: mã xác nhận / confirmation code"
    return pending, Outgoing(channel="sms" if channel == "sms" else "email", to=contact, subject=subject, text=text)


def confirm_registration(
    session: Session, settings: Settings, *, helper: User, agency: Agency, registration_id: uuid.UUID, code: str
) -> tuple[User, CitizenConsent, Agency]:
    """With the code the citizen read out: creates their account, or links the one that has this phone or email."""
    pending = session.get(CitizenRegistration, registration_id)
    where = session.get(Agency, pending.agency_id) if pending else None
    if pending is None or where is None or pending.helper_id != helper.id or not in_subtree(where.path, agency.path):
        raise NotFound("There is no such registration waiting for a code.", "Không có lượt đăng ký nào đang chờ mã này.")
    if pending.expires_at <= utcnow() or pending.tries >= REGISTRATION_CODE_TRIES:
        raise WrongRegistrationCode()
    typed = "".join(code.split())
    if not security.verify_code(settings, f"citizen:{pending.id}:{typed}", pending.code_hash):
        pending.tries += 1
        session.add(pending)
        session.flush()
        raise WrongRegistrationCode()
    column = User.phone if pending.channel == "sms" else User.email
    owner = session.exec(select(User).where(column == pending.contact)).first()
    if owner is not None and access.roles_of(session, owner.id):
        # An assisted session signs the citizen in for the helper: never for someone who runs an agency.
        raise Forbidden(
            "This account belongs to someone with a role in an agency: they sign in themselves, without an assisted session.",
            "Tài khoản này là của người có vai trò trong một cơ quan: họ tự đăng nhập, không dùng phiên hỗ trợ.",
        )
    session.delete(pending)
    if owner is None:
        sms = pending.channel == "sms"
        owner = User(full_name=pending.full_name, phone=pending.contact if sms else None, email=None if sms else pending.contact)
        session.add(owner)
        session.flush()
    citizen, consent = register_citizen(
        session, helper=helper, agency=where, full_name=pending.full_name, consent_version=pending.consent_version, citizen=owner
    )
    return citizen, consent, where


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
