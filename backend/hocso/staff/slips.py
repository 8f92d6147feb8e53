"""Activation slips: the one-time codes an import (or a re-issue) handed to the admin, printed 8 to an A4 page.

Codes are stored only as keyed hashes, so the server cannot print them later: the admin's browser holds the codes
it was shown once and sends them back to be drawn. Each is checked against its hash first, so a slip is printed
only for a code that activates that person's account now, and name and unit come from the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import or_
from sqlmodel import Session, col, select

from hocso.accounts import roles
from hocso.accounts.models import ActivationCode, User
from hocso.agencies.models import Agency
from hocso.agencies.tree import in_subtree
from hocso.core import security
from hocso.core.config import Settings
from hocso.core.errors import BadRequest
from hocso.core.identifiers import IdentifierRefused, normalize_identifier
from hocso.core.pdf import FONT, document, draw_qr, qr_runs
from hocso.core.timeutil import VIETNAM, utcnow
from hocso.staff.imports import new_code

# A4 portrait in 2 columns x 4 rows: each slip 105 x 74 mm, cut along the dashed lines.
COLUMNS, ROWS = 2, 4
SLIP_W, SLIP_H = 105.0, 297.0 / ROWS


@dataclass
class Slip:
    full_name: str
    unit: str
    identifier: str
    code: str
    expires_at: datetime


def issue_activation_code(session: Session, settings: Settings, *, member: User) -> tuple[str, datetime]:
    """Replaces a never-activated member's one-time code with a new one (the old one stops working)."""
    if member.password_hash is not None:
        raise BadRequest(
            "This person has already set a password; give them a password reset code instead.",
            "Người này đã đặt mật khẩu; hãy cấp mã đặt lại mật khẩu.",
        )
    code, code_hash, expires = new_code(settings)
    invitation = session.get(ActivationCode, member.id) or ActivationCode(user_id=member.id, code_hash="", expires_at=expires)
    invitation.code_hash, invitation.expires_at, invitation.created_at = code_hash, expires, utcnow()
    session.add(invitation)
    session.flush()
    return code, expires


def verified_slips(session: Session, settings: Settings, *, root: Agency, codes: list[tuple[str, str]]) -> list[Slip]:
    """Keeps the (identifier, code) pairs whose code activates a member of root's subtree now, with name and unit."""
    wanted: dict[tuple[str, str], list[str]] = {}
    for identifier, code in codes:
        try:
            key: tuple[str, str] = normalize_identifier(identifier)
        except IdentifierRefused:
            continue
        wanted.setdefault(key, []).append("".join(code.split()).upper())
    emails = [v for k, v in wanted if k == "email"]
    phones = [v for k, v in wanted if k == "phone"]
    if not wanted:
        return []
    found = session.exec(
        select(User, Agency, ActivationCode)
        .join(Agency, col(Agency.id) == col(User.agency_id))
        .join(ActivationCode, col(ActivationCode.user_id) == col(User.id))
        .where(or_(col(User.email).in_(emails), col(User.phone).in_(phones)))
    ).all()
    now = utcnow()
    slips = []
    for user, agency, invitation in found:
        by_email = ("email", user.email or "")
        key = by_email if by_email in wanted else ("phone", user.phone or "")
        if (
            not in_subtree(agency.path, root.path)
            or roles.holds_any_role(session, user.id)
            or user.password_hash is not None
            or invitation.expires_at < now
        ):
            continue
        held = next((c for c in wanted.get(key, []) if security.verify_code(settings, c, invitation.code_hash)), None)
        if held is None:
            continue
        slips.append(Slip(user.full_name, agency.name, _as_typed(key[1]), held, invitation.expires_at))
    return sorted(slips, key=lambda s: (s.unit, s.full_name, s.identifier))


INSTRUCTIONS = (
    "1. Quét mã QR hoặc mở {url}\n"
    "2. Nhập tên đăng nhập và mã kích hoạt ở trên, rồi tự đặt mật khẩu.\n"
    "3. Mã chỉ dùng được một lần. Giữ kín phiếu này; mất phiếu, hãy xin cơ quan cấp mã mới."
)


def render(slips: list[Slip], *, activate_url: str, font_dir: Path) -> bytes:
    """Draws the slips eight to an A4 page, each with name, unit, sign-in name, code, a QR code and instructions."""
    pdf = document(
        font_dir=font_dir,
        orientation="P",
        lang="vi",
        title="Phiếu kích hoạt tài khoản Hocso",
        author="Hocso – Bình dân học vụ số",
    )
    # What every slip shares is laid out once: line breaking is most of the drawing's cost.
    qr = qr_runs(activate_url)
    instructions: list[str] = []
    for i, slip in enumerate(slips):
        if i % (COLUMNS * ROWS) == 0:
            pdf.add_page()
            _cut_lines(pdf)
        if not instructions:
            pdf.set_font(FONT, "", 7)
            instructions = _lines(pdf, INSTRUCTIONS.format(url=activate_url), SLIP_W - 14)
        x = (i % COLUMNS) * SLIP_W
        y = ((i // COLUMNS) % ROWS) * SLIP_H
        _slip(pdf, slip, x, y, activate_url, qr, instructions)
    return bytes(pdf.output())


def _lines(pdf, text: str, width: float) -> list[str]:
    """Splits text into the lines it takes at the current font in width mm (one line when it fits)."""
    if "\n" not in text and pdf.get_string_width(text) <= width - 2 * pdf.c_margin:
        return [text]
    # A unit's long name comes back on every slip of its people: broken into lines once.
    cache = pdf.__dict__.setdefault("_hocso_lines", {})
    key = (text, width, pdf.font_style, pdf.font_size_pt)
    if key not in cache:
        cache[key] = pdf.multi_cell(width, 4, text, align="L", dry_run=True, output="LINES")
    return cache[key]


def _cut_lines(pdf) -> None:
    pdf.set_draw_color(150, 150, 150)
    pdf.set_line_width(0.2)
    pdf.set_dash_pattern(dash=2, gap=2)
    pdf.line(SLIP_W, 0, SLIP_W, 297)
    for r in range(1, ROWS):
        pdf.line(0, r * SLIP_H, 210, r * SLIP_H)
    pdf.set_dash_pattern()


def _write(pdf, left: float, top: float, width: float, height: float, lines: list[str]) -> float:
    """Writes lines one under the other from top; returns where the next line would go."""
    for line in lines:
        pdf.set_xy(left, top)
        pdf.cell(width, height, line)
        top += height
    return top


def _slip(pdf, slip: Slip, x: float, y: float, activate_url: str, qr, instructions: list[str]) -> None:
    left, width = x + 7, SLIP_W - 14
    text_w = width - 30  # the QR code takes the right-hand 28 mm
    pdf.set_text_color(11, 61, 145)
    pdf.set_font(FONT, "B", 9)
    _write(pdf, left, y + 5, width, 5, ["PHIẾU KÍCH HOẠT TÀI KHOẢN HOCSO"])
    pdf.set_text_color(20, 20, 20)
    pdf.set_font(FONT, "B", 11)
    top = _write(pdf, left, y + 11, text_w, 5, _lines(pdf, _short(slip.full_name, 60), text_w)[:2])
    pdf.set_font(FONT, "", 8)
    top = _write(pdf, left, top, text_w, 4, _lines(pdf, f"Đơn vị: {_short(slip.unit, 80)}", text_w)[:2])
    top = _write(pdf, left, top, text_w, 4, ["Tên đăng nhập:", *_lines(pdf, slip.identifier, text_w)[:2]])
    top = _write(pdf, left, max(top + 1, y + 31), text_w, 4, ["Mã kích hoạt (dùng một lần):"])
    pdf.set_font(FONT, "B", 15)
    top = _write(pdf, left, top, text_w, 8, [slip.code])
    pdf.set_font(FONT, "", 7)
    top = _write(pdf, left, top, text_w, 3.5, [f"Dùng trước ngày {_vn_date(slip.expires_at)}"])
    draw_qr(pdf, activate_url, left=x + SLIP_W - 35, top=y + 10, size=30, runs=qr)
    _write(pdf, left, max(top + 1, y + 56), width, 3.4, instructions)


def _as_typed(identifier: str) -> str:
    """A Vietnamese mobile number as people write it (0912345678, not +84912345678); emails as they are."""
    return "0" + identifier[3:] if identifier.startswith("+84") else identifier


def _short(text: str, limit: int) -> str:
    """Cuts text that would push the slip's lower lines off it (two lines at most)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _vn_date(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return f"{aware.astimezone(VIETNAM):%d/%m/%Y}"
