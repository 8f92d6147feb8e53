"""The content check: every problem a reviewer would catch, reported with its file and line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hocso.cli import main as hocso_main
from hocso.content.schema import check_path
from hocso.core.config import Settings
from tests.conftest import FIXTURE_CONTENT

REPO_CONTENT = Path(__file__).resolve().parents[2] / "content"
MODULE = Path("e-payment/qr-basics")


@pytest.fixture
def content(tmp_path) -> Path:
    """A writable copy of the fixture content to break on purpose."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    return root


def problems_of(root: Path) -> list[str]:
    return [str(p) for p in check_path(root, root)]


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    seen = 0
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == nth:
                return n
    raise AssertionError(needle)


def test_the_fixture_and_the_shipped_content_pass(content):
    assert problems_of(content) == []
    assert [str(p) for p in check_path(REPO_CONTENT, REPO_CONTENT)] == []


def test_a_question_with_no_correct_choice_is_reported_at_its_line(content):
    quiz = content / MODULE / "quiz.yaml"
    edit(quiz, "    correct: true\n", "", 1)  # q1 loses its only correct choice
    [problem] = problems_of(content)
    assert problem.startswith(f"{quiz}:{line_of(quiz, '- id: q1')}:")
    assert "q1" in problem and "no choice is marked correct" in problem


def test_duplicate_choices_are_reported(content):
    quiz = content / MODULE / "quiz.yaml"
    edit(quiz, "vi: Sai", "vi: đúng")  # q1's wrong choice now says the same as the right one
    [problem] = problems_of(content)
    assert "two choices say the same thing in Vietnamese" in problem and "q1" in problem


def test_a_missing_translation_is_reported_with_its_field_and_line(content):
    meta = content / MODULE / "module.yaml"
    edit(meta, "  en: Scan a QR code and check the recipient.\n", "")
    [problem] = problems_of(content)
    assert problem == f"{meta}:{line_of(meta, 'summary:')}: summary.en: missing English translation"


def test_a_lesson_missing_in_one_language_is_reported(content):
    (content / MODULE / "lessons" / "02-check.en.md").unlink()
    [problem] = problems_of(content)
    assert "missing English translation of lesson 'check'" in problem


def test_a_lesson_too_long_for_a_phone_screen_is_reported(content):
    lesson = content / MODULE / "lessons" / "02-check.vi.md"
    lesson.write_text("# Dài\n\n" + "Chữ. " * 460, encoding="utf-8")
    [problem] = problems_of(content)
    assert problem.startswith(f"{lesson}:1:") and "more than 450" in problem


def test_a_broken_internal_link_is_reported_at_its_line(content):
    lesson = content / MODULE / "lessons" / "01-scan.en.md"
    edit(lesson, "(lesson:check)", "(lesson:chek)")
    edit(lesson, "Open your", "See [the other module](module:no-such-module).\n\nOpen your")
    found = problems_of(content)
    assert f"{lesson}:{line_of(lesson, 'lesson:chek')}: broken link: no lesson 'chek' in this module" in found
    assert f"{lesson}:{line_of(lesson, 'module:no-such')}: broken link: no module 'no-such-module' in content/" in found


def test_a_module_without_sources_is_reported(content):
    meta = content / MODULE / "module.yaml"
    text = meta.read_text(encoding="utf-8")
    meta.write_text(text[: text.index("sources:")] + "sources: []\n", encoding="utf-8")
    [problem] = problems_of(content)
    assert "sources" in problem and f"{meta}:{line_of(meta, 'sources:')}" in problem


def test_broken_yaml_unknown_fields_and_a_wrong_slug_are_reported(content):
    meta = content / MODULE / "module.yaml"
    edit(meta, "slug: qr-basics", "slug: qr-basic")
    edit(meta, "minutes: 5", "minutes: 5\nduration: 5")
    quiz = content / MODULE / "quiz.yaml"
    quiz.write_text("pass_score: [0.8\n", encoding="utf-8")
    found = "\n".join(problems_of(content))
    assert "must equal the folder name" in found
    assert "duration: unknown field" in found
    assert f"{quiz}:" in found and "not valid YAML" in found


def test_too_few_questions_and_single_questions_with_two_answers_are_reported(content):
    quiz = content / MODULE / "quiz.yaml"
    edit(quiz, "multiple: true", "multiple: false")
    found = "\n".join(problems_of(content))
    assert "q6: single-answer question has 2 correct choices" in found


def test_the_cli_exits_1_with_one_line_per_problem(content, capsys, monkeypatch):
    edit(content / MODULE / "lessons" / "01-scan.vi.md", "(lesson:check)", "(lesson:nope)")
    settings = Settings(content_dir=content)
    assert hocso_main(["content", "check"], settings=settings) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].endswith("broken link: no lesson 'nope' in this module")
    assert hocso_main(["content", "check", str(content / "e-payment")], settings=settings) == 1
    assert hocso_main(["content", "check", str(content / "personal-data-protection")], settings=settings) == 0


def test_the_installed_command_checks_the_shipped_content():
    r = subprocess.run(
        [str(Path(sys.executable).parent / "hocso"), "content", "check"],
        cwd=REPO_CONTENT.parent,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_an_area_can_order_its_modules_and_a_listed_module_must_exist(content):
    area = content / "e-payment" / "area.yaml"
    area.write_text(area.read_text(encoding="utf-8") + "modules:\n  - qr-basics\n  - no-such-module\n", encoding="utf-8")
    [problem] = problems_of(content)
    assert problem.startswith(f"{area}:{line_of(area, 'no-such-module')}:") and "'no-such-module'" in problem


def test_shipped_areas_list_modules_in_learning_order():
    from hocso.content.schema import scan_catalogue

    catalogue = scan_catalogue(REPO_CONTENT)
    order = {a.slug: [m.slug for m in a.modules] for a in catalogue.areas}
    assert order["online-public-services"][0] == "vneid-account"
    assert order["personal-data-protection"][0] == "strong-passwords-2fa"
    assert order["everyday-digital-skills"][0] == "phone-basics"


def test_a_pool_smaller_than_one_and_a_half_times_the_draw_is_reported(content):
    quiz = content / MODULE / "quiz.yaml"
    edit(quiz, "draw: 4", "draw: 5")  # 6 questions < 1.5 × 5
    [problem] = problems_of(content)
    assert problem.startswith(f"{quiz}:{line_of(quiz, 'draw:')}:")
    assert "pool of 6 questions is too small for draw: 5" in problem and "8 questions" in problem


QUIZ = MODULE / "quiz.yaml"


def test_a_module_whose_right_answers_are_mostly_the_longest_choice_is_reported(content):
    quiz = content / QUIZ
    # q1, q2 and q3 now give themselves away: 3 of 5 single-answer questions, more than half.
    edit(quiz, "vi: Đúng\n", "vi: Đúng, theo hướng dẫn của ngân hàng\n", 3)
    found = problems_of(content)
    module_problem = [p for p in found if p.startswith(f"{quiz}:")]
    assert len(module_problem) == 1
    assert "in 3 of 5 single-answer questions (60 %" in module_problem[0] and "q1, q2, q3" in module_problem[0]


def test_the_catalogue_may_not_give_away_more_than_35_percent_and_the_check_prints_its_figure(content, capsys, monkeypatch):
    quiz = content / QUIZ
    assert hocso_main(["content", "check"], settings=Settings(content_dir=content)) == 0
    assert "giveaway: 0 % of 5 single-answer questions" in capsys.readouterr().err
    edit(quiz, "en: Right\n", "en: Right, as the bank says\n", 2)  # 2 of 5 in English: 40 %
    assert list(problems_of(content)) == [
        f"{content}:1: giveaway: 40 % of 5 single-answer questions (the right choice is the uniquely longest; "
        "vi 0, en 2); uniquely shortest: 0 %: more than 35 % are the longest across the catalogue"
    ]


def test_a_prompt_asked_again_in_another_module_is_reported_after_normalising_it(content):
    copy = content / "e-payment" / "qr-copy"
    shutil.copytree(content / MODULE, copy)
    edit(copy / "module.yaml", "slug: qr-basics", "slug: qr-copy")
    quiz = copy / "quiz.yaml"
    for n in range(1, 7):
        edit(quiz, f"Câu hỏi {n}?", f"Câu mới {n}?")
        edit(quiz, f"Question {n}?", f"New question {n}?")
    # Only case, accents, spacing and punctuation differ from q2 of qr-basics.
    edit(quiz, "vi: Câu mới 2?", "vi: CÂU  HOI 2 !!")
    [problem] = problems_of(content)
    assert problem.startswith(f"{quiz}:{line_of(quiz, '- id: q2')}:")
    assert "question q2: the same prompt (vi) as question q2 of module qr-basics" in problem


def test_both_languages_must_state_the_same_numbers_unless_the_module_says_why(content):
    quiz, meta = content / QUIZ, content / MODULE / "module.yaml"
    lesson = content / MODULE / "lessons" / "02-check.en.md"
    edit(quiz, "vi: Câu hỏi 2?", "vi: Người gọi xin mã OTP 6 số trong 5 phút, bạn làm gì?")
    edit(quiz, "en: Question 2?", "en: A caller wants your 6-digit OTP within 15 minutes; what do you do?")
    edit(lesson, "before you confirm.", "before you confirm, as of 1 July 2025.")
    found = problems_of(content)
    assert (
        f"{quiz}:{line_of(quiz, '- id: q2')}: question q2, prompt: the two languages state different numbers "
        "(only in Vietnamese: 5; only in English: 15); make them agree, or list 'question:q2' under numbers_differ" in found
    )
    vi_lesson = content / MODULE / "lessons" / "02-check.vi.md"
    assert any(p.startswith(f"{vi_lesson}:1:") and "only in English: 1, 2025, 7" in p for p in found)
    assert len(found) == 2
    # 1 July 2025 is 1/7/2025: a month's name counts as its number.
    edit(vi_lesson, "trước khi xác nhận.", "trước khi xác nhận (từ 1/7/2025).")
    edit(meta, "sources:", "numbers_differ:\n  - item: question:q2\n    why: a test of the exception\nsources:")
    assert problems_of(content) == []


def test_a_sentence_longer_than_35_words_is_reported_at_its_line(content):
    lesson = content / MODULE / "lessons" / "02-check.vi.md"
    edit(lesson, "Luôn đọc", "Câu ngắn. " + "Một câu rất dài " * 9 + "kết thúc. Luôn đọc")
    [problem] = problems_of(content)
    assert problem == f"{lesson}:3: a sentence of 38 words; keep sentences to 35 words or fewer"


def test_facts_left_for_review_are_listed_in_the_module(content):
    meta = content / MODULE / "module.yaml"
    edit(meta, "sources:", "review:\n  - the daily limit for face checks, not yet confirmed\nsources:")
    assert problems_of(content) == []
    edit(meta, "sources:", "numbers_differ:\n  - item: lesson:nope\n    why: a typo\nsources:")
    [problem] = problems_of(content)
    assert problem.startswith(f"{meta}:{line_of(meta, '- item: lesson:nope')}:") and "no lesson nope" in problem


def test_a_competence_code_outside_the_frameworks_is_reported_at_its_line(content):
    meta = content / MODULE / "module.yaml"
    edit(meta, 'digcomp: ["2.1", "4.2"]', 'digcomp: ["2.1", "4.7"]')
    edit(meta, "framework_vn: [nguoi-dan]", "framework_vn: [nguoi-dan, khung-3.2]")
    found = problems_of(content)
    assert f"{meta}:{line_of(meta, 'digcomp:')}: competences.digcomp: unknown DigComp 2.2 code(s) 4.7" in found[0]
    assert (
        f"{meta}:{line_of(meta, 'framework_vn:')}: competences.framework_vn: unknown framework_vn code(s) khung-3.2" in found[1]
    )
    assert len(found) == 2


def test_a_module_must_name_its_framework_competences(content):
    meta = content / MODULE / "module.yaml"
    edit(meta, 'competences:\n  digcomp: ["2.1", "4.2"]\n  framework_vn: [nguoi-dan]\n', "")
    [problem] = problems_of(content)
    assert problem.endswith("competences: required field is missing")


def test_the_framework_map_in_the_authoring_guide_matches_every_module():
    from hocso.content.schema import scan_catalogue

    readme = (REPO_CONTENT / "README.md").read_text(encoding="utf-8")
    rows = {}
    for line in readme[readme.index("## Framework map") :].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = (cells[2], cells[3])
    modules = {m.slug: m for a in scan_catalogue(REPO_CONTENT).areas for m in a.modules}
    assert rows.keys() == modules.keys()
    for slug, m in modules.items():
        assert rows[slug] == (", ".join(m.meta.competences.digcomp), ", ".join(m.meta.competences.framework_vn)), slug


def test_a_quiz_without_a_draw_is_reported_with_how_to_fix_it(content):
    quiz = content / QUIZ
    edit(quiz, "draw: 4\n", "")
    [problem] = problems_of(content)
    assert problem.startswith(f"{quiz}:{line_of(quiz, 'pass_score:')}:")
    assert "no draw: add 'draw: N'" in problem and "1.5 × draw" in problem


def test_right_answers_that_are_mostly_the_shortest_choice_are_reported_too(content):
    quiz = content / QUIZ
    # "Đúng" is now shorter than both wrong choices in q1, q2 and q3: 3 of 5 single-answer questions.
    edit(quiz, "vi: Sai\n", "vi: Sai rồi\n", 3)
    found = problems_of(content)
    assert any(
        p.startswith(f"{quiz}:") and "in 3 of 5 single-answer questions (60 %" in p and "the shortest (vi): q1, q2, q3" in p
        for p in found
    )
    assert any(p.startswith(f"{content}:1:") and "uniquely shortest: 60 %" in p and "are the shortest" in p for p in found)
    assert len(found) == 2
