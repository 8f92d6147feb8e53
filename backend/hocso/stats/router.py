"""HTTP endpoints for an agency's figures (JSON, CSV, Excel), who is behind (list, CSV), reminding them, lagging units."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status

from hocso.accounts.deps import CurrentUser, SettingsDep
from hocso.agencies import (
    audit,
    push_job,  # noqa: F401  (registers the delivery job with the runner)
    reminders,
)
from hocso.agencies.deps import ManagedAgency
from hocso.agencies.manager_schemas import (
    MemberCertificateOut,
    MemberOut,
    MembersPage,
    MemberStatus,
    RankedUnit,
    RankingOut,
    ReminderIn,
    RemindersQueued,
    RequiredOut,
    TrendPoint,
)
from hocso.agencies.schemas import AgencyOut, AgencyRef, AgencyStats
from hocso.core import jobs
from hocso.core.db import AUTOCOMMIT_READ, WRITES_ON_GET, SessionDep
from hocso.core.errors import error_responses
from hocso.core.timeutil import current_vietnam_year, vietnam_today
from hocso.stats import behind, exports, trends  # trends also registers the snapshot job
from hocso.stats.figures import agency_out, agency_stats, csv_cell, stats_csv

router = APIRouter(prefix="/agencies", tags=["agencies"])

YearQuery = Annotated[int | None, Query(ge=2000, le=2100, description="Calendar year in Vietnam; default this year")]
StatusQuery = Annotated[MemberStatus | None, Query(description="behind | overdue | goal_not_met; everyone if absent")]
SearchQuery = Annotated[str | None, Query(max_length=100, description="Part of the name, with or without diacritics")]
LangQuery = Annotated[Literal["vi", "en"], Query(description="Language of the headers")]


@router.get("/{code}", response_model=AgencyOut, operation_id="get_agency", responses=error_responses(401, 403, 404))
def get_agency(agency: ManagedAgency, user: CurrentUser, session: SessionDep) -> AgencyOut:
    """An agency you manage, its parent and its children."""
    return agency_out(session, agency)


@router.get(
    "/{code}/stats",
    response_model=AgencyStats,
    operation_id="get_agency_stats",
    openapi_extra=AUTOCOMMIT_READ,  # the person, their roles, the agency, then the whole page in one statement
    responses=error_responses(401, 403, 404),
)
def get_stats(agency: ManagedAgency, user: CurrentUser, session: SessionDep, year: YearQuery = None) -> AgencyStats:
    """Completion figures over the agency's whole subtree, and one row per child agency."""
    return agency_stats(session, agency=agency, year=year or current_vietnam_year())


@router.get(
    "/{code}/stats.csv",
    operation_id="export_agency_stats_csv",
    openapi_extra=WRITES_ON_GET,
    responses={200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV with BOM"}, **error_responses(401, 403, 404)},
)
def get_stats_csv(
    agency: ManagedAgency,
    user: CurrentUser,
    session: SessionDep,
    year: YearQuery = None,
    delimiter: Annotated[Literal[",", ";"], Query(description="';' for Excel set to a Vietnamese locale")] = ",",
    lang: Annotated[Literal["vi", "en"] | None, Query(description="vi: ';', Vietnamese headers, rates as 16,7%")] = None,
) -> Response:
    """The agency and each child agency as CSV rows, for Excel."""
    stats = agency_stats(session, agency=agency, year=year or current_vietnam_year())
    filename = f"hocso-{agency.code}-{stats.year}.csv"
    audit.record(session, actor=user, agency=agency, action="stats_exported", detail={"year": stats.year})
    return Response(
        (exports.stats_csv_vi(stats) if lang == "vi" else stats_csv(stats, delimiter=delimiter)).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _out(m: behind.Member, base_url: str) -> MemberOut:
    return MemberOut(
        id=m.id,
        full_name=m.full_name,
        agency=AgencyRef(code=m.agency_code, name=m.agency_name),
        goal_met=m.goal_met,
        activated=m.activated,
        required=[RequiredOut(module=r.module, due_date=r.due_date, status=r.status) for r in m.required],
        certificates=[
            MemberCertificateOut(
                id=c.id,
                number=c.number,
                kind=c.kind,  # type: ignore[arg-type]
                module=c.module,
                year=c.year,
                verify_url=f"{base_url}/verify/{c.id}",
            )
            for c in m.certificates
        ],
    )


@router.get(
    "/{code}/members",
    response_model=MembersPage,
    operation_id="list_agency_members",
    responses=error_responses(401, 403, 404),
)
def list_members(
    agency: ManagedAgency,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    status: StatusQuery = None,
    year: YearQuery = None,
    q: SearchQuery = None,
    cursor: Annotated[str | None, Query(max_length=600)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> MembersPage:
    """The subtree's members in name order, filtered by what they are behind on, a page at a time."""
    page, next_cursor = behind.members_page(
        session, agency, status=status, year=year or current_vietnam_year(), q=q, cursor=cursor, limit=limit
    )
    return MembersPage(items=[_out(m, settings.base_url) for m in page], next_cursor=next_cursor)


MEMBER_HEADERS = {
    "vi": [
        "Họ và tên",
        "Mã đơn vị",
        "Đơn vị",
        "Đạt mục tiêu năm {year}",
        "Học phần bắt buộc chưa xong",
        "Quá hạn",
        "Số chứng nhận",
    ],
    "en": ["Full name", "Unit code", "Unit", "Goal met in {year}", "Required modules not done", "Overdue", "Certificate numbers"],
}
YES_NO = {"vi": ("Có", "Không"), "en": ("yes", "no")}


@router.get(
    "/{code}/members.csv",
    operation_id="export_agency_members_csv",
    openapi_extra=WRITES_ON_GET,
    responses={200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV with BOM"}, **error_responses(401, 403, 404)},
)
def export_members(
    agency: ManagedAgency,
    user: CurrentUser,
    session: SessionDep,
    status: StatusQuery = None,
    year: YearQuery = None,
    q: SearchQuery = None,
    lang: LangQuery = "vi",
) -> Response:
    """The filtered list as CSV for Excel: ';' and Vietnamese headers, or ',' and English ones with lang=en."""
    year = year or current_vietnam_year()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if lang == "vi" else ",", lineterminator="\r\n")
    writer.writerow([h.format(year=year) for h in MEMBER_HEADERS[lang]])
    yes, no = YES_NO[lang]
    for m in behind.all_members(session, agency, status=status, year=year, q=q):
        open_ = [r.module for r in m.required if r.status != "completed"]
        late = [r.module for r in m.required if r.status == "overdue"]
        writer.writerow(
            [
                csv_cell(m.full_name),
                csv_cell(m.agency_code),
                csv_cell(m.agency_name),
                yes if m.goal_met else no,
                ", ".join(open_),
                ", ".join(late),
                ", ".join(c.number for c in m.certificates),
            ]
        )
    audit.record(session, actor=user, agency=agency, action="members_exported", detail={"status": status, "year": year})
    filename = f"hocso-{agency.code}-{status or 'members'}-{year}.csv"
    return Response(
        ("\ufeff" + out.getvalue()).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post(
    "/{code}/reminders",
    response_model=RemindersQueued,
    status_code=status.HTTP_202_ACCEPTED,
    operation_id="send_agency_reminders",
    responses=error_responses(400, 401, 403, 404, 413),
)
def send_reminders(
    agency: ManagedAgency, data: ReminderIn, user: CurrentUser, session: SessionDep, request: Request
) -> RemindersQueued:
    """Reminds the filtered people (each at most once a day): in the app, and by push on their devices."""
    ids = behind.member_ids(session, agency, status=data.status, year=data.year or current_vietnam_year(), q=data.q)
    message = " ".join(data.message.split()) if data.message and data.message.strip() else None
    queued = reminders.queue(
        session, agency=agency, user_ids=ids, status=data.status, message=message, sent_by=user.id, today=vietnam_today()
    )
    if queued:
        jobs.enqueue(session, kind=reminders.PUSH_JOB, payload={"agency": agency.code}, created_by=user.id)
    audit.record(
        session,
        actor=user,
        agency=agency,
        action="reminders_sent",
        detail={
            "status": data.status,
            "q": data.q,
            "queued": queued,
            "skipped": len(ids) - queued,
            "custom_message": message is not None,
        },
    )
    runner = getattr(request.app.state, "job_runner", None)
    if runner is not None and queued:
        runner.wake()  # it finds the job once this request commits, or at its next poll
    return RemindersQueued(queued=queued, skipped=len(ids) - queued)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/{code}/stats.xlsx",
    operation_id="export_agency_stats_xlsx",
    openapi_extra=WRITES_ON_GET,
    responses={200: {"content": {XLSX: {}}, "description": "Excel workbook"}, **error_responses(401, 403, 404)},
)
def export_stats_xlsx(
    agency: ManagedAgency, user: CurrentUser, session: SessionDep, year: YearQuery = None, lang: LangQuery = "vi"
) -> Response:
    """The dashboard's tables as an Excel workbook: units, modules and the people behind, one sheet each."""
    stats = agency_stats(session, agency=agency, year=year or current_vietnam_year())
    body = exports.stats_xlsx(session, agency=agency, stats=stats, lang=lang)
    audit.record(session, actor=user, agency=agency, action="stats_exported", detail={"year": stats.year, "format": "xlsx"})
    return Response(
        body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="hocso-{agency.code}-{stats.year}.xlsx"'}
    )


@router.get(
    "/{code}/ranking",
    response_model=RankingOut,
    operation_id="rank_agency_units",
    responses=error_responses(401, 403, 404),
)
def get_ranking(
    agency: ManagedAgency,
    user: CurrentUser,
    session: SessionDep,
    year: YearQuery = None,
    by: Annotated[Literal["goal_rate", "required_rate"], Query(description="The rate to rank by")] = "goal_rate",
    depth: Annotated[int, Query(ge=1, le=6, description="Levels below the agency: 1 for its children")] = 1,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> RankingOut:
    """The units below the agency from the lowest rate, each with its rate at the end of each of 12 months."""
    year = year or current_vietnam_year()
    ranked = trends.ranking(session, agency=agency, year=year, by=by, depth=depth)
    return RankingOut(
        agency=AgencyRef(code=agency.code, name=agency.name),
        year=year,
        by=by,
        depth=depth,
        total=len(ranked),
        items=[
            RankedUnit(
                code=r.agency.code,
                name=r.agency.name,
                members=r.members,
                rate=r.rate,
                trend=[TrendPoint(month=p.month.strftime("%Y-%m"), rate=p.rate) for p in r.trend],
            )
            for r in ranked[:limit]
        ],
    )
