"""HTTP endpoints for a person's notices and push subscriptions, and the server's push key."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Response, status

from hocso.accounts.deps import AccountOwner, CurrentUser, SettingsDep
from hocso.agencies import push, reminders
from hocso.agencies.manager_schemas import NoticeOut, NoticesOut, PublicKeyOut, PushSubscriptionIn, PushSubscriptionRef
from hocso.agencies.schemas import AgencyRef
from hocso.core.db import SessionDep
from hocso.core.errors import error_responses

router = APIRouter(tags=["notices"])


@router.get("/push/public-key", response_model=PublicKeyOut, operation_id="push_public_key", responses=error_responses())
def public_key(settings: SettingsDep) -> PublicKeyOut:
    """The VAPID key browsers subscribe with."""
    return PublicKeyOut(public_key=push.vapid_public_key(settings))


@router.post(
    "/me/push-subscriptions",
    status_code=status.HTTP_201_CREATED,
    operation_id="add_push_subscription",
    responses=error_responses(400, 401, 413),
)
def add_subscription(data: PushSubscriptionIn, user: AccountOwner, session: SessionDep, settings: SettingsDep) -> Response:
    """Lets this device receive the person's reminders."""
    push.subscribe(
        session, user_id=user.id, endpoint=data.endpoint, p256dh=data.keys.p256dh, auth=data.keys.auth, settings=settings
    )
    return Response(status_code=status.HTTP_201_CREATED)


@router.delete(
    "/me/push-subscriptions",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="remove_push_subscription",
    responses=error_responses(400, 401, 413),
)
def remove_subscription(data: PushSubscriptionRef, user: CurrentUser, session: SessionDep) -> Response:
    """Stops sending reminders to this device."""
    push.unsubscribe(session, user_id=user.id, endpoint=data.endpoint)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me/notices", response_model=NoticesOut, operation_id="list_my_notices", responses=error_responses(401))
def list_notices(user: CurrentUser, session: SessionDep, lang: Literal["vi", "en"] = "vi") -> NoticesOut:
    """The person's latest reminders from their agency, newest first."""
    rows = reminders.notices(session, user_id=user.id)
    items = [
        NoticeOut(
            id=r.id,
            at=r.created_at,
            agency=AgencyRef(code=a.code, name=a.name),
            status=r.status,
            text=reminders.text_of(r, "en" if lang == "en" else "vi"),
            read=r.read_at is not None,
        )
        for r, a in rows
    ]
    return NoticesOut(items=items, unread=sum(not i.read for i in items))


@router.post(
    "/me/notices/{notice_id}/read",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="mark_notice_read",
    responses=error_responses(401, 404),
)
def mark_read(notice_id: Annotated[int, Path(ge=1, le=2**31 - 1)], user: CurrentUser, session: SessionDep) -> Response:
    """Marks a notice as seen."""
    reminders.mark_read(session, user_id=user.id, notice_id=notice_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
