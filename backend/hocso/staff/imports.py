"""Staff import: a CSV of civil servants creates accounts, or invites people who already have one.

An import changes only people an import created and who are in the caller's subtree; anyone else named in a
file (a citizen, another agency's member, an admin) gets an invitation that only they can accept, and nothing
about them changes until they do. An import never adds an email or phone to an account that exists.
"""

from __future__ import annotations

import csv
import io
import secrets
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import insert, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from hocso.accounts import roles
from hocso.accounts.models import ActivationCode, User
from hocso.accounts.schemas import has_unprintable
from hocso.agencies import access, audit
from hocso.agencies.models import Agency, AgencyInvitation
from hocso.agencies.schemas import ImportRejection, ImportResult, InvitationOut
from hocso.agencies.schemas import Invitation as CodeOut
from hocso.agencies.tree import get_by_code, in_subtree
from hocso.core import jobs, security
from hocso.core.config import Settings
from hocso.core.db import table_of
from hocso.core.errors import BadRequest, HocsoError, Invalid, NotFound, PayloadTooLarge
from hocso.core.identifiers import IdentifierRefused, canonical_phone, normalize_email
from hocso.core.jobs import Job
from hocso.core.textfold import fold
from hocso.core.timeutil import utcnow
from hocso.flows import move_person
from hocso.stats import rollups

ACTIVATION_DAYS = 30
INVITATION_DAYS = 30
MAX_IMPORT_ROWS = 50_000
# Files up to this many rows are imported within the request (about a second); larger ones become a job.
INLINE_ROWS = 1_000
# Rows per transaction in a job: short enough that other writers wait well under a second for their turn,
# and at most CHECKPOINTS of them, as each rewrites the result so far (with its codes) in the job's row.
CHUNK_ROWS = 250
CHECKPOINTS = 40
INVITED = "invited"
REASON_COLUMN = "reason"
MAX_ECHOED = 300  # characters of each value of a rejected row sent back
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
JOB_KIND = "members_import"


def new_code(settings: Settings) -> tuple[str, str, datetime]:
    """Returns a fresh one-time activation code (10 characters, 50 random bits), its keyed hash, and its expiry."""
    bits = secrets.randbits(50)
    code = "".join(CODE_ALPHABET[(bits >> (5 * i)) & 31] for i in range(10))
    return code, security.hash_code(settings, code), utcnow() + timedelta(days=ACTIVATION_DAYS)


# --- Reading the file ---------------------------------------------------------------------------------------


@dataclass
class StaffFile:
    header: list[str]
    rows: list[tuple[int, list[str] | str]] = field(default_factory=list)  # (line, cells or why unreadable)


XLSX_MAGIC = b"PK\x03\x04"
MAX_XLSX_UNPACKED = 200_000_000
EXCEL_MAX_ROWS = 1_048_576  # rows in a sheet, Excel's own limit


def _grouped(n: int) -> tuple[str, str]:
    """n with its thousands grouped as English (1,048,576) and as Vietnamese (1.048.576) write them."""
    en = f"{n:,}"
    return en, en.replace(",", ".")


def _xlsx_cell(value: object) -> str:
    """A spreadsheet cell as the text a CSV would hold: 912345678.0 is "912345678", empty is ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 100_000_000 <= value <= 999_999_999:
        # Excel drops a phone number's leading 0 when the column is not formatted as text: 0912345678 -> 912345678.
        return f"0{value}"
    return str(value)


def _xlsx_rows(raw: bytes) -> Iterator[list[str]]:
    """Reads the first sheet of an Excel workbook as rows of text, one at a time, as far as the caller asks."""
    import zipfile

    from openpyxl import load_workbook

    unreadable = Invalid(
        "The file is not an Excel workbook that can be read; save it again as .xlsx or as CSV UTF-8.",
        "Không đọc được tệp Excel này; hãy lưu lại thành .xlsx hoặc CSV UTF-8.",
    )
    try:
        # A workbook is a zip: refuse one that would unpack to far more than any staff list (a zip bomb), before
        # openpyxl reads its shared strings into memory.
        if sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(raw)).infolist()) > MAX_XLSX_UNPACKED:
            raise Invalid(
                "The Excel file unpacks to more than 200 MB; save it as CSV UTF-8 or split it.",
                "Tệp Excel giải nén ra hơn 200 MB; hãy lưu thành CSV UTF-8 hoặc chia nhỏ.",
            )
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, IndexError, OSError, ValueError, TypeError) as exc:
        raise unreadable from exc
    # Lazily: _staff_rows skips blank rows and stops one row past the limit, so a sheet formatted far below its
    # data (a million styled, empty rows) never sits in memory. openpyxl yields an empty row for every row number
    # the sheet skips, so a hand-made sheet numbering a row in the billions is refused at Excel's own maximum.
    try:
        for number, row in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
            if number > EXCEL_MAX_ROWS:
                en, vi = _grouped(EXCEL_MAX_ROWS)
                raise Invalid(
                    f"The sheet has more than {en} rows, more than Excel allows; save it as CSV UTF-8.",
                    f"Trang tính có hơn {vi} dòng, nhiều hơn Excel cho phép; hãy lưu thành CSV UTF-8.",
                )
            cells = [_xlsx_cell(v) for v in row[:16]]
            # Trailing empty cells (formatting reaches further than the data) are not values.
            while cells and cells[-1] == "":
                cells.pop()
            yield cells
    except (zipfile.BadZipFile, KeyError, IndexError, OSError, ValueError, TypeError) as exc:
        raise unreadable from exc
    finally:
        book.close()


def read_staff_file(raw: bytes) -> StaffFile:
    """Decodes and splits a staff CSV or Excel workbook; refuses a wrong encoding or header (422), too many rows (413)."""
    if raw.startswith(XLSX_MAGIC):
        return _staff_rows(_xlsx_rows(raw))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(
            "The file is not UTF-8 text. In Excel choose File > Save As > 'CSV UTF-8 (Comma delimited)'.",
            "Tệp không phải văn bản UTF-8. Trong Excel chọn Lưu thành > 'CSV UTF-8 (Comma delimited)'.",
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    return _staff_rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _staff_rows(reader) -> StaffFile:
    """Checks the header and collects the rows of a CSV reader (or of a workbook's rows as lists)."""
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        header = []
    # A file of rejected rows, downloaded to fix, comes back with its reason column: it is read and ignored.
    if header[-1:] == [REASON_COLUMN] and len(header) > 3:
        header = header[:-1] + ["_reason"]
    if header[:3] != ["full_name", "email", "phone"] or [h for h in header[3:] if h != "_reason"] not in ([], ["agency_code"]):
        raise Invalid(
            "The first line must be: full_name,email,phone or full_name,email,phone,agency_code.",
            "Dòng đầu phải là: full_name,email,phone hoặc full_name,email,phone,agency_code.",
        )
    staff = StaffFile(header=header)
    line_no = 1  # records, as the original counted them: the header is row 1
    while True:
        try:
            cells: list[str] | str = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # A value longer than the csv module's limit (131,072 characters) or a broken quote: this row only.
            too_long = "field limit" in str(exc)
            cells = "a value is longer than 131,072 characters" if too_long else f"the row cannot be read: {exc}"
        line_no += 1
        if isinstance(cells, list) and not any(c.strip() for c in cells):
            continue
        if len(staff.rows) == MAX_IMPORT_ROWS:
            # Refused whole, before anything is imported: half a file in is harder to finish than a split one.
            en, vi = _grouped(MAX_IMPORT_ROWS)
            raise PayloadTooLarge(
                f"The file has more than {en} rows; split it into files of at most {en} rows.",
                f"Tệp có hơn {vi} dòng; hãy chia thành các tệp tối đa {vi} dòng.",
            )
        staff.rows.append((line_no, cells))
    return staff


class _RowRejected(Exception):
    pass


@dataclass
class _Row:
    line: int
    full_name: str
    email: str | None
    phone: str | None
    agency_code: str


def _full_name(value: str) -> str:
    full_name = " ".join(value.split())
    if not full_name:
        raise _RowRejected("full_name is empty")
    if len(full_name) > 200:
        raise _RowRejected("full_name is longer than 200 characters")
    if has_unprintable(full_name):
        raise _RowRejected("full_name contains control characters")
    return full_name


def _email(value: str) -> str | None:
    if not value:
        return None
    try:
        return normalize_email(value)
    except IdentifierRefused:
        raise _RowRejected(f"'{value[:80]}' is not a valid email address") from None


def _phone(value: str) -> str | None:
    if not value:
        return None
    try:
        return canonical_phone(value)
    except IdentifierRefused:
        raise _RowRejected(f"'{value[:40]}' is not a phone number (e.g. 0912345678)") from None


def _read_row(header: list[str], cells: list[str] | str, line: int, root: Agency, seen: dict[str, int]) -> _Row:
    """Validates a row on its own (no database); raises _RowRejected with the reason."""
    if isinstance(cells, str):
        raise _RowRejected(cells)
    if len(cells) > len(header):
        raise _RowRejected(f"{len(cells)} values but the header has {len(header)} columns")
    values = dict(zip(header, [c.strip() for c in cells] + [""] * (len(header) - len(cells)), strict=True))
    full_name = _full_name(values["full_name"])
    email, phone = _email(values["email"]), _phone(values["phone"])
    if not email and not phone:
        raise _RowRejected("give an email or a phone number")
    keys = [k for k in (email, phone) if k]
    for key in keys:
        if key in seen:
            raise _RowRejected(f"{key} is already on row {seen[key]}")
    seen.update(dict.fromkeys(keys, line))
    return _Row(line, full_name, email, phone, values.get("agency_code") or root.code)


# --- Applying rows ------------------------------------------------------------------------------------------


def _manageable(session: Session, user: User, agency_path: str | None, root: Agency) -> bool:
    """True when an import into root's subtree may change this person: made by an import, in the subtree."""
    return (
        user.created_by_import
        and agency_path is not None
        and in_subtree(agency_path, root.path)
        and not roles.holds_any_role(session, user.id)
    )


def _invite(session: Session, *, user: User, agency: Agency, by: uuid.UUID | None) -> None:
    """Invites a person to join an agency, unless an open invitation to it is waiting for them."""
    waiting = session.exec(
        select(AgencyInvitation.id).where(
            AgencyInvitation.user_id == user.id,
            AgencyInvitation.agency_id == agency.id,
            col(AgencyInvitation.accepted_at).is_(None),
            AgencyInvitation.expires_at > utcnow(),
        )
    ).first()
    if waiting is None:
        assert agency.id is not None  # a stored agency
        session.add(
            AgencyInvitation(
                agency_id=agency.id, user_id=user.id, created_by=by, expires_at=utcnow() + timedelta(days=INVITATION_DAYS)
            )
        )


@dataclass
class ImportRun:
    """One import in progress: the file, who asked, and what has come of the rows so far."""

    root: Agency
    caller_id: uuid.UUID | None
    staff: StaffFile
    settings: Settings
    result: ImportResult = field(default_factory=lambda: ImportResult(created=0, updated=0, unchanged=0, rejected=[]))
    seen: dict[str, int] = field(default_factory=dict)
    agencies: dict[str, Agency | None] = field(default_factory=dict)
    paths: dict[int | None, str] = field(default_factory=dict)  # by Agency.id
    _new_people: list[dict] = field(default_factory=list)
    _new_codes: list[dict] = field(default_factory=list)

    def skip(self, count: int) -> None:
        """Replays the first rows' own checks, after a restart, so duplicates within the file still count."""
        for line, cells in self.staff.rows[:count]:
            try:
                _read_row(self.staff.header, cells, line, self.root, self.seen)
            except _RowRejected:
                pass

    def apply(self, session: Session, start: int, stop: int) -> None:
        """Imports rows [start, stop) in the session; a bad row rejects only itself."""
        rows: list[_Row] = []
        cells_of = dict(self.staff.rows[start:stop])
        for line, cells in self.staff.rows[start:stop]:
            try:
                rows.append(_read_row(self.staff.header, cells, line, self.root, self.seen))
            except _RowRejected as exc:
                self._reject(line, str(exc), cells)
        if not rows:
            return
        # Everyone the chunk names, in two queries rather than two a row.
        emails = [r.email for r in rows if r.email]
        phones = [r.phone for r in rows if r.phone]
        found = session.exec(select(User).where(or_(col(User.email).in_(emails), col(User.phone).in_(phones)))).all()
        by_email = {u.email: u for u in found if u.email}
        by_phone = {u.phone: u for u in found if u.phone}
        self._agency_paths(session, {u.agency_id for u in found if u.agency_id})
        joined: dict[str, int] = defaultdict(int)
        for row in rows:
            try:
                self._apply_row(session, row, by_email, by_phone, joined)
            except _RowRejected as exc:
                self._reject(row.line, str(exc), cells_of.get(row.line))
        if self._new_people:
            session.execute(insert(table_of(User)), self._new_people)
            session.execute(insert(table_of(ActivationCode)), self._new_codes)
            self._new_people, self._new_codes = [], []
        # New people have no progress: joining adds one member along their agency's path, in one statement.
        rollups.members_joined(session, joined)
        session.flush()

    def _reject(self, line: int, reason: str, cells: list[str] | str | None = None) -> None:
        values = None
        if cells is not None:
            # What the row held, so that the rejected rows can be downloaded, fixed and imported again.
            columns = [h for h in self.staff.header if h != "_reason"]
            given = cells if isinstance(cells, list) else []
            values = {h: (given[i] if i < len(given) else "")[:MAX_ECHOED] for i, h in enumerate(columns)}
        self.result.rejected.append(ImportRejection(row=line, reason=reason, values=values))

    def _agency_paths(self, session: Session, ids: set[int]) -> None:
        missing = ids - set(self.paths)
        if missing:
            self.paths.update(session.exec(select(col(Agency.id), col(Agency.path)).where(col(Agency.id).in_(missing))).all())

    def _target(self, session: Session, code: str) -> Agency:
        if code not in self.agencies:
            self.agencies[code] = get_by_code(session, code)
        target = self.agencies[code]
        if target is None or not in_subtree(target.path, self.root.path):
            raise _RowRejected(f"agency {code[:64]} is not in the subtree of {self.root.code}")
        self.paths[target.id] = target.path
        return target

    def _apply_row(
        self, session: Session, row: _Row, by_email: dict[str, User], by_phone: dict[str, User], joined: dict[str, int]
    ) -> None:
        target = self._target(session, row.agency_code)
        owner_of_email = by_email.get(row.email) if row.email else None
        owner_of_phone = by_phone.get(row.phone) if row.phone else None
        if owner_of_email and owner_of_phone and owner_of_email.id != owner_of_phone.id:
            # Says nothing of who they are: the admin learns only that the pair cannot go together.
            raise _RowRejected("this email and this phone cannot be used together; check them or give only one")
        user = owner_of_email or owner_of_phone
        if user is None:
            self._create(row, target, joined)
            return
        path = self.paths.get(user.agency_id) if user.agency_id else None
        if _manageable(session, user, path, self.root):
            self._update(session, row, user, target)
        elif user.agency_id == target.id:
            self.result.unchanged += 1
        else:
            _invite(session, user=user, agency=target, by=self.caller_id)
            self.result.invited += 1
            self._reject(row.line, INVITED)

    def _create(self, row: _Row, target: Agency, joined: dict[str, int]) -> None:
        """Queues a new person and their one-time code."""
        # Inserted with the chunk's other new people in one statement (see apply); the row's own checks
        # already refused a second row with the same email or phone.
        user_id = uuid.uuid4()
        self._new_people.append(
            {
                "id": user_id,
                "email": row.email,
                "phone": row.phone,
                "full_name": row.full_name,
                # A Core insert skips the ORM's hook that folds the name: without it nobody finds them by name.
                "name_key": fold(row.full_name)[:200],
                "agency_id": target.id,
                "created_by_import": True,
                "password_hash": None,
                "created_at": utcnow(),
            }
        )
        joined[target.path] += 1
        self.result.created += 1
        (code, code_hash), expires = self._code()
        self._new_codes.append({"user_id": user_id, "code_hash": code_hash, "expires_at": expires, "created_at": utcnow()})
        self.result.invitations.append(
            CodeOut(row=row.line, identifier=row.email or row.phone or "", code=code, expires_at=expires)
        )

    def _update(self, session: Session, row: _Row, user: User, target: Agency) -> None:
        """Updates a person an earlier import made: their name and agency, never their email or phone."""
        if (row.email and user.email != row.email) or (row.phone and user.phone != row.phone):
            raise _RowRejected("this person was imported with another email or phone; an import does not add or change them")
        changed = False
        if user.full_name != row.full_name:
            user.full_name, changed = row.full_name, True
            session.add(user)
        if user.agency_id != target.id:
            move_person(session, user=user, agency=target)
            self.paths[target.id] = target.path
            changed = True
        if changed:
            self.result.updated += 1
        else:
            self.result.unchanged += 1
        if user.password_hash is None:
            open_code = session.get(ActivationCode, user.id)
            if open_code is None or open_code.expires_at < utcnow():
                self._issue_code(session, row, user)

    def _code(self) -> tuple[tuple[str, str], datetime]:
        code, code_hash, expires = new_code(self.settings)
        return (code, code_hash), expires

    def _issue_code(self, session: Session, row: _Row, user: User) -> None:
        """Issues a fresh code to an imported person who never signed in and whose code expired."""
        (code, code_hash), expires = self._code()
        invitation = session.get(ActivationCode, user.id) or ActivationCode(user_id=user.id, code_hash="", expires_at=expires)
        invitation.code_hash, invitation.expires_at = code_hash, expires
        session.add(invitation)
        self.result.invitations.append(
            CodeOut(row=row.line, identifier=user.email or user.phone or "", code=code, expires_at=expires)
        )


def import_members(
    session: Session, *, settings: Settings, caller: User | None, agency: Agency, staff: StaffFile
) -> ImportResult:
    """Imports a whole file in the caller's transaction (small files; large ones go through a job)."""
    run = ImportRun(root=agency, caller_id=caller.id if caller else None, staff=staff, settings=settings)
    run.apply(session, 0, len(staff.rows))
    return run.result


# --- Large files: a job -------------------------------------------------------------------------------------


def queue_import(
    session: Session, *, caller: User | None, agency: Agency, raw: bytes, staff: StaffFile, claimed: bool = False
) -> jobs.Job:
    """Queues a large import as a job (or claims it for this process); its progress is read with import_job()."""
    return jobs.enqueue(
        session,
        kind=JOB_KIND,
        payload={"agency_id": agency.id, "caller_id": str(caller.id) if caller else None},
        data=raw,
        total=len(staff.rows),
        created_by=caller.id if caller else None,
        status="running" if claimed else "queued",
    )


@jobs.handler(JOB_KIND)
def run_import_job(ctx: jobs.JobContext) -> dict | None:
    """Imports a queued file CHUNK_ROWS rows per transaction, checkpointing the result as it goes."""
    staff = read_staff_file(ctx.data or b"")
    caller_id = uuid.UUID(ctx.payload["caller_id"]) if ctx.payload.get("caller_id") else None
    with ctx.write() as session:
        root = _still_allowed(session, caller_id, session.get(Agency, ctx.payload["agency_id"]))
    run = ImportRun(root=root, caller_id=caller_id, staff=staff, settings=ctx.settings)
    if ctx.result:
        run.result = ImportResult.model_validate(ctx.result)
    start = ctx.progress_done
    run.skip(start)
    total = len(staff.rows)
    chunk = max(CHUNK_ROWS, -(-total // CHECKPOINTS))
    while True:
        stop = min(start + chunk, total)
        with ctx.write() as session:
            if start < stop:
                _still_allowed(session, caller_id, root)
                run.apply(session, start, stop)
            result = run.result.model_dump(mode="json")
            ctx.checkpoint(session, done=stop, total=total, result=result)
            if stop >= total:
                caller = session.get(User, caller_id) if caller_id else None
                audit.members_imported(session, actor=caller, agency=root, result=run.result)
                ctx.finish(session, result=result)
            session.commit()
        if stop >= total:
            return result
        start = stop


def _still_allowed(session: Session, caller_id: uuid.UUID | None, root: Agency | None) -> Agency:
    """Refuses to go on if the agency is gone or the admin who queued the import no longer manages it."""
    if root is None:
        raise jobs.JobFailed("the agency no longer exists")
    if caller_id is None:
        return root  # queued from the command line, by the operator
    caller = session.get(User, caller_id)
    try:
        if caller is None:
            raise NotFound("gone")
        access.scoped_agency(session, user=caller, code=root.code, action=access.Action.manage)
    except HocsoError:
        raise jobs.JobFailed("the person who started this import no longer manages the agency") from None
    return root


@dataclass
class ImportJobState:
    id: uuid.UUID
    status: Literal["queued", "running", "done", "failed"]
    rows_total: int
    rows_done: int
    result: dict | None
    error: str | None
    created_by: uuid.UUID | None = None


def import_job(session: Session, *, agency: Agency, job_id: str) -> ImportJobState:
    """Returns where an import job of this agency stands; any other id (or another agency's job) is 404."""
    try:
        wanted = uuid.UUID(job_id)
    except ValueError:
        wanted = None
    # Neither the uploaded file nor the result (megabytes for a large file) is read while polling.
    jobs_table = table_of(Job)
    row = (
        session.execute(
            sa_select(
                *(
                    jobs_table.c[name]
                    for name in ("id", "kind", "payload", "status", "progress_total", "progress_done", "error", "created_by")
                )
            ).where(jobs_table.c.id == wanted)
        ).first()
        if wanted
        else None
    )
    if row is None or row.kind != JOB_KIND or row.payload.get("agency_id") != agency.id:
        raise NotFound("There is no such import.", "Không có lượt nhập này.")
    result = session.exec(select(col(Job.result)).where(Job.id == wanted)).one() if row.status == "done" else None
    return ImportJobState(row.id, row.status, row.progress_total, row.progress_done, result, row.error, row.created_by)


# --- Invitations, as the invited person sees them -----------------------------------------------------------


def invitations_of(session: Session, *, user: User) -> list[InvitationOut]:
    """Lists the invitations waiting for a person: open and not expired."""
    rows = session.exec(
        select(AgencyInvitation, Agency)
        .join(Agency, col(Agency.id) == col(AgencyInvitation.agency_id))
        .where(
            AgencyInvitation.user_id == user.id,
            col(AgencyInvitation.accepted_at).is_(None),
            AgencyInvitation.expires_at > utcnow(),
        )
        .order_by(col(AgencyInvitation.created_at))
    ).all()
    return [InvitationOut.of(inv, agency) for inv, agency in rows]


def accept_invitation(session: Session, *, user: User, invitation_id: str) -> InvitationOut:
    """Moves the person into the inviting agency as a civil servant; only the invited person can do it."""
    try:
        invitation = session.get(AgencyInvitation, uuid.UUID(invitation_id))
    except ValueError:
        invitation = None
    if invitation is None or invitation.user_id != user.id:
        raise NotFound("There is no such invitation for you.", "Không có lời mời này dành cho bạn.")
    if invitation.accepted_at is not None or invitation.expires_at < utcnow():
        raise BadRequest(
            "This invitation was already used or has expired; ask the agency to invite you again.",
            "Lời mời này đã được dùng hoặc đã hết hạn; hãy đề nghị cơ quan mời lại.",
        )
    # One acceptance wins even if the person taps twice on two phones.
    won = session.exec(
        update(AgencyInvitation)
        .where(col(AgencyInvitation.id) == invitation.id, col(AgencyInvitation.accepted_at).is_(None))
        .values(accepted_at=utcnow())
    ).rowcount
    if won != 1:
        raise BadRequest(
            "This invitation was already used or has expired; ask the agency to invite you again.",
            "Lời mời này đã được dùng hoặc đã hết hạn; hãy đề nghị cơ quan mời lại.",
        )
    agency = session.get(Agency, invitation.agency_id)
    move_person(session, user=user, agency=agency)
    session.refresh(invitation)
    return InvitationOut.of(invitation, agency)


ProgressCallback = Callable[[int, int], None]
