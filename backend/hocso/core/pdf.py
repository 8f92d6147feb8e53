"""Printable documents: an A4 page set in DejaVu Sans (Vietnamese as real text) and QR codes drawn as vectors."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import segno

from hocso.core.errors import HocsoError

if TYPE_CHECKING:
    from fpdf import FPDF


class FontMissing(HocsoError):
    status_code = 503


FONT = "DejaVu"


def document(*, font_dir: Path, orientation: str, lang: str, title: str, author: str) -> FPDF:
    """Starts an A4 document with DejaVu Sans (regular and bold) loaded; 503 if the fonts are not installed."""
    regular, bold = font_dir / "DejaVuSans.ttf", font_dir / "DejaVuSans-Bold.ttf"
    if not regular.is_file() or not bold.is_file():
        raise FontMissing(
            "Documents cannot be drawn: the DejaVu fonts are missing on the server (Debian: fonts-dejavu-core).",
            "Chưa tạo được tài liệu: máy chủ thiếu phông chữ DejaVu (Debian: fonts-dejavu-core).",
        )
    # Imported here: fpdf (with fontTools and Pillow) took more CPU than the rest of a server's start together.
    from fpdf import FPDF

    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_creator("Hocso")
    pdf.set_lang(lang)
    pdf.add_font(FONT, "", str(regular))
    pdf.add_font(FONT, "B", str(bold))
    pdf.set_auto_page_break(False)
    return pdf


def qr_runs(url: str) -> tuple[int, list[tuple[int, int, int]]]:
    """Returns the QR code's width in modules and its dark runs as (row, first column, length)."""
    matrix = segno.make(url, error="m").matrix
    runs = []
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                runs.append((r, start, c - start))
            else:
                c += 1
    return len(matrix), runs


def draw_qr(pdf: FPDF, url: str, *, left: float, top: float, size: float, runs=None) -> None:
    """Draws a QR code for url in a size x size mm square, quiet zone included, as vector rectangles."""
    width, dark = runs or qr_runs(url)
    # One rectangle per horizontal run of dark modules rather than per module: a third of the drawing.
    cell = size / (width + 8)  # a quiet zone of four modules each side
    pdf.set_fill_color(0, 0, 0)
    for r, c, n in dark:
        pdf.rect(left + (c + 4) * cell, top + (r + 4) * cell, n * cell, cell, style="F")
