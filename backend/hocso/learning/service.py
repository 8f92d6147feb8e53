"""Learning rules: grading attempts, recording offline progress once, and the yearly goal."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Row, String, bindparam, cast, func, insert, literal, null, union_all, update
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from hocso.accounts.models import User
from hocso.accounts.service import Person
from hocso.agencies.models import Agency
from hocso.agencies.requirements import EARLIEST_DUE
from hocso.certificates.service import completion_stored
from hocso.content.cache import ContentAnswers
from hocso.content.models import ModuleVersion
from hocso.content.service import draw_count, get_module_version, version_text, versions_of
from hocso.core.db import insert_ignoring_conflicts, table_of
from hocso.core.errors import Conflict, Invalid, NotFound
from hocso.core.timeutil import VIETNAM, current_vietnam_year, vietnam_year
from hocso.learning.client_time import Receipt, claimed_time, effective_time
from hocso.learning.models import Attempt, ModuleProgress, ProgressEvent
from hocso.learning.schemas import (
    AttemptIn,
    AttemptResult,
    ProgressBatchIn,
    ProgressBatchResult,
    ProgressSummary,
    QuestionResult,
    RejectedEvent,
)
from hocso.xapi import service as xapi
from hocso.xapi import statements as xapi_statements
from hocso.xapi.statements import XapiTarget

YEARLY_TARGET = 1


# The person's summary rows are read and written with Core statements: this is the path every quiz attempt
# and lesson takes, and the ORM's identity map and flush cost more here than the SQL they send.
_PROGRESS = table_of(ModuleProgress)
_PROGRESS_OF = _PROGRESS.select().where(_PROGRESS.c.user_id == bindparam("user_id"))
_ADD_PROGRESS = insert(_PROGRESS)
_EVENTS = table_of(ProgressEvent)


def _progress_of(session: Session, user_id: uuid.UUID) -> dict[str, Row]:
    """Returns the person's summary row per module; a writer calls it holding rollups.lock_person."""
    return {row.module_slug: row for row in session.execute(_PROGRESS_OF, {"user_id": user_id})}


# The summary rows and the path of the person's agency in one statement: one row per summary (or one row of
# NULLs when there is none), each carrying the path. Read holding the person's lock, so the path is that of
# the agency they are in now (rollups.agency_path says why it must not be read before the lock).
_AGENCIES = table_of(Agency)
_ONE_ROW = core_select(literal(1).label("one")).subquery()
_PROGRESS_AND_PATH = core_select(_AGENCIES.c.path.label("agency_path"), *_PROGRESS.c).select_from(
    _ONE_ROW.outerjoin(_PROGRESS, _PROGRESS.c.user_id == bindparam("user_id")).outerjoin(
        _AGENCIES, _AGENCIES.c.id == bindparam("agency_id")
    )
)


def _progress_and_path(session: Session, user_id: uuid.UUID, agency_id: int | None) -> tuple[dict[str, Row], str | None]:
    """_progress_of and the path of the person's agency (None outside any), holding rollups.lock_person."""
    if agency_id is None:
        return _progress_of(session, user_id), None
    rows = session.execute(_PROGRESS_AND_PATH, {"user_id": user_id, "agency_id": agency_id}).all()
    return {row.module_slug: row for row in rows if row.id is not None}, rows[0].agency_path


def _write_progress(session: Session, *, row: Row | None, user_id: uuid.UUID, slug: str, values: dict[str, Any]) -> None:
    """Creates the person's summary for a module, or updates the columns in values that changed."""
    if row is None:
        session.execute(_ADD_PROGRESS, {"lessons_completed": 0, **values, "user_id": user_id, "module_slug": slug})
        return
    changed = {k: v for k, v in values.items() if getattr(row, k) != v}
    if changed:
        session.execute(update(_PROGRESS).where(_PROGRESS.c.id == row.id).values(changed))


def _grade(quiz: dict[str, Any], answers: dict[str, list[str]], lang: str) -> tuple[float, list[QuestionResult]]:
    questions = quiz["questions"]
    known = {q["id"]: q for q in questions}
    unknown = sorted(set(answers) - set(known))
    if unknown:
        raise Invalid(
            f"answers: question id(s) {', '.join(unknown)} are not in this module's question pool (this version).",
            f"answers: mã câu hỏi {', '.join(unknown)} không có trong bộ câu hỏi của học phần này (phiên bản này).",
        )
    results = []
    # The attempt is graded on the questions drawn for it, which are the ones it answers.
    for q in (q for q in questions if q["id"] in answers):
        chosen = answers[q["id"]]
        choice_ids = {c["id"] for c in q["choices"]}
        bad = sorted(set(chosen) - choice_ids)
        if bad:
            raise Invalid(
                f"answers.{q['id']}: unknown choice id(s) {', '.join(bad)}.",
                f"answers.{q['id']}: lựa chọn không tồn tại: {', '.join(bad)}.",
            )
        if not q["multiple"] and len(set(chosen)) > 1:
            raise Invalid(
                f"answers.{q['id']}: this question takes one answer.",
                f"answers.{q['id']}: câu hỏi này chỉ chọn một đáp án.",
            )
        correct_ids = [c["id"] for c in q["choices"] if c["correct"]]
        results.append(
            QuestionResult(
                question_id=q["id"],
                correct=set(chosen) == set(correct_ids),
                chosen_choice_ids=sorted(set(chosen)),
                correct_choice_ids=correct_ids,
                explanation=q["explanation"][lang],
            )
        )
    draw = draw_count(quiz)
    if len(results) < draw:
        raise Invalid(
            f"answers: this quiz takes answers to at least {draw} questions; this attempt answers {len(results)}.",
            f"answers: bài kiểm tra này cần trả lời ít nhất {draw} câu; lần làm bài này trả lời {len(results)} câu.",
        )
    score = sum(r.correct for r in results) / len(results)
    return round(score, 4), results


def _without_key(results: list[QuestionResult], *, module_title: str, lang: str) -> list[QuestionResult]:
    """Hides the key and explanation of wrongly answered questions, pointing back to the lessons instead.

    Until the person passes, a result that named the right choices would let them pass by resending it.
    """
    pointer = (
        f"Đọc lại các bài của học phần «{module_title}» rồi làm lại."
        if lang == "vi"
        else f"Re-read the lessons of “{module_title}”, then try again."
    )
    return [r if r.correct else r.model_copy(update={"correct_choice_ids": [], "explanation": pointer}) for r in results]


@dataclass
class GradedAttempt:
    """A quiz attempt graded, not yet stored: what storing it needs."""

    version_id: int
    version: int
    text: dict[str, Any]
    claimed: datetime | None
    occurred: datetime
    score: float
    results: list[QuestionResult]
    pass_score: float
    passed: bool


@dataclass
class StoredAttempt:
    """What storing an attempt did: its answer, and the completion it moved (old and new year) if any."""

    result: AttemptResult
    replayed: bool = False
    completes: bool = False
    old_year: int | None = None
    new_year: int | None = None
    years_before: Counter[int] = field(default_factory=Counter)
    agency_path: str | None = None


def grade_attempt(
    session: Session,
    *,
    user: User,
    slug: str,
    data: AttemptIn,
    lang: str,
    receipt: Receipt,
    modules: ContentAnswers | None = None,
) -> GradedAttempt | AttemptResult:
    """Grades a quiz attempt; a resent one whose module was changed or withdrawn since gets its first answer.

    modules: the app's content cache, which keeps the module's current version instead of reading it each time.
    """
    user_id = user.id
    try:
        find = modules.module_ref if modules is not None else get_module_version
        module = find(session, slug, version=data.version)
        claimed = claimed_time(data.occurred_at, field="occurred_at")
        occurred = effective_time(claimed, receipt=receipt, account_since=user.created_at)
        text = version_text(session, module.version_id, module.content_hash)
        quiz = text["quiz"]
        score, results = _grade(quiz, data.answers, lang)
    except (NotFound, Invalid):
        # A resent attempt gets its first answer even after its module was changed or withdrawn.
        earlier = _earlier_attempt(session, data.event_id)
        if earlier is None:
            raise
        return _replay(earlier, user_id=user_id, slug=slug)
    pass_score = quiz["pass_score"]
    passed = score >= pass_score - 1e-9
    return GradedAttempt(
        version_id=module.version_id,
        version=module.version,
        text=text,
        claimed=claimed,
        occurred=occurred,
        score=score,
        results=results,
        pass_score=pass_score,
        passed=passed,
    )


def store_attempt(
    session: Session,
    *,
    user: User,
    slug: str,
    data: AttemptIn,
    lang: str,
    receipt: Receipt,
    graded: GradedAttempt,
    assisted_session_id: uuid.UUID | None,
    agency_id: int | None = None,
) -> StoredAttempt:
    """Stores a graded attempt once per event_id and moves the module's completion to it if it is the earliest pass.

    The caller holds the person's lock (rollups.lock_person), so the person's summary read here stays theirs;
    agency_id is their agency as that lock found it, whose path comes back with a completion.
    """
    user_id = user.id
    occurred, score, passed, text = graded.occurred, graded.score, graded.passed, graded.text
    progress, agency_path = _progress_and_path(session, user_id, agency_id)
    row = progress.get(slug)
    module_completed = passed or (row is not None and row.completed_at is not None)
    result = AttemptResult(
        score=score,
        passed=passed,
        pass_score=graded.pass_score,
        results=graded.results if module_completed else _without_key(graded.results, module_title=text["title"][lang], lang=lang),
        module_completed=module_completed,
        version=graded.version,
        occurred_at=occurred,
    )
    inserted = insert_ignoring_conflicts(
        session,
        table_of(Attempt),
        [
            {
                "event_id": data.event_id,
                "user_id": user_id,
                "module_slug": slug,
                "module_version_id": graded.version_id,
                "answers": data.answers,
                "score": score,
                "passed": passed,
                "result": result.model_dump(mode="json"),
                "occurred_at": occurred,
                "claimed_at": graded.claimed,
                "received_at": receipt.at,
                "assisted_session_id": assisted_session_id,
            }
        ],
        ["event_id"],
    )
    if not inserted:
        # This event was stored before (the person lock means that transaction has finished): answer as it did.
        earlier = _earlier_attempt(session, data.event_id)
        assert earlier is not None  # the insert just clashed with it
        return StoredAttempt(result=_replay(earlier, user_id=user_id, slug=slug), replayed=True)

    values: dict[str, Any] = {
        "started_at": occurred if row is None else min(row.started_at, occurred),
        "best_score": max(row.best_score or 0.0, score) if row is not None else score,
    }
    completes = passed and (row is None or row.completed_at is None or occurred < row.completed_at)
    if completes:
        values |= {
            "completed_at": occurred,
            "completed_year": vietnam_year(occurred),
            "completed_version_id": graded.version_id,
            "assisted_session_id": assisted_session_id,
        }
    _write_progress(session, row=row, user_id=user_id, slug=slug, values=values)
    if not completes:
        return StoredAttempt(result=result)
    return StoredAttempt(
        result=result,
        completes=True,
        old_year=row.completed_year if row is not None else None,
        new_year=values["completed_year"],
        years_before=Counter(p.completed_year for p in progress.values() if p.completed_year is not None),
        agency_path=agency_path,
    )


def attempt_stored(
    session: Session,
    *,
    user: User,
    slug: str,
    data: AttemptIn,
    graded: GradedAttempt,
    stored: StoredAttempt,
    xapi_target: XapiTarget | None,
) -> None:
    """Keeps what follows a stored attempt: the person's new skill when it completes, and its xAPI statements."""
    user_id = user.id
    occurred, text = graded.occurred, graded.text
    if stored.completes:
        old_year, new_year, years_before = stored.old_year, stored.new_year, stored.years_before
        assert new_year is not None  # a completion has its year
        # New skills in the years this completion touched, after it: the year it now counts in, and the one it left.
        years_after = {new_year: years_before[new_year] + (0 if old_year == new_year else 1)}
        if old_year is not None and old_year != new_year:
            years_after[old_year] = years_before[old_year] - 1
        completion_stored(
            session,
            user_id=user_id,
            holder_name=user.full_name,
            slug=slug,
            titles=text["title"],
            achieved_at=occurred,
            year=new_year,
            years=years_after,
            target=YEARLY_TARGET,
        )
    if xapi_target is not None:
        _queue_attempt_statements(
            session,
            xapi_target,
            user_id=user_id,
            slug=slug,
            data=data,
            titles=text["title"],
            result=stored.result,
            occurred=occurred,
            completes=stored.completes,
        )


def _queue_attempt_statements(
    session: Session,
    target: XapiTarget,
    *,
    user_id: uuid.UUID,
    slug: str,
    data: AttemptIn,
    titles: dict[str, str],
    result: AttemptResult,
    occurred: datetime,
    completes: bool,
) -> None:
    """Queues the attempt's xAPI statement, and the module's completion when this attempt is it."""
    common: dict[str, Any] = {
        "key": target.key,
        "base_url": target.base_url,
        "user_id": user_id,
        "event_id": data.event_id,
        "slug": slug,
        "module_titles": titles,
        "occurred_at": occurred,
    }
    made = [
        xapi_statements.attempt_graded(
            **common,
            score=result.score,
            correct=sum(r.correct for r in result.results),
            answered=len(result.results),
            passed=result.passed,
        )
    ]
    if completes:
        made.append(xapi_statements.module_completed(**common))
    xapi.enqueue(session, user_id=user_id, statements=made)


def _earlier_attempt(session: Session, event_id: uuid.UUID) -> Attempt | None:
    return session.exec(select(Attempt).where(Attempt.event_id == event_id)).first()


def _replay(earlier: Attempt, *, user_id: uuid.UUID, slug: str) -> AttemptResult:
    if earlier.user_id != user_id or earlier.module_slug != slug:
        raise Conflict(
            "This event_id was already used for another attempt; make a new one for each attempt.",
            "Mã sự kiện (event_id) này đã được dùng cho lần làm bài khác; hãy tạo mã mới cho mỗi lần.",
        )
    return AttemptResult.model_validate(earlier.result)


_VERSIONS_OF = select(table_of(ModuleVersion).c.id, table_of(ModuleVersion).c.content_hash).where(
    table_of(ModuleVersion).c.module_slug == bindparam("slug")
)
_LESSON_COUNTS = (
    select(_EVENTS.c.module_slug, func.count(func.distinct(_EVENTS.c.lesson_id)))
    .where(_EVENTS.c.user_id == bindparam("user_id"), _EVENTS.c.module_slug.in_(bindparam("slugs", expanding=True)))
    .group_by(_EVENTS.c.module_slug)
)


def _lesson_ids(session: Session, slug: str, cache: dict[str, set[str] | None]) -> set[str] | None:
    """Returns the lesson ids any loaded version of a module has had, or None if there is no such module."""
    if slug not in cache:
        # A module exists from the load that gave it its first version, so no version means no such module.
        versions = session.execute(_VERSIONS_OF, {"slug": slug}).all()
        texts = [version_text(session, version_id, content_hash) for version_id, content_hash in versions]
        cache[slug] = {lesson["id"] for text in texts for lesson in text["lessons"]} if versions else None
    return cache[slug]


@dataclass
class CheckedBatch:
    """A batch of progress events checked against the catalogue: the rows to store and what was turned away."""

    rows: dict[uuid.UUID, dict[str, Any]]
    rejected: list[RejectedEvent]
    repeats_in_batch: int


def check_events(
    session: Session,
    *,
    user: User,
    batch: ProgressBatchIn,
    receipt: Receipt,
    max_events: int,
    assisted_session_id: uuid.UUID | None = None,
) -> CheckedBatch:
    """Checks a batch of offline progress events against the modules' lessons, before any lock is taken."""
    if len(batch.events) > max_events:
        raise Invalid(
            f"A batch holds at most {max_events} events; send the rest in another batch.",
            f"Mỗi lần gửi tối đa {max_events} sự kiện; hãy gửi phần còn lại ở lần sau.",
        )
    user_id = user.id
    # A date no server can hold spoils the whole batch (422), like any other malformed field.
    claimed = [claimed_time(e.occurred_at, field=f"events[{i}].occurred_at") for i, e in enumerate(batch.events)]
    rejected: list[RejectedEvent] = []
    rows: dict[uuid.UUID, dict[str, Any]] = {}
    repeats_in_batch = 0
    lesson_cache: dict[str, set[str] | None] = {}
    for event, claimed_at in zip(batch.events, claimed, strict=True):
        if event.event_id in rows:
            repeats_in_batch += 1
            continue
        lessons = _lesson_ids(session, event.module, lesson_cache)
        if lessons is None:
            rejected.append(RejectedEvent(event_id=event.event_id, reason=f"unknown module '{event.module}'"))
        elif event.lesson not in lessons:
            rejected.append(
                RejectedEvent(event_id=event.event_id, reason=f"module '{event.module}' has no lesson '{event.lesson}'")
            )
        else:
            rows[event.event_id] = {
                "event_id": event.event_id,
                "user_id": user_id,
                "type": event.type,
                "module_slug": event.module,
                "lesson_id": event.lesson,
                "occurred_at": effective_time(claimed_at, receipt=receipt, account_since=user.created_at),
                "claimed_at": claimed_at,
                "received_at": receipt.at,
                "assisted_session_id": assisted_session_id,
            }
    return CheckedBatch(rows=rows, rejected=rejected, repeats_in_batch=repeats_in_batch)


def store_events(
    session: Session, *, user_id: uuid.UUID, checked: CheckedBatch, xapi_target: XapiTarget | None = None
) -> ProgressBatchResult:
    """Stores checked progress events once each; the caller holds the person's lock when there are any."""
    rows, rejected, repeats_in_batch = checked.rows, checked.rejected, checked.repeats_in_batch
    inserted = set(insert_ignoring_conflicts(session, table_of(ProgressEvent), list(rows.values()), ["event_id"]))

    touched: dict[str, datetime] = {}
    for event_id in inserted:
        row = rows[event_id]
        slug = row["module_slug"]
        touched[slug] = min(touched.get(slug, row["occurred_at"]), row["occurred_at"])
    if touched:
        progress = _progress_of(session, user_id)
        lesson_counts = dict(session.execute(_LESSON_COUNTS, {"user_id": user_id, "slugs": list(touched)}).all())
        for slug, first_moment in sorted(touched.items()):
            summary = progress.get(slug)
            started = first_moment if summary is None else min(summary.started_at, first_moment)
            _write_progress(
                session,
                row=summary,
                user_id=user_id,
                slug=slug,
                values={"started_at": started, "lessons_completed": lesson_counts[slug]},
            )
    if xapi_target is not None and inserted:
        _queue_lesson_statements(session, xapi_target, user_id=user_id, rows=[rows[e] for e in sorted(inserted)])
    return ProgressBatchResult(accepted=len(inserted), duplicates=len(rows) - len(inserted) + repeats_in_batch, rejected=rejected)


def _queue_lesson_statements(session: Session, target: XapiTarget, *, user_id: uuid.UUID, rows: list[dict[str, Any]]) -> None:
    """Queues an xAPI statement per newly stored lesson event, named as the module's latest version names it."""
    texts: dict[str, dict[str, Any]] = {}
    made = []
    for row in rows:
        slug = row["module_slug"]
        if slug not in texts:
            latest = versions_of(session, slug)[-1]
            assert latest.id is not None  # read back from the database
            texts[slug] = version_text(session, latest.id, latest.content_hash)
        text = texts[slug]
        lesson = next((item for item in text["lessons"] if item["id"] == row["lesson_id"]), None)
        made.append(
            xapi_statements.lesson_completed(
                key=target.key,
                base_url=target.base_url,
                user_id=user_id,
                event_id=row["event_id"],
                slug=slug,
                module_titles=text["title"],
                lesson=row["lesson_id"],
                lesson_titles=lesson["title"] if lesson else {"vi": row["lesson_id"], "en": row["lesson_id"]},
                occurred_at=row["occurred_at"],
            )
        )
    xapi.enqueue(session, user_id=user_id, statements=made)


# /me/progress reads with statements built once (building and hashing a new select per request cost more than
# running it) and as plain rows rather than entities. Besides the summary rows, one statement brings the lessons
# done (in the database's order) and the due dates of the person's agency, each arm tagged; the active modules
# come from the process's copy of the catalogue (ContentAnswers.active_modules).
_DONE = select(_EVENTS.c.module_slug, _EVENTS.c.lesson_id).where(_EVENTS.c.user_id == bindparam("user_id")).distinct().subquery()
_DUE = EARLIEST_DUE.subquery()
_NO_TEXT, _NO_DATE = cast(null(), String), cast(null(), Date)
_AROUND_PROGRESS = union_all(
    core_select(
        literal(1).label("kind"), _DONE.c.module_slug.label("slug"), _DONE.c.lesson_id.label("lesson"), _NO_DATE.label("due_date")
    ),
    core_select(literal(2), _DUE.c.module_slug, _NO_TEXT, _DUE.c.due_date),
).order_by("kind", "slug", "lesson")


# What the summary shows of each summary row: fewer columns than _PROGRESS_OF, each converted per row.
_SHOWN_PROGRESS = core_select(
    _PROGRESS.c.module_slug,
    _PROGRESS.c.completed_at,
    _PROGRESS.c.lessons_completed,
    _PROGRESS.c.best_score,
    _PROGRESS.c.completed_year,
).where(_PROGRESS.c.user_id == bindparam("user_id"))


def progress_summary(
    session: Session, *, person: Person, catalogue: ContentAnswers, now: datetime, year: int | None = None
) -> ProgressSummary:
    """Builds the person's progress: this year's goal, each module's status, history and what is required."""
    user_id = person.id
    this_year = current_vietnam_year(now)
    year = year or this_year
    # Both statements on the session's connection: the same transaction, without the ORM's per-statement
    # machinery (a third of each statement's cost here), which Core statements that load no entity do not need.
    connection = session.connection()
    rows = {row.module_slug: row for row in connection.execute(_SHOWN_PROGRESS, {"user_id": user_id})}
    done: dict[str, list[str]] = {}
    due: dict[str, date] = {}
    # No agency: no row has a NULL id, so the due dates' arm is empty.
    params = {"user_id": user_id, "member_agency_id": person.agency_id}
    for kind, slug, lesson, due_date in connection.execute(_AROUND_PROGRESS, params):
        if kind == 1:
            done.setdefault(slug, []).append(lesson)
        else:
            due[slug] = due_date
    active = catalogue.active_modules(session)
    listed = set(active)
    slugs = [*active, *sorted(s for s in rows if s not in listed)]
    # Plain dicts, validated into the answer's models in one call at the end (one pass in pydantic's core
    # instead of a model built per module).
    modules: list[dict[str, Any]] = []
    status_of: dict[str, str] = {}
    for slug in slugs:
        p = rows.get(slug)
        status_of[slug] = status = "not_started" if p is None else ("completed" if p.completed_at else "in_progress")
        modules.append(
            {
                "slug": slug,
                "status": status,
                "completed_at": p.completed_at if p else None,
                "lessons_completed": p.lessons_completed if p else 0,
                "lessons_done": done.get(slug, []),
                "best_score": p.best_score if p else None,
            }
        )
    per_year: dict[int, int] = {}
    for p in rows.values():
        if p.completed_year is not None:
            per_year[p.completed_year] = per_year.get(p.completed_year, 0) + 1
    per_year.setdefault(this_year, 0)
    history = [{"year": y, "new_skills": n} for y, n in sorted(per_year.items(), reverse=True)]
    n = per_year.get(year, 0)
    today = now.astimezone(VIETNAM).date()
    required = []
    for slug, d in sorted(due.items(), key=lambda item: (item[1], item[0])):
        state = status_of.get(slug, "not_started")
        required.append({"slug": slug, "due_date": d, "status": state, "overdue": state != "completed" and d < today})
    return ProgressSummary.model_validate(
        {
            "year": year,
            "goal": {"target": YEARLY_TARGET, "new_skills": n, "met": n >= YEARLY_TARGET},
            "modules": modules,
            "history": history,
            "required": required,
        }
    )


def learner_export(session: Session, *, user_id: uuid.UUID) -> dict[str, Any]:
    """Returns everything recorded about a person's learning, for their data-access request."""
    events = session.exec(
        select(ProgressEvent).where(col(ProgressEvent.user_id) == user_id).order_by(col(ProgressEvent.occurred_at))
    ).all()
    attempts = session.exec(select(Attempt).where(col(Attempt.user_id) == user_id).order_by(col(Attempt.occurred_at))).all()
    progress = session.exec(select(ModuleProgress).where(ModuleProgress.user_id == user_id)).all()
    return {
        "progress_events": [
            {
                "event_id": str(e.event_id),
                "type": e.type,
                "module": e.module_slug,
                "lesson": e.lesson_id,
                "occurred_at": e.occurred_at,
                "claimed_at": e.claimed_at,
                "received_at": e.received_at,
                "assisted": e.assisted_session_id is not None,
            }
            for e in events
        ],
        "attempts": [
            {
                "event_id": str(a.event_id),
                "module": a.module_slug,
                "answers": a.answers,
                "score": a.score,
                "passed": a.passed,
                "occurred_at": a.occurred_at,
                "claimed_at": a.claimed_at,
                "received_at": a.received_at,
                "assisted": a.assisted_session_id is not None,
            }
            for a in attempts
        ],
        "modules": [
            {
                "slug": p.module_slug,
                "started_at": p.started_at,
                "lessons_completed": p.lessons_completed,
                "best_score": p.best_score,
                "completed_at": p.completed_at,
                "counted_in_year": p.completed_year,
                "completed_in_assisted_session": p.assisted_session_id is not None,
            }
            for p in progress
        ],
    }
