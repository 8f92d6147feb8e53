"""The printable certificate: A4 landscape, Vietnamese as real text in DejaVu Sans, a QR code to the verify page."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from hocso.certificates.models import Certificate
from hocso.certificates.service import ISSUER_NAME, _aware
from hocso.core.pdf import FONT, FontMissing, document, draw_qr
from hocso.core.timeutil import VIETNAM

__all__ = ["FontMissing", "render"]

_WORDS = {
    "vi": {
        "title": "CHỨNG NHẬN",
        "certifies": "Chứng nhận",
        "module": "đã hoàn thành học phần",
        "year": "đã đạt mục tiêu",
        "date": "Ngày",
        "number": "Số chứng nhận",
        "issuer": "Đơn vị cấp",
        "scan": "Quét mã QR hoặc mở địa chỉ dưới đây để kiểm tra chứng nhận:",
    },
    "en": {
        "title": "CERTIFICATE",
        "certifies": "This certifies that",
        "module": "has completed the module",
        "year": "has met the goal",
        "date": "Date",
        "number": "Certificate number",
        "issuer": "Issued by",
        "scan": "Scan the QR code or open this address to verify the certificate:",
    },
}


def _date(moment: datetime, lang: str) -> str:
    local = _aware(moment).astimezone(VIETNAM)
    return f"{local:%d/%m/%Y}" if lang == "vi" else f"{local:%d %B %Y}"


def render(cert: Certificate, *, verify_url: str, font_dir: Path, lang: str) -> bytes:
    """Draws the certificate; the QR code is drawn as vector squares so it prints sharp at any size."""
    w = _WORDS[lang]
    pdf = document(font_dir=font_dir, orientation="L", lang=lang, title=f"{w['title']} {cert.number}", author=ISSUER_NAME[lang])
    pdf.add_page()
    # A double frame in the national-programme blue.
    pdf.set_draw_color(11, 61, 145)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.4)
    pdf.rect(14, 14, 269, 182)

    pdf.set_text_color(11, 61, 145)
    pdf.set_font(FONT, "B", 30)
    pdf.set_xy(20, 28)
    pdf.cell(257, 14, w["title"], align="C")
    pdf.set_text_color(30, 30, 30)
    pdf.set_font(FONT, "", 15)
    pdf.set_xy(20, 50)
    pdf.cell(257, 8, w["certifies"], align="C")
    pdf.set_font(FONT, "B", 26)
    pdf.set_xy(20, 62)
    pdf.cell(257, 14, cert.holder_name or "", align="C")
    pdf.set_font(FONT, "", 15)
    pdf.set_xy(20, 82)
    pdf.cell(257, 8, w[cert.kind], align="C")
    pdf.set_font(FONT, "B", 19)
    pdf.set_xy(30, 93)
    pdf.multi_cell(237, 10, cert.name_vi if lang == "vi" else cert.name_en, align="C")

    pdf.set_font(FONT, "", 12)
    lines = [
        f"{w['date']}: {_date(cert.achieved_at, lang)}",
        f"{w['number']}: {cert.number}",
        f"{w['issuer']}: {ISSUER_NAME[lang]}",
    ]
    for i, line in enumerate(lines):
        pdf.set_xy(24, 140 + i * 8)
        pdf.cell(170, 7, line)
    pdf.set_font(FONT, "", 9)
    pdf.set_xy(24, 168)
    pdf.cell(170, 5, w["scan"])
    pdf.set_xy(24, 174)
    pdf.cell(200, 5, verify_url, link=verify_url)

    draw_qr(pdf, verify_url, left=231.0, top=140.0, size=42.0)
    return bytes(pdf.output())
