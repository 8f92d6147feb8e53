"""Editorial rules of the content check: quizzes that cannot be passed by the look of the answers, no question
asked twice, both languages stating the same numbers, and sentences short enough for a phone."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hocso.content.schema import ModuleDoc, Problem, Question, Quiz

LANGS = ("vi", "en")
# A quiz where the right answer is usually the longest choice is passed by picking the longest choice.
MAX_GIVEAWAY_MODULE = 0.50
MAX_GIVEAWAY_CATALOGUE = 0.35
MAX_SENTENCE_WORDS = 35
# A number written with thousands separators ("500.000" in Vietnamese, "500,000" in English) is one number.
NUMBER_RE = re.compile(r"\d{1,3}(?:[.,]\d{3})+(?!\d)|\d+")
SENTENCE_END_RE = re.compile(r"(?<=[.!?…])[\"'”’)\]*_]*\s+")
LINK_TARGET_RE = re.compile(r"\]\([^)]*\)")
URL_RE = re.compile(r"https?://\S+")


def _chars(text: str) -> int:
    return len(" ".join(text.split()))


def is_giveaway(question: Question, lang: str) -> bool:
    """A single-answer question gives itself away when its right choice is longer, in characters, than every
    other choice (whitespace runs count as one character)."""
    if question.multiple:
        return False
    right = next(c for c in question.choices if c.correct)
    longest_wrong = max(_chars(getattr(c.text, lang)) for c in question.choices if not c.correct)
    return _chars(getattr(right.text, lang)) > longest_wrong


def is_shortest(question: Question, lang: str) -> bool:
    """The opposite tell: the right choice is shorter than every other choice (a trimmed key among padded ones)."""
    if question.multiple:
        return False
    right = next(c for c in question.choices if c.correct)
    shortest_wrong = min(_chars(getattr(c.text, lang)) for c in question.choices if not c.correct)
    return _chars(getattr(right.text, lang)) < shortest_wrong


@dataclass
class Giveaway:
    """Single-answer questions and how many give themselves away, per language."""

    single: int = 0
    vi: int = 0
    en: int = 0
    # The same count for the right choice being the uniquely shortest.
    short_vi: int = 0
    short_en: int = 0

    def add(self, quiz: Quiz) -> Giveaway:
        for q in quiz.questions:
            if not q.multiple:
                self.single += 1
                self.vi += is_giveaway(q, "vi")
                self.en += is_giveaway(q, "en")
                self.short_vi += is_shortest(q, "vi")
                self.short_en += is_shortest(q, "en")
        return self

    @property
    def worst(self) -> int:
        return max(self.vi, self.en)

    def share(self) -> float:
        return self.worst / self.single if self.single else 0.0

    def short_share(self) -> float:
        return max(self.short_vi, self.short_en) / self.single if self.single else 0.0

    def __str__(self) -> str:
        return (
            f"giveaway: {round(100 * self.share())} % of {self.single} single-answer questions "
            f"(the right choice is the uniquely longest; vi {self.vi}, en {self.en}); "
            f"uniquely shortest: {round(100 * self.short_share())} %"
        )


def normalized_prompt(text: str) -> str:
    """The prompt with case, accents, punctuation and spacing removed, to find a question asked twice."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("đ", "d")
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return "".join(ch for ch in text if ch.isalnum())


MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
# "1 July 2025" in English is "1/7/2025" in Vietnamese: a month's name counts as its number.
MONTH_RE = re.compile(r"\b(" + "|".join(m.capitalize() for m in MONTHS) + r")\b")


def numbers_in(text: str) -> Counter[str]:
    """The numbers a text states (digit groups, thousands separators dropped), with how often each appears."""
    text = URL_RE.sub(" ", LINK_TARGET_RE.sub("]", text))
    text = MONTH_RE.sub(lambda m: str(MONTHS.index(m.group(1).lower()) + 1), text)
    return Counter(re.sub(r"[.,]", "", m.group(0)).lstrip("0") or "0" for m in NUMBER_RE.finditer(text))


def _difference(vi: Counter[str], en: Counter[str]) -> str:
    parts = []
    if vi - en:
        parts.append(f"only in Vietnamese: {', '.join(sorted((vi - en).elements()))}")
    if en - vi:
        parts.append(f"only in English: {', '.join(sorted((en - vi).elements()))}")
    return "; ".join(parts)


def long_sentences(text: str) -> Iterator[tuple[int, int]]:
    """Yields (line number, word count) of each sentence longer than MAX_SENTENCE_WORDS words."""
    for n, line in enumerate(text.splitlines(), start=1):
        line = URL_RE.sub("link", LINK_TARGET_RE.sub("]", line))
        for sentence in SENTENCE_END_RE.split(line):
            words = len([w for w in sentence.split() if any(ch.isalnum() for ch in w)])
            if words > MAX_SENTENCE_WORDS:
                yield n, words


def check_module(doc: ModuleDoc, problems: list[Problem]) -> None:
    """Appends the problems of one valid module: giveaway, numbers in both languages, sentence length."""
    _check_giveaway(doc, problems)
    _check_numbers_differ(doc, problems)
    allowed = {e.item for e in doc.meta.numbers_differ}
    _check_lessons(doc, allowed, problems)
    _check_questions(doc, allowed, problems)


def _check_giveaway(doc: ModuleDoc, problems: list[Problem]) -> None:
    """Appends a problem when the longest, or the shortest, choice is too often the right one."""
    from hocso.content.schema import Problem, _line_for

    quiz_file = doc.path / "quiz.yaml"
    quiz, quiz_lines = doc.quiz, doc.quiz_lines
    count = Giveaway().add(quiz)
    if count.single and count.share() > MAX_GIVEAWAY_MODULE:
        lang = "vi" if count.vi >= count.en else "en"
        ids = [q.id for q in quiz.questions if is_giveaway(q, lang)]
        problems.append(
            Problem(
                quiz_file,
                _line_for(("questions",), quiz_lines),
                f"in {count.worst} of {count.single} single-answer questions ({round(100 * count.share())} %, "
                f"more than {round(100 * MAX_GIVEAWAY_MODULE)} %) the right choice is the longest ({lang}): "
                f"{', '.join(ids)}; make wrong choices as specific as the right one, or the right one shorter",
            )
        )
    if count.single and count.short_share() > MAX_GIVEAWAY_MODULE:
        lang = "vi" if count.short_vi >= count.short_en else "en"
        ids = [q.id for q in quiz.questions if is_shortest(q, lang)]
        problems.append(
            Problem(
                quiz_file,
                _line_for(("questions",), quiz_lines),
                f"in {max(count.short_vi, count.short_en)} of {count.single} single-answer questions "
                f"({round(100 * count.short_share())} %, more than {round(100 * MAX_GIVEAWAY_MODULE)} %) "
                f"the right choice is the shortest ({lang}): {', '.join(ids)}; a learner who picks the shortest "
                "choice passes, so vary which choice is shortest",
            )
        )


def _check_numbers_differ(doc: ModuleDoc, problems: list[Problem]) -> None:
    """Appends a problem for each numbers_differ entry naming a lesson or question the module does not have."""
    from hocso.content.schema import Problem, _line_for

    items = {f"lesson:{lesson.id}" for lesson in doc.lessons} | {f"question:{q.id}" for q in doc.quiz.questions}
    for n, entry in enumerate(doc.meta.numbers_differ):
        if entry.item not in items:
            problems.append(
                Problem(
                    doc.path / "module.yaml",
                    _line_for(("numbers_differ", n), doc.meta_lines),
                    f"numbers_differ: no {entry.item.replace(':', ' ', 1)} in this module",
                )
            )


def _check_lessons(doc: ModuleDoc, allowed: set[str], problems: list[Problem]) -> None:
    """Appends the lessons whose languages state different numbers, and their too long sentences."""
    from hocso.content.schema import Problem

    for lesson in doc.lessons:
        lesson_file = _lesson_file(doc.path, lesson.number, lesson.id, "vi")
        if f"lesson:{lesson.id}" not in allowed and len(lesson.body) == 2:
            vi = numbers_in(lesson.title["vi"] + "\n" + lesson.body["vi"])
            en = numbers_in(lesson.title["en"] + "\n" + lesson.body["en"])
            if vi != en:
                problems.append(
                    Problem(
                        lesson_file,
                        1,
                        f"the two languages state different numbers ({_difference(vi, en)}); "
                        f"make them agree, or list 'lesson:{lesson.id}' under numbers_differ in module.yaml",
                    )
                )
        for lang in lesson.body:
            path = _lesson_file(doc.path, lesson.number, lesson.id, lang)
            for line, words in long_sentences(path.read_text(encoding="utf-8")):
                problems.append(
                    Problem(path, line, f"a sentence of {words} words; keep sentences to {MAX_SENTENCE_WORDS} words or fewer")
                )


def _check_questions(doc: ModuleDoc, allowed: set[str], problems: list[Problem]) -> None:
    """Appends the questions whose languages state different numbers, and their too long sentences."""
    from hocso.content.schema import Problem, _line_for

    quiz_file = doc.path / "quiz.yaml"
    quiz, quiz_lines = doc.quiz, doc.quiz_lines
    for i, q in enumerate(quiz.questions):
        where = _line_for(("questions", i), quiz_lines)
        fields = [("prompt", q.prompt), ("explanation", q.explanation)] + [(f"choice {c.id}", c.text) for c in q.choices]
        for name, text in fields:
            if f"question:{q.id}" not in allowed:
                vi, en = numbers_in(text.vi), numbers_in(text.en)
                if vi != en:
                    problems.append(
                        Problem(
                            quiz_file,
                            where,
                            f"question {q.id}, {name}: the two languages state different numbers "
                            f"({_difference(vi, en)}); make them agree, or list 'question:{q.id}' under numbers_differ",
                        )
                    )
            for lang in LANGS:
                for _, words in long_sentences(getattr(text, lang)):
                    problems.append(
                        Problem(
                            quiz_file,
                            where,
                            f"question {q.id}, {name} ({lang}): a sentence of {words} words; "
                            f"keep sentences to {MAX_SENTENCE_WORDS} words or fewer",
                        )
                    )


def _lesson_file(folder: Path, number: int, lesson_id: str, lang: str) -> Path:
    return folder / "lessons" / f"{number:02d}-{lesson_id}.{lang}.md"


def check_catalogue(root: Path, modules: list[ModuleDoc], problems: list[Problem]) -> Giveaway:
    """Appends the problems across modules (a prompt asked twice, the catalogue's giveaway) and returns it."""
    from hocso.content.schema import Problem, _line_for

    seen: dict[tuple[str, str], tuple[str, str]] = {}
    for doc in modules:
        for q in doc.quiz.questions:
            for lang in LANGS:
                key = (lang, normalized_prompt(getattr(q.prompt, lang)))
                if key in seen and seen[key] != (doc.slug, q.id):
                    slug, qid = seen[key]
                    problems.append(
                        Problem(
                            doc.path / "quiz.yaml",
                            _line_for(("questions", doc.quiz.questions.index(q)), doc.quiz_lines),
                            f"question {q.id}: the same prompt ({lang}) as question {qid} of module {slug}; "
                            "ask something new, or keep the question in one module",
                        )
                    )
                    break
                seen.setdefault(key, (doc.slug, q.id))
    total = Giveaway()
    for doc in modules:
        total.add(doc.quiz)
    limit = round(100 * MAX_GIVEAWAY_CATALOGUE)
    if total.single and total.share() > MAX_GIVEAWAY_CATALOGUE:
        problems.append(Problem(root, 1, f"{total}: more than {limit} % are the longest across the catalogue"))
    if total.single and total.short_share() > MAX_GIVEAWAY_CATALOGUE:
        problems.append(Problem(root, 1, f"{total}: more than {limit} % are the shortest across the catalogue"))
    return total
