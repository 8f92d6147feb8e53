"""What lesson statements are named after: each its own module, and a lesson the content has since dropped by its id."""

from __future__ import annotations

import shutil
import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from hocso.content.service import sync_content
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


def test_a_lesson_the_latest_version_dropped_is_named_by_its_id(client, engine, clock, settings):
    lan = signed_up_since(client, engine, "lan@example.vn")
    module = settings.content_dir / "e-payment" / "qr-basics"
    for lang in ("en", "vi"):
        (module / "lessons" / f"02-check.{lang}.md").unlink()
    (module / "lessons" / "01-scan.en.md").write_text("# Scanning\n\nOpen your bank app and choose scan QR.\n", encoding="utf-8")
    (module / "lessons" / "01-scan.vi.md").write_text(
        "# Quét mã\n\nMở ứng dụng ngân hàng và chọn quét mã QR.\n", encoding="utf-8"
    )
    meta = module / "module.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("version: 1", "version: 2"), encoding="utf-8")
    with open_session(engine, write=True) as session:
        assert sync_content(session, settings.content_dir).added_versions == ["qr-basics v2"]
        session.commit()
    # A phone that read "check" under version 1 syncs it now.
    event = lesson_event("check", clock.at - timedelta(hours=1))
    assert client.post("/api/v1/progress/events", json={"events": [event]}, headers=lan).json()["accepted"] == 1
    with open_session(engine) as session:
        (statement,) = [r.statement for r in session.exec(select(XapiStatement)).all()]
    assert statement["object"]["id"].endswith("/m/qr-basics/l/check")
    assert statement["object"]["definition"]["name"] == {"vi-VN": "check", "en-US": "check"}


def test_a_failed_attempt_at_each_of_two_modules_points_back_to_that_modules_own_lessons(client, engine, clock):
    lan = signed_up_since(client, engine, "lan@example.vn")
    binh = signed_up_since(client, engine, "binh@example.vn")
    half = {"q1": ["b"], "q2": ["b"], "q3": ["b"], "q4": ["a"], "q5": ["a"], "q6": ["a", "b"]}

    def pointer(headers, module: str) -> str:
        body = {"event_id": str(uuid.uuid4()), "answers": half}
        r = client.post(f"/api/v1/modules/{module}/attempts", json=body, headers=headers)
        assert r.status_code == 200 and not r.json()["passed"], r.text
        return r.json()["results"][0]["explanation"]

    assert pointer(lan, "qr-basics") == "Đọc lại các bài của học phần «Thanh toán QR cơ bản» rồi làm lại."
    assert pointer(binh, "qr-more") == "Đọc lại các bài của học phần «Thanh toán QR nâng cao» rồi làm lại."
