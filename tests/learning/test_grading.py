"""Grading as a learner meets it: the pass mark itself passes, and each refusal is worded exactly, in both languages."""

from __future__ import annotations

import pytest

from tests.learning.test_attempts import RIGHT, attempt

LANGS = ("en", "vi")


def test_a_score_exactly_at_the_pass_mark_passes_and_one_below_fails(client, learner):
    five = {q: RIGHT[q] for q in ("q1", "q2", "q3", "q4", "q5")}
    below = attempt(client, learner, dict(five, q1=["b"], q2=["b"]), lang="en").json()  # 3 of 5
    assert (below["score"], below["passed"]) == (0.6, False)
    at_mark = attempt(client, learner, dict(five, q1=["b"]), lang="en").json()  # 4 of 5 = the pass score, 0.8
    assert (at_mark["score"], at_mark["passed"], at_mark["pass_score"]) == (0.8, True, 0.8)
    two_thirds = attempt(client, learner, dict(RIGHT, q1=["b"], q2=["b"])).json()
    assert two_thirds["score"] == 0.6667  # rounded to four places, as shown


@pytest.mark.parametrize("lang", LANGS)
def test_a_wrong_answer_before_passing_points_back_to_the_lessons_in_the_learners_language(client, learner, lang):
    result = attempt(client, learner, dict(RIGHT, q1=["b"], q2=["b"]), lang=lang).json()  # 4 of 6: not passed
    wrong = next(r for r in result["results"] if r["question_id"] == "q1")
    assert (
        wrong["explanation"]
        == {
            "en": "Re-read the lessons of “QR payment basics”, then try again.",
            "vi": "Đọc lại các bài của học phần «Thanh toán QR cơ bản» rồi làm lại.",
        }[lang]
    )


REFUSALS = [
    (
        {"q1": ["a"], "q98": ["a"], "q99": ["a"]},
        "answers: question id(s) q98, q99 are not in this module's question pool (this version).",
        "answers: mã câu hỏi q98, q99 không có trong bộ câu hỏi của học phần này (phiên bản này).",
    ),
    (
        dict(RIGHT, q2=["z", "y"]),
        "answers.q2: unknown choice id(s) y, z.",
        "answers.q2: lựa chọn không tồn tại: y, z.",
    ),
    (
        dict(RIGHT, q3=["a", "b"]),
        "answers.q3: this question takes one answer.",
        "answers.q3: câu hỏi này chỉ chọn một đáp án.",
    ),
    (
        {"q1": ["a"], "q2": ["a"], "q3": ["a"]},
        "answers: this quiz takes answers to at least 4 questions; this attempt answers 3.",
        "answers: bài kiểm tra này cần trả lời ít nhất 4 câu; lần làm bài này trả lời 3 câu.",
    ),
]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("answers", "en", "vi"), REFUSALS)
def test_an_attempt_the_quiz_cannot_grade_is_refused_saying_exactly_what_is_wrong(client, learner, answers, en, vi, lang):
    r = attempt(client, learner, answers, lang=lang)
    assert r.status_code == 422, r.text
    assert r.json()["detail"] == {"en": en, "vi": vi}[lang]
    assert client.get("/api/v1/me/export", headers=learner["headers"]).json()["attempts"] == []
