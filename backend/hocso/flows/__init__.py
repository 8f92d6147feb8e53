"""What happens across domains when a person learns, moves between agencies, or the agency tree is reshaped.

Each flow is the one place that keeps the learning and agencies' records and the rollups of what people completed
in step.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session

from hocso.accounts.models import User
from hocso.agencies import tree
from hocso.agencies.models import Agency
from hocso.content.cache import ContentAnswers
from hocso.learning import service as learning
from hocso.learning.client_time import Receipt
from hocso.learning.schemas import AttemptIn, AttemptResult, ProgressBatchIn, ProgressBatchResult
from hocso.stats import rollups
from hocso.xapi.statements import XapiTarget


def submit_attempt(
    session: Session,
    *,
    user: User,
    slug: str,
    data: AttemptIn,
    lang: str,
    receipt: Receipt,
    xapi_target: XapiTarget | None = None,
    assisted_session_id: uuid.UUID | None = None,
    person_locked: bool = False,
    modules: ContentAnswers | None = None,
) -> AttemptResult:
    """Grades a quiz attempt once per event_id; a pass completes the module (earliest pass wins) in every rollup.

    person_locked: user was read holding rollups.lock_person's lock (user_from_access_token(lock=True)), so
    their agency is as it now stands and the lock needs no statement of its own. modules: the app's content
    cache (ContentAnswers), which keeps the module's current version.
    """
    graded = learning.grade_attempt(session, user=user, slug=slug, data=data, lang=lang, receipt=receipt, modules=modules)
    if isinstance(graded, AttemptResult):
        return graded
    agency_id = user.agency_id if person_locked else rollups.lock_person(session, user.id)
    stored = learning.store_attempt(
        session,
        user=user,
        slug=slug,
        data=data,
        lang=lang,
        receipt=receipt,
        graded=graded,
        assisted_session_id=assisted_session_id,
        agency_id=agency_id,
    )
    if stored.replayed:
        return stored.result
    if stored.completes and agency_id is not None:
        assert stored.new_year is not None  # a completion has its year
        rollups.completion_changed(
            session,
            agency_id=agency_id,
            slug=slug,
            old_year=stored.old_year,
            new_year=stored.new_year,
            years_before=stored.years_before,
            path=stored.agency_path,
        )
    learning.attempt_stored(session, user=user, slug=slug, data=data, graded=graded, stored=stored, xapi_target=xapi_target)
    return stored.result


def record_events(
    session: Session,
    *,
    user: User,
    batch: ProgressBatchIn,
    receipt: Receipt,
    max_events: int,
    xapi_target: XapiTarget | None = None,
    assisted_session_id: uuid.UUID | None = None,
) -> ProgressBatchResult:
    """Stores a batch of offline progress events; replays and reorderings change nothing."""
    checked = learning.check_events(
        session, user=user, batch=batch, receipt=receipt, max_events=max_events, assisted_session_id=assisted_session_id
    )
    if checked.rows:
        rollups.lock_person(session, user.id)
    return learning.store_events(session, user_id=user.id, checked=checked, xapi_target=xapi_target)


def move_person(session: Session, *, user: User, agency: Agency | None) -> None:
    """Moves a person into an agency (or out of any), keeping every rollup on both paths right."""
    current = rollups.lock_person(session, user.id)
    if current == (agency.id if agency else None):
        return
    rollups.membership_changed(
        session,
        user_id=user.id,
        old_path=rollups.agency_path(session, current) if current is not None else None,
        new_path=agency.path if agency else None,
    )
    user.agency_id = agency.id if agency else None
    # Written even if it looks unchanged: `user` may have been read before the lock, and a move since then
    # would otherwise keep the row where that move put it while the counts say otherwise.
    flag_modified(user, "agency_id")
    session.add(user)
    session.flush()


def load_tree(session: Session, rows: list[dict[str, str]]) -> tree.TreeReport:
    """Creates or updates agencies from rows; a reshaped tree has every rollup rebuilt."""
    report = tree.load_tree(session, rows)
    if report.reshaped:
        rollups.rebuild_all(session)
        session.flush()
    return report
