"""The content check: every problem a reviewer would catch, reported with its file and line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hocso.cli import main as hocso_main
from hocso.content.schema import check_path

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
    lesson.write_text("# Dài\n\n" + "chữ " * 460, encoding="utf-8")
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
    monkeypatch.setenv("HOCSO_CONTENT_DIR", str(content))
    from hocso.core.config import get_settings

    get_settings.cache_clear()
    try:
        assert hocso_main(["content", "check"]) == 1
        out = capsys.readouterr().out.strip().splitlines()
        assert len(out) == 1 and out[0].endswith("broken link: no lesson 'nope' in this module")
        assert hocso_main(["content", "check", str(content / "e-payment")]) == 1
        assert hocso_main(["content", "check", str(content / "personal-data-protection")]) == 0
    finally:
        get_settings.cache_clear()


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


def test_a_pool_smaller_than_one_and_a_half_times_the_draw_is_reported(content):
    quiz = content / MODULE / "quiz.yaml"
    edit(quiz, "draw: 4", "draw: 5")  # 6 questions < 1.5 × 5
    [problem] = problems_of(content)
    assert problem.startswith(f"{quiz}:{line_of(quiz, 'draw:')}:")
    assert "pool of 6 questions is too small for draw: 5" in problem and "8 questions" in problem
