"""The dashboard as files for Excel: an .xlsx workbook and a CSV in the reader's language."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from sqlmodel import Session, col, select

from hocso.agencies.models import Agency
from hocso.agencies.schemas import AgencyStats
from hocso.content.models import Module, ModuleVersion
from hocso.stats import behind
from hocso.stats.figures import csv_cell

MAX_PEOPLE_ROWS = 100_000
PERCENT = "0.0%"

TEXT: dict[str, dict[str, Any]] = {
    "vi": {
        "units": "Đơn vị",
        "modules": "Học phần",
        "people": "Người chậm tiến độ",
        "unit_cols": [
            "Mã",
            "Đơn vị",
            "Dòng",
            "Năm",
            "Cán bộ",
            "Đạt mục tiêu năm",
            "Tỉ lệ đạt mục tiêu",
            "Học phần bắt buộc đã xong",
            "Học phần bắt buộc phải học",
            "Tỉ lệ hoàn thành bắt buộc",
            "Quá hạn",
        ],
        "total": "Tổng",
        "child": "Đơn vị trực thuộc",
        "module_cols": ["Mã học phần", "Tên học phần", "Đã hoàn thành (mọi năm)", "Hoàn thành trong năm", "Tỉ lệ hoàn thành"],
        "people_cols": ["Họ và tên", "Mã đơn vị", "Đơn vị", "Đạt mục tiêu năm", "Học phần bắt buộc chưa xong", "Quá hạn"],
        "yes": "Có",
        "no": "Không",
        "truncated": "Danh sách dừng ở {n} người; hãy xem từng đơn vị.",
    },
    "en": {
        "units": "Units",
        "modules": "Modules",
        "people": "People behind",
        "unit_cols": [
            "Code",
            "Unit",
            "Row",
            "Year",
            "Civil servants",
            "Met yearly goal",
            "Yearly goal rate",
            "Required modules done",
            "Required modules due",
            "Required rate",
            "Overdue",
        ],
        "total": "Total",
        "child": "Unit below",
        "module_cols": ["Module code", "Module", "Completed (any year)", "Completed in year", "Completion rate"],
        "people_cols": ["Full name", "Unit code", "Unit", "Met yearly goal", "Required modules not done", "Overdue"],
        "yes": "yes",
        "no": "no",
        "truncated": "The list stops at {n} people; open each unit for the rest.",
    },
}


def module_titles(session: Session, lang: str) -> dict[str, str]:
    rows = session.exec(
        select(col(Module.slug), col(ModuleVersion.data)).join(
            ModuleVersion, col(ModuleVersion.id) == col(Module.current_version_id)
        )
    ).all()
    return {slug: (data.get("title") or {}).get(lang) or slug for slug, data in rows}


def _unit_rows(stats: AgencyStats, text: dict) -> list[list]:
    rows = [
        [
            stats.agency.code,
            stats.agency.name,
            text["total"],
            stats.year,
            stats.members,
            stats.goal_met,
            stats.goal_rate,
            stats.required_completed,
            stats.required_total,
            stats.required_rate,
            stats.overdue,
        ]
    ]
    for c in stats.children:
        rows.append(
            [
                c.code,
                c.name,
                text["child"],
                stats.year,
                c.members,
                c.goal_met,
                c.goal_rate,
                c.required_completed,
                c.required_total,
                c.required_rate,
                c.overdue,
            ]
        )
    return rows


def stats_xlsx(session: Session, *, agency: Agency, stats: AgencyStats, lang: str) -> bytes:
    """Three sheets (units, modules, people behind) with real numbers and percentages Excel shows as such."""
    text = TEXT[lang]
    wb = Workbook(write_only=True)
    bold = Font(bold=True)

    def sheet(title: str, headers: list[str], rows, percent_cols: set[int], widths: list[int]):
        ws = wb.create_sheet(title[:31])
        ws.freeze_panes = "A2"
        for i, w in enumerate(widths):
            ws.column_dimensions[chr(ord("A") + i)].width = w
        header = []
        for h in headers:
            cell = WriteOnlyCell(ws, value=h)
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            header.append(cell)
        ws.append(header)
        for row in rows:
            out: list[Any] = []
            for i, value in enumerate(row):
                if i in percent_cols and value is not None:
                    cell = WriteOnlyCell(ws, value=float(value))
                    cell.number_format = PERCENT
                    out.append(cell)
                else:
                    out.append(csv_cell(value) if isinstance(value, str) else value)
            ws.append(out)
        return ws

    sheet(text["units"], text["unit_cols"], _unit_rows(stats, text), {6, 9}, [14, 36, 16, 8, 12, 14, 14, 14, 14, 16, 10])
    titles = module_titles(session, lang)
    sheet(
        text["modules"],
        text["module_cols"],
        ([m.slug, titles.get(m.slug, m.slug), m.completed, m.completed_in_year, m.rate] for m in stats.by_module),
        {4},
        [24, 48, 16, 16, 14],
    )

    def people():
        n = 0
        for m in behind.all_members(session, agency, status="behind", year=stats.year, q=None):
            n += 1
            if n > MAX_PEOPLE_ROWS:
                yield [text["truncated"].format(n=MAX_PEOPLE_ROWS)]
                return
            yield [
                m.full_name,
                m.agency_code,
                m.agency_name,
                text["yes"] if m.goal_met else text["no"],
                ", ".join(r.module for r in m.required if r.status != "completed"),
                ", ".join(r.module for r in m.required if r.status == "overdue"),
            ]

    sheet(text["people"], text["people_cols"], people(), set(), [30, 14, 36, 14, 36, 24])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _percent_vi(rate: float | None) -> str:
    """16,7% as Excel set to Vietnamese reads it: a number shown as a percentage."""
    if rate is None:
        return ""
    return f"{rate * 100:.1f}".replace(".", ",") + "%"


def stats_csv_vi(stats: AgencyStats) -> str:
    """The dashboard's units as CSV for Excel in Vietnamese: ';', Vietnamese headers, rates as percentages."""
    text = TEXT["vi"]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(text["unit_cols"])
    for row in _unit_rows(stats, text):
        row[6], row[9] = _percent_vi(row[6]), _percent_vi(row[9])
        writer.writerow([csv_cell(v) if isinstance(v, str) else v for v in row])
    return "\ufeff" + out.getvalue()
