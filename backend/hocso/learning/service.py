"""Learning rules: grading attempts, recording offline progress once, and the yearly goal."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from hocso.accounts.models import User
from hocso.agencies import rollups
from hocso.agencies.service import agency_of, required_of_member
from hocso.content.models import Module
from hocso.content.service import get_module_version, version_text, versions_of
from hocso.core.db import insert_ignoring_conflicts
from hocso.core.errors import Conflict, Invalid
from hocso.core.timeutil import current_vietnam_year, to_utc, utcnow, vietnam_year
from hocso.learning.models import Attempt, ModuleProgress, ProgressEvent
from hocso.learning.schemas import (
    AttemptIn,
    AttemptResult,
    ModuleStatus,
    ProgressBatchIn,
    ProgressBatchResult,
    ProgressSummary,
    QuestionResult,
    RejectedEvent,
    RequiredModule,
    YearCount,
    YearlyGoal,
)

YEARLY_TARGET = 1
# Phones' clocks drift; a moment this far ahead of the server is still taken as "now".
CLOCK_SKEW = timedelta(minutes=10)


def _when(occurred_at: datetime | None) -> datetime | None:
    """Returns a stored (naive UTC) moment, or None when it lies in the future beyond clock skew."""
    now = utcnow()
    if occurred_at is None:
        return now
    moment = to_utc(occurred_at)
    if moment > now + CLOCK_SKEW:
        return None
    return min(moment, now)


def _progress_row(session: Session, *, user_id: uuid.UUID, slug: str, started_at: datetime) -> ModuleProgress:
    """Returns the person's summary for a module, creating it if needed, locked for update."""
    insert_ignoring_conflicts(
        session,
        ModuleProgress.__table__,
        [{"user_id": user_id, "module_slug": slug, "started_at": started_at, "lessons_completed": 0}],
        ["user_id", "module_slug"],
    )
    row = session.exec(
        select(ModuleProgress)
        .where(ModuleProgress.user_id == user_id, ModuleProgress.module_slug == slug)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if started_at < row.started_at:
        row.started_at = started_at
    return row


def _grade(quiz: dict[str, Any], answers: dict[str, list[str]], lang: str) -> tuple[float, list[QuestionResult]]:
    questions = quiz["questions"]
    known = {q["id"]: q for q in questions}
    unknown = sorted(set(answers) - set(known))
    if unknown:
        raise Invalid(
            f"answers: unknown question id(s) {', '.join(unknown)} for this module version.",
            f"answers: mã câu hỏi không có trong phiên bản học phần này: {', '.join(unknown)}.",
        )
    results = []
    for q in questions:
        chosen = answers.get(q["id"], [])
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
    score = sum(r.correct for r in results) / len(results)
    return round(score, 4), results


def submit_attempt(session: Session, *, user: User, slug: str, data: AttemptIn, lang: str) -> AttemptResult:
    """Grades a quiz attempt once per event_id; a pass completes the module (earliest pass wins)."""
    user_id = user.id
    earlier = session.exec(select(Attempt).where(Attempt.event_id == data.event_id)).first()
    if earlier is not None:
        return _replay(earlier, user_id=user_id, slug=slug)

    _, version = get_module_version(session, slug, version=data.version)
    occurred = _when(data.occurred_at)
    if occurred is None:
        raise Invalid(
            "occurred_at is in the future; check the phone's date and time.",
            "occurred_at nằm ở tương lai; hãy kiểm tra ngày giờ của điện thoại.",
        )
    quiz = version_text(session, version)["quiz"]
    score, results = _grade(quiz, data.answers, lang)
    pass_score = quiz["pass_score"]
    passed = score >= pass_score - 1e-9

    progress = _progress_row(session, user_id=user_id, slug=slug, started_at=occurred)
    result = AttemptResult(
        score=score,
        passed=passed,
        pass_score=pass_score,
        results=results,
        module_completed=passed or progress.completed_at is not None,
        version=version.version,
        occurred_at=occurred,
    )
    inserted = insert_ignoring_conflicts(
        session,
        Attempt.__table__,
        [
            {
                "event_id": data.event_id,
                "user_id": user_id,
                "module_slug": slug,
                "module_version_id": version.id,
                "answers": data.answers,
                "score": score,
                "passed": passed,
                "result": result.model_dump(mode="json"),
                "occurred_at": occurred,
                "received_at": utcnow(),
            }
        ],
        ["event_id"],
    )
    if not inserted:
        # The same event arrived twice at once and the other request stored it first: answer as it did.
        earlier = session.exec(select(Attempt).where(Attempt.event_id == data.event_id)).one()
        return _replay(earlier, user_id=user_id, slug=slug)

    progress.best_score = max(progress.best_score or 0.0, score)
    if passed and (progress.completed_at is None or occurred < progress.completed_at):
        old_year = progress.completed_year
        progress.completed_at = occurred
        progress.completed_year = vietnam_year(occurred)
        progress.completed_version_id = version.id
        session.add(progress)
        agency = agency_of(session, user)
        if agency is not None:
            rollups.completion_changed(
                session, user_id=user_id, agency_path=agency.path, slug=slug, old_year=old_year, new_year=progress.completed_year
            )
    session.add(progress)
    session.flush()
    return result


def _replay(earlier: Attempt, *, user_id: uuid.UUID, slug: str) -> AttemptResult:
    if earlier.user_id != user_id or earlier.module_slug != slug:
        raise Conflict(
            "This event_id was already used for another attempt; make a new one for each attempt.",
            "Mã sự kiện (event_id) này đã được dùng cho lần làm bài khác; hãy tạo mã mới cho mỗi lần.",
        )
    return AttemptResult.model_validate(earlier.result)


def _lesson_ids(session: Session, slug: str, cache: dict[str, set[str] | None]) -> set[str] | None:
    """Returns the lesson ids any loaded version of a module has had, or None if there is no such module."""
    if slug not in cache:
        if session.get(Module, slug) is None:
            cache[slug] = None
        else:
            texts = [version_text(session, v) for v in versions_of(session, slug)]
            cache[slug] = {lesson["id"] for text in texts for lesson in text["lessons"]}
    return cache[slug]


def record_events(session: Session, *, user_id: uuid.UUID, batch: ProgressBatchIn) -> ProgressBatchResult:
    """Stores a batch of offline progress events; replays and reorderings change nothing."""
    rejected: list[RejectedEvent] = []
    rows: dict[uuid.UUID, dict[str, Any]] = {}
    repeats_in_batch = 0
    lesson_cache: dict[str, set[str] | None] = {}
    for event in batch.events:
        if event.event_id in rows:
            repeats_in_batch += 1
            continue
        lessons = _lesson_ids(session, event.module, lesson_cache)
        occurred = _when(event.occurred_at)
        if lessons is None:
            rejected.append(RejectedEvent(event_id=event.event_id, reason=f"unknown module '{event.module}'"))
        elif event.lesson not in lessons:
            rejected.append(
                RejectedEvent(event_id=event.event_id, reason=f"module '{event.module}' has no lesson '{event.lesson}'")
            )
        elif occurred is None:
            rejected.append(RejectedEvent(event_id=event.event_id, reason="occurred_at is in the future"))
        else:
            rows[event.event_id] = {
                "event_id": event.event_id,
                "user_id": user_id,
                "type": event.type,
                "module_slug": event.module,
                "lesson_id": event.lesson,
                "occurred_at": occurred,
                "received_at": utcnow(),
            }
    inserted = set(insert_ignoring_conflicts(session, ProgressEvent.__table__, list(rows.values()), ["event_id"]))

    touched: dict[str, datetime] = {}
    for event_id in inserted:
        row = rows[event_id]
        slug = row["module_slug"]
        touched[slug] = min(touched.get(slug, row["occurred_at"]), row["occurred_at"])
    for slug, first_moment in sorted(touched.items()):
        progress = _progress_row(session, user_id=user_id, slug=slug, started_at=first_moment)
        progress.lessons_completed = session.exec(
            select(func.count(func.distinct(ProgressEvent.lesson_id))).where(
                ProgressEvent.user_id == user_id, ProgressEvent.module_slug == slug
            )
        ).one()
        session.add(progress)
    session.flush()
    return ProgressBatchResult(
        accepted=len(inserted), duplicates=len(rows) - len(inserted) + repeats_in_batch, rejected=rejected
    )


def progress_summary(session: Session, *, user: User, year: int | None = None) -> ProgressSummary:
    """Builds the person's progress: this year's goal, each module's status, history and what is required."""
    user_id = user.id
    year = year or current_vietnam_year()
    rows = {p.module_slug: p for p in session.exec(select(ModuleProgress).where(ModuleProgress.user_id == user_id))}
    active = session.exec(
        select(Module.slug).where(Module.active == True).order_by(Module.area_slug, Module.position)  # noqa: E712
    ).all()
    slugs = list(active) + sorted(s for s in rows if s not in set(active))
    done: dict[str, list[str]] = {}
    for slug, lesson in session.exec(
        select(ProgressEvent.module_slug, ProgressEvent.lesson_id)
        .where(ProgressEvent.user_id == user_id)
        .distinct()
        .order_by(ProgressEvent.module_slug, ProgressEvent.lesson_id)
    ):
        done.setdefault(slug, []).append(lesson)
    modules = []
    for slug in slugs:
        p = rows.get(slug)
        status = "not_started" if p is None else ("completed" if p.completed_at else "in_progress")
        modules.append(
            ModuleStatus(
                slug=slug,
                status=status,
                completed_at=p.completed_at if p else None,
                lessons_completed=p.lessons_completed if p else 0,
                lessons_done=done.get(slug, []),
                best_score=p.best_score if p else None,
            )
        )
    per_year: dict[int, int] = {}
    for p in rows.values():
        if p.completed_year is not None:
            per_year[p.completed_year] = per_year.get(p.completed_year, 0) + 1
    per_year.setdefault(current_vietnam_year(), 0)
    history = [YearCount(year=y, new_skills=n) for y, n in sorted(per_year.items(), reverse=True)]
    n = per_year.get(year, 0)
    status_of = {m.slug: m.status for m in modules}
    due = required_of_member(session, agency_id=user.agency_id) if user.agency_id else {}
    required = [
        RequiredModule(slug=slug, due_date=d, status=status_of.get(slug, "not_started"))
        for slug, d in sorted(due.items(), key=lambda item: (item[1], item[0]))
    ]
    return ProgressSummary(
        year=year,
        goal=YearlyGoal(target=YEARLY_TARGET, new_skills=n, met=n >= YEARLY_TARGET),
        modules=modules,
        history=history,
        required=required,
    )


def learner_export(session: Session, *, user_id: uuid.UUID) -> dict[str, Any]:
    """Returns everything recorded about a person's learning, for their data-access request."""
    events = session.exec(
        select(ProgressEvent).where(ProgressEvent.user_id == user_id).order_by(ProgressEvent.occurred_at)
    ).all()
    attempts = session.exec(select(Attempt).where(Attempt.user_id == user_id).order_by(Attempt.occurred_at)).all()
    progress = session.exec(select(ModuleProgress).where(ModuleProgress.user_id == user_id)).all()
    return {
        "progress_events": [
            {
                "event_id": str(e.event_id),
                "type": e.type,
                "module": e.module_slug,
                "lesson": e.lesson_id,
                "occurred_at": e.occurred_at,
                "received_at": e.received_at,
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
                "received_at": a.received_at,
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
            }
            for p in progress
        ],
    }
