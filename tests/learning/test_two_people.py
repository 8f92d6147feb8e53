"""What one person does shows in their progress only; best score, start, completion and due dates as people see them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

import pytest

from hocso.core.timeutil import VIETNAM, vietnam_today
from tests.agencies.conftest import make_user, retire_qr_basics, two_module_content
from tests.learning.conftest import signed_up_since

RIGHT = {"q1": ["a"], "q2": ["a"], "q3": ["a"], "q4": ["a"], "q5": ["a"], "q6": ["a", "b"]}
HALF = dict(RIGHT, q1=["b"], q2=["b"], q3=["b"])  # 3 of 6: fails (the pass score is 0.8)
FIVE = dict(RIGHT, q1=["b"])  # 5 of 6: passes
FOUR = dict(RIGHT, q1=["b"], q2=["b"])  # 4 of 6: fails


@pytest.fixture
def settings(settings, tmp_path):
    """Two modules, qr-basics and qr-more, so a person can have one completed and the other not."""
    return settings.model_copy(update={"content_dir": two_module_content(tmp_path)})


def attempt(client, headers, answers, *, module="qr-basics", event_id=None, occurred_at=None):
    body = {"event_id": str(event_id or uuid.uuid4()), "answers": answers}
    if occurred_at is not None:
        body["occurred_at"] = occurred_at.isoformat()
    return client.post(f"/api/v1/modules/{module}/attempts", json=body, headers=headers)


def lesson(client, headers, lesson_id, occurred_at, module="qr-basics"):
    event = {
        "event_id": str(uuid.uuid4()),
        "type": "lesson_completed",
        "module": module,
        "lesson": lesson_id,
        "occurred_at": occurred_at.isoformat(),
    }
    r = client.post("/api/v1/progress/events", json={"events": [event]}, headers=headers)
    assert r.json()["accepted"] == 1, r.text


def progress(client, headers) -> dict:
    r = client.get("/api/v1/me/progress", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def modules(client, headers) -> dict:
    return {m["slug"]: m for m in progress(client, headers)["modules"]}


def require(client, as_user, code: str, module: str, due) -> None:
    """Hà Nội's admin requires module of agency code's members by due."""
    r = client.post(
        f"/api/v1/agencies/{code}/requirements",
        json={"module": module, "due_date": due.isoformat()},
        headers=as_user("admin.hni@example.vn"),
    )
    assert r.status_code == 201, r.text


def lan_and_binh(tree, as_user) -> tuple[dict, dict]:
    """Two civil servants of Hà Nội in two communes, Lan in Hoàn Kiếm and Bình in Ba Đình; their headers."""
    make_user(tree, "lan@example.vn", member_of="HNI-HK")
    make_user(tree, "binh@example.vn", member_of="HNI-BD")
    return as_user("lan@example.vn"), as_user("binh@example.vn")


def test_each_persons_progress_shows_only_what_they_did(client, engine, clock):
    lan = signed_up_since(client, engine, "lan@example.vn")
    binh = signed_up_since(client, engine, "binh@example.vn")
    lesson(client, lan, "scan", clock.at - timedelta(days=2))
    lesson(client, lan, "check", clock.at - timedelta(days=2))
    assert attempt(client, lan, RIGHT).json()["passed"]
    lesson(client, binh, "scan", clock.at - timedelta(days=1), module="qr-more")
    assert not attempt(client, binh, HALF, module="qr-more").json()["passed"]

    mine = modules(client, lan)
    assert mine["qr-basics"]["status"] == "completed" and mine["qr-basics"]["best_score"] == 1.0
    assert mine["qr-basics"]["lessons_done"] == ["check", "scan"] and mine["qr-basics"]["lessons_completed"] == 2
    assert mine["qr-more"]["status"] == "not_started" and mine["qr-more"]["lessons_done"] == []
    assert mine["qr-more"]["best_score"] is None
    theirs = modules(client, binh)
    assert theirs["qr-basics"]["status"] == "not_started" and theirs["qr-basics"]["lessons_done"] == []
    assert theirs["qr-basics"]["best_score"] is None and theirs["qr-basics"]["completed_at"] is None
    assert theirs["qr-more"]["status"] == "in_progress" and theirs["qr-more"]["best_score"] == 0.5
    assert theirs["qr-more"]["lessons_done"] == ["scan"] and theirs["qr-more"]["lessons_completed"] == 1
    assert progress(client, lan)["goal"] == {"target": 1, "new_skills": 1, "met": True}
    assert progress(client, binh)["goal"] == {"target": 1, "new_skills": 0, "met": False}
    assert progress(client, binh)["history"] == [{"year": 2026, "new_skills": 0}]


def test_an_event_id_used_for_one_module_is_refused_for_another(client, engine, clock):
    lan = signed_up_since(client, engine, "lan@example.vn")
    event_id = uuid.uuid4()
    assert attempt(client, lan, RIGHT, event_id=event_id).json()["passed"]
    for lang, message in (
        ("en", "This event_id was already used for another attempt; make a new one for each attempt."),
        ("vi", "Mã sự kiện (event_id) này đã được dùng cho lần làm bài khác; hãy tạo mã mới cho mỗi lần."),
    ):
        r = attempt(client, {**lan, "Accept-Language": lang}, RIGHT, module="qr-more", event_id=event_id)
        assert r.status_code == 409 and r.json()["detail"] == message
    assert modules(client, lan)["qr-more"]["status"] == "not_started"
    assert progress(client, lan)["goal"]["new_skills"] == 1
    # The same event for the same module is a resend, answered as the first time.
    again = attempt(client, lan, HALF, event_id=event_id)
    assert again.status_code == 200 and again.json()["passed"] is True


def test_the_best_score_is_the_highest_of_a_persons_attempts_and_the_start_their_earliest_activity(client, engine, clock):
    lan = signed_up_since(client, engine, "lan@example.vn")
    binh = signed_up_since(client, engine, "binh@example.vn")
    first = clock.at - timedelta(days=3)
    attempt(client, lan, FOUR, occurred_at=first)
    attempt(client, lan, FIVE, occurred_at=clock.at - timedelta(days=2))
    attempt(client, lan, HALF, occurred_at=clock.at - timedelta(days=1))
    attempt(client, binh, HALF, occurred_at=clock.at - timedelta(hours=5))
    assert modules(client, lan)["qr-basics"]["best_score"] == pytest.approx(5 / 6, abs=1e-3)
    assert modules(client, binh)["qr-basics"]["best_score"] == 0.5

    def started(headers):
        exported = client.get("/api/v1/me/export", headers=headers).json()["modules"]
        return {m["slug"]: datetime.fromisoformat(m["started_at"]) for m in exported}

    assert started(lan) == {"qr-basics": first}
    # An attempt and a lesson taken offline before that sync later: the module was started then.
    attempt(client, lan, HALF, occurred_at=first - timedelta(days=1))
    assert started(lan) == {"qr-basics": first - timedelta(days=1)}
    lesson(client, lan, "scan", first - timedelta(days=2))
    assert started(lan) == {"qr-basics": first - timedelta(days=2)}
    # Later activity does not move it.
    lesson(client, lan, "check", clock.at - timedelta(minutes=5))
    attempt(client, lan, RIGHT, occurred_at=clock.at - timedelta(minutes=1))
    assert started(lan) == {"qr-basics": first - timedelta(days=2)}
    assert started(binh) == {"qr-basics": clock.at - timedelta(hours=5)}
    assert modules(client, lan)["qr-basics"]["best_score"] == 1.0


def test_a_failed_retake_after_a_pass_leaves_the_module_completed(client, engine, clock):
    lan = signed_up_since(client, engine, "lan@example.vn")
    binh = signed_up_since(client, engine, "binh@example.vn")
    passed_at = clock.at - timedelta(days=1)
    assert attempt(client, lan, RIGHT, occurred_at=passed_at).json()["passed"]
    retake = attempt(client, lan, HALF).json()
    assert retake["passed"] is False and retake["module_completed"] is True
    # Once the module is passed, the key of a wrong answer is no secret any more.
    assert {r["question_id"]: r["correct_choice_ids"] for r in retake["results"]}["q1"] == ["a"]
    status = modules(client, lan)["qr-basics"]
    assert status["status"] == "completed" and datetime.fromisoformat(status["completed_at"]) == passed_at
    assert status["best_score"] == 1.0
    assert progress(client, lan)["goal"]["met"] is True
    # Someone else failing does not see the key, nor a completion.
    other = attempt(client, binh, HALF).json()
    assert other["module_completed"] is False
    assert {r["question_id"]: r["correct_choice_ids"] for r in other["results"]}["q1"] == []
    assert modules(client, binh)["qr-basics"]["status"] == "in_progress"


def test_a_required_module_is_overdue_from_the_day_after_its_due_date_in_vietnam(client, tree, as_user, clock):
    due = vietnam_today() + timedelta(days=10)
    require(client, as_user, "HNI", "qr-basics", due)
    lan, binh = lan_and_binh(tree, as_user)
    clock.at = datetime.combine(due, time(9), tzinfo=VIETNAM).astimezone(UTC)
    assert attempt(client, binh, RIGHT).json()["passed"]

    def required(headers):
        return [(m["slug"], m["status"], m["overdue"]) for m in progress(client, headers)["required"]]

    # 23:30 on the due date in Vietnam (16:30 UTC): still in time.
    clock.at = datetime.combine(due, time(23, 30), tzinfo=VIETNAM).astimezone(UTC)
    assert required(lan) == [("qr-basics", "not_started", False)]
    # 00:30 the next day in Vietnam, still the due date in UTC: overdue, but not for whoever completed it.
    clock.at = datetime.combine(due + timedelta(days=1), time(0, 30), tzinfo=VIETNAM).astimezone(UTC)
    assert clock.at.date() == due
    assert required(lan) == [("qr-basics", "not_started", True)]
    assert required(binh) == [("qr-basics", "completed", False)]


def test_each_module_is_listed_once_and_two_completions_in_a_year_count_two(client, engine, clock):
    lan = signed_up_since(client, engine, "lan@example.vn")
    binh = signed_up_since(client, engine, "binh@example.vn")
    for module in ("qr-basics", "qr-more"):
        assert attempt(client, lan, RIGHT, module=module).json()["passed"]
    mine, theirs = progress(client, lan), progress(client, binh)
    assert [(m["slug"], m["status"]) for m in mine["modules"]] == [("qr-basics", "completed"), ("qr-more", "completed")]
    assert mine["goal"] == {"target": 1, "new_skills": 2, "met": True}
    assert mine["history"] == [{"year": 2026, "new_skills": 2}]
    assert [(m["slug"], m["status"], m["lessons_completed"], m["lessons_done"]) for m in theirs["modules"]] == [
        ("qr-basics", "not_started", 0, []),
        ("qr-more", "not_started", 0, []),
    ]


def test_required_modules_are_listed_soonest_due_first_then_by_name(client, tree, as_user, clock):
    soon, later = vietnam_today() + timedelta(days=5), vietnam_today() + timedelta(days=40)
    for code, module, due in (("HNI", "qr-basics", later), ("HNI-HK", "qr-more", soon)):
        require(client, as_user, code, module, due)
    lan_and_binh(tree, as_user)
    listed = {
        who: [(m["slug"], m["due_date"]) for m in progress(client, as_user(who))["required"]]
        for who in ("lan@example.vn", "binh@example.vn")
    }
    assert listed == {
        "lan@example.vn": [("qr-more", soon.isoformat()), ("qr-basics", later.isoformat())],
        "binh@example.vn": [("qr-basics", later.isoformat())],
    }


def test_a_required_module_taken_out_of_the_catalogue_stays_required_done_by_one_not_started_by_the_other(
    client, tree, as_user, clock, tmp_path
):
    due = vietnam_today() + timedelta(days=10)
    require(client, as_user, "HNI", "qr-basics", due)
    lan, binh = lan_and_binh(tree, as_user)
    assert attempt(client, lan, RIGHT).json()["passed"]
    # qr-basics leaves the catalogue: Bình, who never opened it, no longer sees it among the modules.
    retire_qr_basics(tree, tmp_path)
    assert [m["slug"] for m in progress(client, binh)["modules"]] == ["qr-more"]
    clock.at = datetime.combine(due + timedelta(days=1), time(9), tzinfo=VIETNAM).astimezone(UTC)

    def required(headers):
        return [(m["slug"], m["status"], m["overdue"]) for m in progress(client, headers)["required"]]

    # The requirement still stands: done for Lan, not started (and overdue) for Bình.
    assert required(lan) == [("qr-basics", "completed", False)]
    assert required(binh) == [("qr-basics", "not_started", True)]


def test_required_modules_due_the_same_day_are_listed_by_name(client, tree, as_user, clock):
    due = vietnam_today() + timedelta(days=5)
    for code, module in (("HNI", "qr-more"), ("HNI-HK", "qr-basics")):
        require(client, as_user, code, module, due)
    lan_and_binh(tree, as_user)
    listed = {
        who: [m["slug"] for m in progress(client, as_user(who))["required"]] for who in ("lan@example.vn", "binh@example.vn")
    }
    assert listed == {"lan@example.vn": ["qr-basics", "qr-more"], "binh@example.vn": ["qr-more"]}


def test_two_modules_passed_in_one_year_count_their_person_once_towards_the_agencys_goal(client, tree, as_user, clock):
    lan, binh = lan_and_binh(tree, as_user)
    for module in ("qr-basics", "qr-more"):
        assert attempt(client, lan, RIGHT, module=module).json()["passed"]
    assert attempt(client, binh, RIGHT, module="qr-more").json()["passed"]
    stats = client.get("/api/v1/agencies/HNI/stats", headers=as_user("admin.hni@example.vn")).json()
    assert (stats["members"], stats["goal_met"]) == (2, 2)
    assert {c["code"]: c["goal_met"] for c in stats["children"]} == {"HNI-BD": 1, "HNI-HK": 1}


def test_attempts_resent_after_their_module_left_the_catalogue_get_their_first_answer_each_person_their_own(
    client, engine, clock, tmp_path
):
    lan = signed_up_since(client, engine, "lan@example.vn")
    binh = signed_up_since(client, engine, "binh@example.vn")
    lans, binhs = uuid.uuid4(), uuid.uuid4()
    first = attempt(client, lan, RIGHT, event_id=lans).json()
    theirs = attempt(client, binh, HALF, event_id=binhs).json()
    retire_qr_basics(engine, tmp_path)
    # Phones that did not hear back send them again: each gets the answer it was given.
    r = attempt(client, lan, RIGHT, event_id=lans)
    assert r.status_code == 200 and r.json() == first
    r = attempt(client, binh, HALF, event_id=binhs)
    assert r.status_code == 200 and r.json() == theirs
    # Someone else's event_id is not theirs to read, and a new attempt at a withdrawn module is refused.
    assert attempt(client, lan, HALF, event_id=binhs).status_code == 409
    assert attempt(client, lan, RIGHT).status_code == 404


def _times(record: dict) -> dict:
    """The record with its times read as datetimes, whatever offset the response writes them with."""
    return {k: datetime.fromisoformat(v) if k.endswith("_at") and v else v for k, v in record.items()}


def test_each_persons_export_holds_every_field_of_their_own_lessons_attempts_and_modules(client, engine, clock):
    lan = signed_up_since(client, engine, "lan@example.vn")
    binh = signed_up_since(client, engine, "binh@example.vn")
    scan, check, failed, passed = (clock.at - timedelta(minutes=m) for m in (120, 90, 60, 30))
    lesson(client, lan, "scan", scan)
    lesson(client, lan, "check", check, module="qr-more")
    attempt(client, lan, FOUR, occurred_at=failed)
    attempt(client, lan, RIGHT, occurred_at=passed)
    lesson(client, binh, "check", clock.at - timedelta(minutes=10))
    attempt(client, binh, HALF, module="qr-more")

    mine = client.get("/api/v1/me/export", headers=lan).json()
    events = [_times(e) for e in mine["progress_events"]]
    assert all(uuid.UUID(r["event_id"]) for r in mine["progress_events"] + mine["attempts"])
    assert [{k: v for k, v in e.items() if k != "event_id"} for e in events] == [
        {
            "type": "lesson_completed",
            "module": module,
            "lesson": lesson_id,
            "occurred_at": at,
            "claimed_at": at,
            "received_at": clock.at,
            "assisted": False,
        }
        for module, lesson_id, at in (("qr-basics", "scan", scan), ("qr-more", "check", check))
    ]
    attempts = [_times(a) for a in mine["attempts"]]
    assert [{k: v for k, v in a.items() if k != "event_id"} for a in attempts] == [
        {
            "module": "qr-basics",
            "answers": answers,
            "score": score,
            "passed": ok,
            "occurred_at": at,
            "claimed_at": at,
            "received_at": clock.at,
            "assisted": False,
        }
        for answers, score, ok, at in ((FOUR, 0.6667, False, failed), (RIGHT, 1.0, True, passed))
    ]
    assert sorted((_times(m) for m in mine["modules"]), key=lambda m: m["slug"]) == sorted(
        [
            {
                "slug": "qr-basics",
                "started_at": scan,
                "lessons_completed": 1,
                "best_score": 1.0,
                "completed_at": passed,
                "counted_in_year": 2026,
                "completed_in_assisted_session": False,
            },
            {
                "slug": "qr-more",
                "started_at": check,
                "lessons_completed": 1,
                "best_score": None,
                "completed_at": None,
                "counted_in_year": None,
                "completed_in_assisted_session": False,
            },
        ],
        key=lambda m: m["slug"],
    )
    theirs = client.get("/api/v1/me/export", headers=binh).json()
    assert [(e["module"], e["lesson"]) for e in theirs["progress_events"]] == [("qr-basics", "check")]
    assert [(a["module"], a["score"], a["passed"]) for a in theirs["attempts"]] == [("qr-more", 0.5, False)]
    # qr-more was started by a quiz, with no lesson read.
    assert sorted((m["slug"], m["lessons_completed"], m["best_score"]) for m in theirs["modules"]) == [
        ("qr-basics", 1, None),
        ("qr-more", 0, 0.5),
    ]


def test_a_years_certificate_stays_while_a_skill_of_that_year_remains_when_passes_synced_late_move_a_completion(
    client, engine, clock
):
    clock.at = datetime(2026, 1, 20, 3, 0, tzinfo=UTC)  # January: 2025 is still open
    lan = signed_up_since(client, engine, "lan@example.vn")
    binh = signed_up_since(client, engine, "binh@example.vn")

    def years(headers) -> dict[int, str]:
        r = client.get("/api/v1/me/certificates", headers=headers)
        assert r.status_code == 200, r.text
        return {c["year"]: c["id"] for c in r.json() if c["kind"] == "year"}

    def passes(headers, module: str, at: str) -> None:
        assert attempt(client, headers, RIGHT, module=module, occurred_at=datetime.fromisoformat(at)).json()["passed"]

    passes(lan, "qr-basics", "2026-01-15T09:00:00+07:00")
    passes(binh, "qr-basics", "2026-01-11T09:00:00+07:00")
    lans_2026, binhs = years(lan)[2026], years(binh)
    # An earlier pass in the same year re-dates the module: 2026 still has its one new skill.
    passes(lan, "qr-basics", "2026-01-10T09:00:00+07:00")
    assert years(lan) == {2026: lans_2026}
    # A second module in 2026, then a December pass of the first moves that one to 2025: 2026 keeps the second.
    passes(lan, "qr-more", "2026-01-12T09:00:00+07:00")
    passes(lan, "qr-basics", "2025-12-28T20:00:00+07:00")
    assert sorted(years(lan)) == [2025, 2026] and years(lan)[2026] == lans_2026
    assert client.get(f"/api/v1/certificates/{lans_2026}").json()["status"] != "revoked"
    assert years(binh) == binhs and list(binhs) == [2026]
