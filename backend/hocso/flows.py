"""What happens across domains when a person moves between agencies or the agency tree is reshaped.

Each flow is the one place that keeps the agencies' records and the rollups of what people completed in step.
"""

from __future__ import annotations

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session

from hocso.accounts.models import User
from hocso.agencies import tree
from hocso.agencies.models import Agency
from hocso.stats import rollups


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
