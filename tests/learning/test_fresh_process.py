"""A process that has not read a module's text yet (just restarted, or the text loaded by another) checks and grades alike."""

from __future__ import annotations

import shutil
import uuid
from datetime import timedelta

import pytest

from hocso.content import service as content_service
from tests.conftest import FIXTURE_CONTENT
from tests.learning.conftest import signed_up_since

RIGHT = {"q1": ["a"], "q2": ["a"], "q3": ["a"], "q4": ["a"], "q5": ["a"], "q6": ["a", "b"]}


@pytest.fixture
def settings(settings, tmp_path):
    """qr-basics, and qr-more with lessons of its own: pay and verify instead of scan and check."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    more = root / "e-payment" / "qr-more"
    shutil.copytree(root / "e-payment" / "qr-basics", more)
    meta = more / "module.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("slug: qr-basics", "slug: qr-more"), encoding="utf-8")
    for old, new in (("01-scan", "01-pay"), ("02-check", "02-verify")):
        for lang in ("vi", "en"):
            page = more / "lessons" / f"{old}.{lang}.md"
            text = page.read_text(encoding="utf-8").replace("lesson:check", "lesson:verify")
            page.unlink()
            (more / "lessons" / f"{new}.{lang}.md").write_text(text, encoding="utf-8")
    return settings.model_copy(update={"content_dir": root})


def test_lessons_and_quizzes_are_judged_by_their_own_modules_text_in_a_process_that_has_read_none_yet(
    client, engine, clock, monkeypatch
):
    lan = signed_up_since(client, engine, "lan@example.vn")
    binh = signed_up_since(client, engine, "binh@example.vn")
    at = (clock.at - timedelta(minutes=5)).isoformat()

    monkeypatch.setattr(content_service, "_TEXT_BY_HASH", {})  # as the first request after a restart
    body = {"event_id": str(uuid.uuid4()), "answers": RIGHT}
    r = client.post("/api/v1/modules/qr-more/attempts", json=body, headers=binh)
    assert r.status_code == 200 and r.json()["passed"] is True, r.text

    monkeypatch.setattr(content_service, "_TEXT_BY_HASH", {})
    sent = [("qr-basics", "scan"), ("qr-more", "pay"), ("qr-more", "scan")]
    events = [
        {"event_id": str(uuid.uuid4()), "type": "lesson_completed", "module": m, "lesson": lesson, "occurred_at": at}
        for m, lesson in sent
    ]
    r = client.post("/api/v1/progress/events", json={"events": events}, headers=lan)
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 2
    assert [x["reason"] for x in r.json()["rejected"]] == ["module 'qr-more' has no lesson 'scan'"]
    mine = {m["slug"]: m["lessons_done"] for m in client.get("/api/v1/me/progress", headers=lan).json()["modules"]}
    assert mine == {"qr-basics": ["scan"], "qr-more": ["pay"]}
