"""A batch with lessons of two modules queues statements each named as its own module names itself."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from sqlmodel import select

from hocso.core.db import open_session
from hocso.xapi.models import XapiStatement
from tests.conftest import FIXTURE_CONTENT
from tests.learning.conftest import signed_up_since
from tests.learning.test_progress import lesson_event


@pytest.fixture
def settings(settings, tmp_path):
    """The fixture content plus "qr-more", a module with titles of its own; an LRS nobody listens on."""
    root = tmp_path / "content-two-titles"
    shutil.copytree(FIXTURE_CONTENT, root)
    meta = root / "e-payment" / "qr-more" / "module.yaml"
    shutil.copytree(root / "e-payment" / "qr-basics", meta.parent)
    text = meta.read_text(encoding="utf-8").replace("slug: qr-basics", "slug: qr-more")
    text = text.replace("vi: Thanh toán QR cơ bản", "vi: Thanh toán QR nâng cao").replace(
        "en: QR payment basics", "en: More QR payments"
    )
    meta.write_text(text, encoding="utf-8")
    return settings.model_copy(update={"content_dir": root, "xapi_endpoint": "http://127.0.0.1:9/xAPI/"})


def test_lessons_of_two_modules_in_one_batch_are_each_named_after_their_own_module(client, engine, clock):
    lan = signed_up_since(client, engine, "lan@example.vn")
    events = [lesson_event("scan", clock.at - timedelta(hours=1), module=m) for m in ("qr-basics", "qr-more")]
    assert client.post("/api/v1/progress/events", json={"events": events}, headers=lan).json()["accepted"] == 2
    with open_session(engine) as session:
        statements = [r.statement for r in session.exec(select(XapiStatement)).all()]
    parents = {s["object"]["id"].rsplit("/", 3)[-3]: s["context"]["contextActivities"]["parent"][0] for s in statements}
    assert {slug: p["definition"]["name"]["en-US"] for slug, p in parents.items()} == {
        "qr-basics": "QR payment basics",
        "qr-more": "More QR payments",
    }
    assert parents["qr-more"]["definition"]["name"]["vi-VN"] == "Thanh toán QR nâng cao"
