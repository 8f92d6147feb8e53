"""Quiz attempts: graded on the server, answer key kept secret, replays harmless."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from hocso.accounts.models import User
from hocso.core.db import open_session
from hocso.core.errors import NotAuthenticated
from hocso.flows import submit_attempt
from hocso.learning.client_time import Receipt
from hocso.learning.schemas import AttemptIn
from tests.conftest import auth_header, login, register
from tests.learning.conftest import signed_up_since

RIGHT = {"q1": ["a"], "q2": ["a"], "q3": ["a"], "q4": ["a"], "q5": ["a"], "q6": ["a", "b"]}


def attempt(client, learner, answers, *, event_id=None, lang="vi", **extra):
    body = {"event_id": str(event_id or uuid.uuid4()), "answers": answers, **extra}
    # Errors follow Accept-Language; results follow ?lang.
    headers = {**learner["headers"], "Accept-Language": lang}
    return client.post("/api/v1/modules/qr-basics/attempts", json=body, headers=headers, params={"lang": lang})


def test_the_answer_key_is_not_sent_before_an_attempt(client):
    for lang in ("vi", "en"):
        module = client.get("/api/v1/modules/qr-basics", params={"lang": lang})
        text = module.text
        assert module.status_code == 200
        assert "correct" not in text and "explanation" not in text.lower()
        assert "Giải thích" not in text and "Explanation" not in text
        for q in module.json()["quiz"]["questions"]:
            assert set(q) == {"id", "prompt", "multiple", "choices"}
            assert all(set(c) == {"id", "text"} for c in q["choices"])


def test_an_attempt_is_graded_on_the_server_with_explanations(client, learner):
    answers = dict(RIGHT, q1=["b"], q6=["a"])  # two wrong: a wrong choice, and half of a multi-answer
    r = attempt(client, learner, answers, lang="en")
    assert r.status_code == 200
    result = r.json()
    assert result["score"] == pytest.approx(4 / 6, abs=1e-3)
    assert result["passed"] is False and result["module_completed"] is False
    by_q = {x["question_id"]: x for x in result["results"]}
    # Questions answered rightly show their key and explanation; wrong ones only point back to the lessons.
    assert by_q["q2"]["correct"] is True and by_q["q2"]["correct_choice_ids"] == ["a"]
    assert by_q["q2"]["explanation"] == "Explanation 2."
    assert by_q["q1"]["correct"] is False and by_q["q1"]["correct_choice_ids"] == []
    assert by_q["q6"]["correct"] is False and by_q["q6"]["correct_choice_ids"] == []
    assert by_q["q1"]["explanation"] == "Re-read the lessons of “QR payment basics”, then try again."
    progress = client.get("/api/v1/me/progress", headers=learner["headers"]).json()
    assert progress["modules"][0]["status"] == "in_progress"
    assert progress["goal"]["met"] is False


def test_the_module_sends_its_whole_pool_and_how_many_questions_an_attempt_draws(client):
    quiz = client.get("/api/v1/modules/qr-basics").json()["quiz"]
    assert quiz["draw"] == 4
    assert [q["id"] for q in quiz["questions"]] == ["q1", "q2", "q3", "q4", "q5", "q6"]


def test_an_attempt_is_graded_on_the_drawn_questions_it_answers(client, learner):
    drawn = {"q6": ["a", "b"], "q2": ["a"], "q5": ["b"], "q3": ["a"]}  # 4 of the pool of 6, one wrong
    result = attempt(client, learner, drawn, lang="en").json()
    assert result["score"] == pytest.approx(3 / 4, abs=1e-3)
    assert sorted(r["question_id"] for r in result["results"]) == ["q2", "q3", "q5", "q6"]
    assert result["passed"] is False
    result = attempt(client, learner, dict(drawn, q5=["a"])).json()
    assert result["score"] == 1.0 and result["passed"] is True and result["module_completed"] is True


def test_a_blank_attempt_reveals_no_answer_and_resending_what_it_returned_does_not_pass(client, learner):
    blank = attempt(client, learner, {q: [] for q in RIGHT}, lang="en").json()
    assert blank["score"] == 0 and blank["passed"] is False
    for r in blank["results"]:
        assert r["correct_choice_ids"] == []
        assert "Explanation" not in r["explanation"] and "QR payment basics" in r["explanation"]
    guessed = {r["question_id"]: r["correct_choice_ids"] for r in blank["results"]}
    again = attempt(client, learner, guessed).json()
    assert again["passed"] is False and again["score"] == 0
    assert client.get("/api/v1/me/progress", headers=learner["headers"]).json()["goal"]["new_skills"] == 0


def test_once_the_module_is_passed_every_key_and_explanation_is_shown(client, learner):
    passed = attempt(client, learner, dict(RIGHT, q1=["b"]), lang="en").json()
    assert passed["passed"] is True
    by_q = {r["question_id"]: r for r in passed["results"]}
    assert by_q["q1"]["correct"] is False
    assert by_q["q1"]["correct_choice_ids"] == ["a"] and by_q["q1"]["explanation"] == "Explanation 1."
    # A later attempt that fails still shows the key: the person has earned it.
    later = attempt(client, learner, {q: [] for q in RIGHT}, lang="vi").json()
    assert later["passed"] is False and later["module_completed"] is True
    assert [r["correct_choice_ids"] for r in later["results"]] == [["a"]] * 5 + [["a", "b"]]
    assert [r["explanation"] for r in later["results"]][:2] == ["Giải thích 1.", "Giải thích 2."]


def test_a_failed_attempt_resent_after_a_pass_returns_its_first_result_without_the_key(client, learner):
    event_id = uuid.uuid4()
    failing = dict(RIGHT, q1=["b"], q2=["b"])
    first = attempt(client, learner, failing, event_id=event_id).json()
    assert first["passed"] is False
    assert attempt(client, learner, RIGHT).json()["passed"] is True
    again = attempt(client, learner, failing, event_id=event_id).json()
    assert again == first
    assert [r["correct_choice_ids"] for r in again["results"] if not r["correct"]] == [[], []]


def test_an_attempt_answering_fewer_questions_than_the_draw_is_refused(client, learner):
    r = attempt(client, learner, {"q1": ["a"], "q2": ["a"], "q3": ["a"]})
    assert r.status_code == 422
    assert "ít nhất 4 câu" in r.json()["detail"]
    r = attempt(client, learner, {"q1": ["a"], "q2": ["a"], "q3": ["a"]}, lang="en")
    assert r.status_code == 422 and "at least 4 questions" in r.json()["detail"]
    assert client.get("/api/v1/me/export", headers=learner["headers"]).json()["attempts"] == []


def test_an_attempt_naming_a_question_from_outside_the_pool_is_refused(client, learner):
    r = attempt(client, learner, {"q1": ["a"], "q2": ["a"], "q3": ["a"], "other-module-q": ["a"]}, lang="en")
    assert r.status_code == 422
    assert "other-module-q" in r.json()["detail"] and "question pool" in r.json()["detail"]
    assert client.get("/api/v1/me/export", headers=learner["headers"]).json()["attempts"] == []


def test_resending_an_attempt_returns_the_first_result_and_changes_nothing(client, learner):
    event_id = uuid.uuid4()
    first = attempt(client, learner, dict(RIGHT, q1=["c"], q2=["c"]), event_id=event_id).json()
    again = attempt(client, learner, RIGHT, event_id=event_id).json()
    assert again == first
    assert first["passed"] is False
    progress = client.get("/api/v1/me/progress", headers=learner["headers"]).json()
    assert progress["goal"]["new_skills"] == 0
    export = client.get("/api/v1/me/export", headers=learner["headers"]).json()
    assert len(export["attempts"]) == 1


def test_another_persons_event_id_is_refused_without_showing_their_result(client, learner):
    event_id = uuid.uuid4()
    attempt(client, learner, RIGHT, event_id=event_id)
    other = register(client)
    other_tokens = login(client, other["email"])
    r = client.post(
        "/api/v1/modules/qr-basics/attempts",
        json={"event_id": str(event_id), "answers": RIGHT},
        headers=auth_header(other_tokens),
    )
    assert r.status_code == 409
    assert "score" not in r.text


def test_the_earliest_passed_attempt_sets_the_completion_time(client, engine, clock):
    learner = {"headers": signed_up_since(client, engine, "som@example.vn")}
    later, earlier = clock.at - timedelta(hours=1), clock.at - timedelta(days=3)
    attempt(client, learner, RIGHT, occurred_at=later.isoformat())
    # An offline attempt taken earlier syncs afterwards: the module was completed then.
    attempt(client, learner, RIGHT, occurred_at=earlier.isoformat())
    status = client.get("/api/v1/me/progress", headers=learner["headers"]).json()["modules"][0]
    assert datetime.fromisoformat(status["completed_at"]) == earlier


@pytest.mark.parametrize(
    "answers, fragment",
    [
        ({"q99": ["a"]}, "q99"),
        ({"q1": ["z"]}, "z"),
        ({"q1": ["a", "b"]}, "một đáp án"),  # errors are Vietnamese unless English is asked for
        ({"q1": "a"}, "Câu trả lời “q1”"),
    ],
)
def test_malformed_answers_get_a_422_naming_the_problem(client, learner, answers, fragment):
    r = attempt(client, learner, answers)
    assert r.status_code == 422
    assert fragment in r.json()["detail"]


def test_attempt_bad_input_is_refused_and_nothing_is_saved(client, learner):
    assert attempt(client, learner, RIGHT, occurred_at="2026-01-01T10:00:00").status_code == 422  # no offset
    assert attempt(client, learner, RIGHT, version=99).status_code == 404
    r = client.post(
        "/api/v1/modules/qr-basics/attempts", json={"event_id": "not-a-uuid", "answers": RIGHT}, headers=learner["headers"]
    )
    assert r.status_code == 422
    r = client.post(
        "/api/v1/modules/no-such-module/attempts", json={"event_id": str(uuid.uuid4()), "answers": {}}, headers=learner["headers"]
    )
    assert r.status_code == 404
    assert client.get("/api/v1/me/export", headers=learner["headers"]).json()["attempts"] == []


def test_content_endpoints_refuse_unknown_language_area_and_module(client):
    assert client.get("/api/v1/modules", params={"lang": "fr"}).status_code == 422
    assert client.get("/api/v1/modules", params={"area": "astrology"}).status_code == 404
    r = client.get("/api/v1/modules/nope")
    assert r.status_code == 404 and "nope" in r.json()["detail"]


def test_out_of_range_versions_and_numeric_times_are_422_not_500(client, learner):
    assert client.get("/api/v1/modules/qr-basics", params={"version": 10**30}).status_code == 422
    assert attempt(client, learner, RIGHT, version=2**63 + 1).status_code == 422
    r = attempt(client, learner, RIGHT, occurred_at=0)
    assert r.status_code == 422 and "ISO 8601" in r.json()["detail"]


def test_an_attempt_from_an_account_erased_meanwhile_is_refused_with_sign_in_again(engine):
    # The account is erased on another device between this request's sign-in check and its attempt.
    gone = User(id=uuid.uuid4(), email="gone@example.vn", full_name="Đã xoá")
    with open_session(engine, write=True) as session:
        with pytest.raises(NotAuthenticated):
            data = AttemptIn(event_id=uuid.uuid4(), answers=RIGHT)
            submit_attempt(session, user=gone, slug="qr-basics", data=data, lang="vi", receipt=Receipt(at=datetime.now(UTC)))
