"""The job that sends queued reminders by Web Push, on the shared job runner."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, update
from sqlmodel import col, select

from hocso.agencies.models import Agency
from hocso.agencies.push import PushSubscription, send
from hocso.agencies.reminders import PUSH_BATCH, PUSH_JOB, Reminder, text_of
from hocso.core import jobs
from hocso.core.timeutil import utcnow


@jobs.handler(PUSH_JOB)
def deliver_reminders(ctx: jobs.JobContext) -> dict:
    """Pushes every reminder not pushed yet to its person's devices; forgets subscriptions the service dropped."""
    sent = failed = dropped = 0
    while True:
        with ctx.write() as session:
            # Claimed before sending, with RETURNING, so two runners never push the same reminder twice.
            pending = (
                select(col(Reminder.id)).where(col(Reminder.pushed_at).is_(None)).order_by(col(Reminder.id)).limit(PUSH_BATCH)
            )
            claimed = (
                session.execute(
                    update(Reminder)
                    .where(col(Reminder.id).in_(pending.scalar_subquery()), col(Reminder.pushed_at).is_(None))
                    .values(pushed_at=utcnow())
                    .returning(col(Reminder.id))
                )
                .scalars()
                .all()
            )
            if not claimed:
                session.commit()
                break
            rows = session.exec(
                select(Reminder, Agency)
                .join(Agency, col(Agency.id) == col(Reminder.agency_id))
                .where(col(Reminder.id).in_(claimed))
            ).all()
            subs: dict = defaultdict(list)
            for sub in session.exec(
                select(PushSubscription).where(col(PushSubscription.user_id).in_({r.user_id for r, _ in rows}))
            ).all():
                subs[sub.user_id].append(sub)
            session.commit()
        gone = []
        for reminder, agency in rows:
            payload = {"title": agency.name, "body": text_of(reminder), "url": "/progress", "tag": "hocso-reminder"}
            for sub in subs.get(reminder.user_id, []):
                try:
                    if send(ctx.settings, sub, payload):
                        sent += 1
                    else:
                        gone.append(sub.id)
                except Exception:  # one unreachable push service must not stop the others
                    failed += 1
        if gone:
            with ctx.write() as session:
                session.execute(delete(PushSubscription).where(col(PushSubscription.id).in_(gone)))
                session.commit()
            dropped += len(gone)
    return {"sent": sent, "failed": failed, "dropped": dropped}
