"""Loading content/ into the database: by hash, keeping every version a learner may have taken."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from sqlmodel import select

from hocso.content.models import ModuleVersion
from hocso.content.service import sync_content
from hocso.core.db import open_session
from hocso.learning.models import ModuleProgress
from tests.conftest import FIXTURE_CONTENT

RIGHT = {"q1": ["a"], "q2": ["a"], "q3": ["a"], "q4": ["a"], "q5": ["a"], "q6": ["a", "b"]}


@pytest.fixture
def settings(settings, tmp_path):
    """The app reads a writable copy of the fixture content, so tests can edit it between loads."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    return settings.model_copy(update={"content_dir": root})


def reload(engine, root: Path):
    with open_session(engine, write=True) as session:
        report = sync_content(session, root)
        session.commit()
    return report


def test_unchanged_content_is_not_loaded_again(engine, settings):
    report = reload(engine, settings.content_dir)
    assert report.changed is False


def test_a_changed_module_gets_a_new_version_and_old_completions_keep_theirs(client, learner, engine, settings):
    def attempt():
        body = {"event_id": str(uuid.uuid4()), "answers": RIGHT}
        return client.post("/api/v1/modules/qr-basics/attempts", json=body, headers=learner["headers"]).json()

    assert attempt()["version"] == 1
    meta = settings.content_dir / "e-payment/qr-basics/module.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("version: 1", "version: 2"), encoding="utf-8")
    lesson = settings.content_dir / "e-payment/qr-basics/lessons/02-check.en.md"
    lesson.write_text("# Checking the recipient\n\nRead the name, then the amount.\n", encoding="utf-8")

    report = reload(engine, settings.content_dir)
    assert report.added_versions == ["qr-basics v2"]

    current = client.get("/api/v1/modules/qr-basics", params={"lang": "en"}).json()
    assert current["version"] == 2 and "amount" in current["lessons"][1]["body"]
    assert attempt()["version"] == 2  # the next attempt is graded on the version just loaded
    old = client.get("/api/v1/modules/qr-basics", params={"lang": "en", "version": 1}).json()
    assert "amount" not in old["lessons"][1]["body"]

    with open_session(engine) as session:
        progress = session.exec(select(ModuleProgress)).one()
        taken = session.get(ModuleVersion, progress.completed_version_id)
        assert taken.version == 1
        assert len(session.exec(select(ModuleVersion)).all()) == 2


def test_an_offline_attempt_is_graded_against_the_version_the_learner_saw(client, learner, engine, settings):
    quiz = settings.content_dir / "e-payment/qr-basics/quiz.yaml"
    text = quiz.read_text(encoding="utf-8")
    # Version 2 swaps which choice of q1 is right.
    head, rest = text.split("- id: q2", 1)
    head = head.replace("    correct: true\n", "", 1).replace("  - id: b\n", "  - id: b\n    correct: true\n", 1)
    quiz.write_text(head + "- id: q2" + rest, encoding="utf-8")
    meta = settings.content_dir / "e-payment/qr-basics/module.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("version: 1", "version: 2"), encoding="utf-8")
    reload(engine, settings.content_dir)

    def take(version):
        return client.post(
            "/api/v1/modules/qr-basics/attempts",
            json={"event_id": str(uuid.uuid4()), "answers": RIGHT, "version": version},
            headers=learner["headers"],
        ).json()

    assert take(1)["results"][0]["correct"] is True
    assert take(2)["results"][0]["correct"] is False
    assert take(None)["version"] == 2


def test_a_resent_attempt_gets_its_first_answer_after_the_module_changed_or_was_withdrawn(client, learner, engine, settings):
    def send(event_id):
        return client.post(
            "/api/v1/modules/qr-basics/attempts",
            json={"event_id": str(event_id), "answers": RIGHT},
            headers=learner["headers"],
        )

    event_id = uuid.uuid4()
    first = send(event_id).json()
    assert first["version"] == 1 and first["passed"] is True
    # Version 2 renames question q6, so the answers sent no longer fit the current quiz.
    quiz = settings.content_dir / "e-payment/qr-basics/quiz.yaml"
    quiz.write_text(quiz.read_text(encoding="utf-8").replace("- id: q6", "- id: q7"), encoding="utf-8")
    meta = settings.content_dir / "e-payment/qr-basics/module.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("version: 1", "version: 2"), encoding="utf-8")
    assert reload(engine, settings.content_dir).added_versions == ["qr-basics v2"]
    assert send(uuid.uuid4()).status_code == 422  # a new attempt with those answers is refused
    again = send(event_id)
    assert again.status_code == 200 and again.json() == first

    shutil.rmtree(settings.content_dir / "e-payment/qr-basics")
    assert reload(engine, settings.content_dir).retired == ["qr-basics"]
    assert send(uuid.uuid4()).status_code == 404
    again = send(event_id)
    assert again.status_code == 200 and again.json() == first
    export = client.get("/api/v1/me/export", headers=learner["headers"]).json()
    assert len(export["attempts"]) == 1


def test_a_removed_module_stops_being_listed_but_stays_in_the_learners_history(client, learner, engine, settings):
    client.post(
        "/api/v1/modules/qr-basics/attempts",
        json={"event_id": str(uuid.uuid4()), "answers": RIGHT},
        headers=learner["headers"],
    )
    shutil.rmtree(settings.content_dir / "e-payment/qr-basics")
    report = reload(engine, settings.content_dir)
    assert report.retired == ["qr-basics"]
    assert client.get("/api/v1/modules").json() == []
    assert client.get("/api/v1/modules/qr-basics").status_code == 404
    progress = client.get("/api/v1/me/progress", headers=learner["headers"]).json()
    assert progress["goal"]["met"] is True
    assert progress["modules"] == [
        {
            "slug": "qr-basics",
            "status": "completed",
            "completed_at": progress["modules"][0]["completed_at"],
            "lessons_completed": 0,
            "lessons_done": [],
            "best_score": 1.0,
        }
    ]


def test_a_module_broken_by_an_edit_keeps_its_last_good_version_in_service(client, engine, settings):
    quiz = settings.content_dir / "e-payment/qr-basics/quiz.yaml"
    quiz.write_text("pass_score: 2\n", encoding="utf-8")
    report = reload(engine, settings.content_dir)
    assert report.problems and report.retired == [] and report.added_versions == []
    assert client.get("/api/v1/modules/qr-basics").json()["version"] == 1
