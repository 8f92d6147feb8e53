"""xAPI statements for what Hocso stores: a lesson read, a quiz attempt, a module completed.

The actor is an account on Hocso's home page named by a keyed hash of the person's id: stable, and
meaningless to anyone without the server's key (never an email or phone). Verbs come from ADL's vocabulary;
activity ids are addresses of the app under HOCSO_PUBLIC_URL. `timestamp` is when it happened on the phone.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hocso.core.config import Settings

# Statement ids are UUIDv5 of the event: a replayed event gives the same statement.
NAMESPACE = uuid.UUID("6f0d6c1e-6a1b-5d3e-9f43-5b8f2b6c8a10")
VERBS = {
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
}
ACTIVITY_TYPES = {
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "assessment": "http://adlnet.gov/expapi/activities/assessment",
    "module": "http://adlnet.gov/expapi/activities/module",
}


@dataclass(frozen=True)
class XapiTarget:
    """What statements are made with: the key behind actors' opaque names and the site's address."""

    key: str
    base_url: str


def target(settings: Settings) -> XapiTarget | None:
    """The statements' maker when an LRS is configured; None means nothing is queued."""
    return XapiTarget(settings.signing_key(), settings.base_url) if settings.xapi_endpoint else None


def statement_id(kind: str, event_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{kind}:{event_id}")


def actor(key: str, base_url: str, user_id: uuid.UUID) -> dict[str, Any]:
    name = hmac.new(key.encode(), b"xapi-actor:" + user_id.bytes, hashlib.sha256).hexdigest()[:32]
    return {"objectType": "Agent", "account": {"homePage": base_url, "name": name}}


def _timestamp(moment: datetime) -> str:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _names(titles: dict[str, str]) -> dict[str, str]:
    return {"vi-VN": titles["vi"], "en-US": titles["en"]}


def _activity(url: str, kind: str, titles: dict[str, str]) -> dict[str, Any]:
    return {"objectType": "Activity", "id": url, "definition": {"type": ACTIVITY_TYPES[kind], "name": _names(titles)}}


def _verb(name: str) -> dict[str, Any]:
    return {"id": VERBS[name], "display": {"en-US": name}}


def lesson_completed(
    *,
    key: str,
    base_url: str,
    user_id: uuid.UUID,
    event_id: uuid.UUID,
    slug: str,
    module_titles: dict[str, str],
    lesson: str,
    lesson_titles: dict[str, str],
    occurred_at: datetime,
) -> dict[str, Any]:
    module_url = f"{base_url}/m/{slug}"
    return {
        "id": str(statement_id("lesson", event_id)),
        "actor": actor(key, base_url, user_id),
        "verb": _verb("completed"),
        "object": _activity(f"{module_url}/l/{lesson}", "lesson", lesson_titles),
        "context": {"contextActivities": {"parent": [_activity(module_url, "module", module_titles)]}},
        "timestamp": _timestamp(occurred_at),
    }


def attempt_graded(
    *,
    key: str,
    base_url: str,
    user_id: uuid.UUID,
    event_id: uuid.UUID,
    slug: str,
    module_titles: dict[str, str],
    score: float,
    correct: int,
    answered: int,
    passed: bool,
    occurred_at: datetime,
) -> dict[str, Any]:
    module_url = f"{base_url}/m/{slug}"
    return {
        "id": str(statement_id("attempt", event_id)),
        "actor": actor(key, base_url, user_id),
        "verb": _verb("passed" if passed else "failed"),
        "object": _activity(f"{module_url}/quiz", "assessment", module_titles),
        "result": {
            "score": {"scaled": round(score, 4), "raw": correct, "min": 0, "max": answered},
            "success": passed,
            "completion": True,
        },
        "context": {"contextActivities": {"parent": [_activity(module_url, "module", module_titles)]}},
        "timestamp": _timestamp(occurred_at),
    }


def module_completed(
    *,
    key: str,
    base_url: str,
    user_id: uuid.UUID,
    event_id: uuid.UUID,
    slug: str,
    module_titles: dict[str, str],
    occurred_at: datetime,
) -> dict[str, Any]:
    return {
        "id": str(statement_id("module", event_id)),
        "actor": actor(key, base_url, user_id),
        "verb": _verb("completed"),
        "object": _activity(f"{base_url}/m/{slug}", "module", module_titles),
        "result": {"success": True, "completion": True},
        "timestamp": _timestamp(occurred_at),
    }
