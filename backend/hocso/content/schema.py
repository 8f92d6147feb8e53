"""The schema of content files, and a checker that reports each problem with its file and line."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from hocso.content.frameworks import DIGCOMP, FRAMEWORK_VN
from hocso.content.images import IMAGE_PATH_RE, MIN_ALT_CHARS, TYPES, Picture, read_picture, references
from hocso.content.rules import Giveaway, check_catalogue, check_module

LANGS = ("vi", "en")
LANG_NAMES = {"vi": "Vietnamese", "en": "English"}
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$")
LESSON_FILE_RE = re.compile(r"^(\d{2})-([a-z0-9][a-z0-9-]*[a-z0-9])\.(vi|en)\.md$")
MAX_LESSON_WORDS = 450
MIN_QUESTIONS = 6
MIN_DRAW = 4
AREA_SLUGS = ("online-public-services", "e-payment", "personal-data-protection", "everyday-digital-skills")
# A link, not a picture (`![alt](images/…)`, checked in images.py).
LINK_RE = re.compile(r"(?<!!)\[([^\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
HTML_TAG_RE = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Localized(Strict):
    vi: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Source(Strict):
    title: str = Field(min_length=3)
    publisher: str = Field(min_length=2)
    url: str | None = None

    @field_validator("url")
    @classmethod
    def _https(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^https://[a-z0-9.-]+\.[a-z]{2,}(/\S*)?$", v):
            raise ValueError("a source url must be a full https:// address")
        return v


class AreaMeta(Strict):
    order: int = Field(ge=0)
    title: Localized
    description: Localized
    # The order learners meet the modules in; modules not listed follow, by slug.
    modules: list[str] = Field(default_factory=list)


class NumbersDiffer(Strict):
    item: str = Field(pattern=r"^(lesson|question):[a-z0-9][a-z0-9-]*$")
    why: str = Field(min_length=3)


def _known_codes(codes: list[str], known: dict[str, str], name: str) -> list[str]:
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValueError(f"unknown {name} code(s) {', '.join(unknown)}; known codes: {', '.join(known)}")
    if len(set(codes)) != len(codes):
        raise ValueError(f"a {name} code is listed twice")
    return codes


class Competences(Strict):
    # Codes are checked against the closed lists in frameworks.py, so a typo or a guessed code fails the check.
    digcomp: list[str] = Field(min_length=1)
    framework_vn: list[str] = Field(min_length=1)

    @field_validator("digcomp")
    @classmethod
    def _digcomp(cls, v: list[str]) -> list[str]:
        return _known_codes(v, DIGCOMP, "DigComp 2.2")

    @field_validator("framework_vn")
    @classmethod
    def _framework_vn(cls, v: list[str]) -> list[str]:
        return _known_codes(v, FRAMEWORK_VN, "framework_vn")


class ModuleMeta(Strict):
    slug: str
    version: int = Field(ge=1, le=1_000_000)
    title: Localized
    summary: Localized
    minutes: int = Field(ge=1, le=30)
    level: Literal["beginner", "intermediate", "advanced"]
    audience: list[Literal["citizen", "civil_servant"]] = Field(min_length=1)
    facts_as_of: date
    sources: list[Source] = Field(min_length=1)
    competences: Competences
    # Facts the author could not confirm against an official source: worded generally until someone does.
    review: list[str] = Field(default_factory=list)
    # Lessons or questions whose two languages may state different numbers (e.g. a date written in words).
    numbers_differ: list[NumbersDiffer] = Field(default_factory=list)

    @field_validator("slug")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not SLUG_RE.match(v):
            raise ValueError("slug: use lowercase letters, digits and hyphens")
        return v


class Choice(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")
    text: Localized
    correct: bool = False


def _same_text(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split()).rstrip(".!?")


class Question(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    multiple: bool = False
    prompt: Localized
    choices: list[Choice] = Field(min_length=2, max_length=6)
    explanation: Localized

    @model_validator(mode="after")
    def _choices_make_sense(self) -> Question:
        ids = [c.id for c in self.choices]
        if len(set(ids)) != len(ids):
            raise ValueError(f"question {self.id}: two choices share an id")
        correct = sum(c.correct for c in self.choices)
        if correct == 0:
            raise ValueError(f"question {self.id}: no choice is marked correct: true")
        if not self.multiple and correct != 1:
            raise ValueError(
                f"question {self.id}: single-answer question has {correct} correct choices; set multiple: true or keep one"
            )
        if self.multiple and correct == len(self.choices):
            raise ValueError(f"question {self.id}: every choice is correct; add a wrong one")
        for lang in LANGS:
            texts = [_same_text(getattr(c.text, lang)) for c in self.choices]
            if len(set(texts)) != len(texts):
                raise ValueError(f"question {self.id}: two choices say the same thing in {LANG_NAMES[lang]}")
        return self


class Quiz(Strict):
    pass_score: float = Field(gt=0, le=1)
    # Questions one attempt shows, drawn from the pool. Required by the check; optional here so that the check
    # can say how to fix it (versions loaded before pools existed show every question).
    draw: int | None = Field(default=None, ge=MIN_DRAW)
    questions: list[Question] = Field(min_length=MIN_QUESTIONS)

    @model_validator(mode="after")
    def _unique_ids(self) -> Quiz:
        ids = [q.id for q in self.questions]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"question ids must be unique; repeated: {', '.join(dup)}")
        return self


@dataclass(frozen=True)
class Problem:
    file: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class Lesson:
    id: str
    number: int
    title: dict[str, str] = field(default_factory=dict)
    body: dict[str, str] = field(default_factory=dict)


@dataclass
class ModuleDoc:
    slug: str
    area: str
    path: Path
    meta: ModuleMeta
    lessons: list[Lesson]
    quiz: Quiz
    content_hash: str
    meta_lines: dict[tuple, int] = field(default_factory=dict)
    quiz_lines: dict[tuple, int] = field(default_factory=dict)
    pictures: dict[str, Picture] = field(default_factory=dict)  # by the path lessons use, images/<file>

    def to_data(self) -> dict[str, Any]:
        """Returns the module as stored in a module_version row (answer key included)."""
        pictures = {"images": {ref: p.to_data() for ref, p in self.pictures.items()}} if self.pictures else {}
        return pictures | {
            "title": self.meta.title.model_dump(),
            "summary": self.meta.summary.model_dump(),
            "facts_as_of": self.meta.facts_as_of.isoformat(),
            "sources": [s.model_dump() for s in self.meta.sources],
            "lessons": [{"id": lesson.id, "title": lesson.title, "body": lesson.body} for lesson in self.lessons],
            "quiz": self.quiz.model_dump(),
        }


@dataclass
class AreaDoc:
    slug: str
    path: Path
    meta: AreaMeta
    modules: list[ModuleDoc] = field(default_factory=list)


@dataclass
class Catalogue:
    areas: list[AreaDoc]
    problems: list[Problem]
    # Module folders that exist but failed validation: their earlier loaded version stays in service.
    invalid_modules: set[str]
    giveaway: Giveaway = field(default_factory=Giveaway)
    # Every module that parsed, valid or not: what the rules across modules and the figures look at.
    parsed: list[ModuleDoc] = field(default_factory=list)


# --- YAML with line numbers -------------------------------------------------------------------------------


_SCALARS = yaml.SafeLoader("")


def _node_to_python(node: yaml.Node, path: tuple, lines: dict[tuple, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _SCALARS.construct_object(key_node, deep=True)
            # The line of a key is where a reader looks for a problem with its value.
            out[key] = _node_to_python(value_node, (*path, key), lines)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_node_to_python(item, (*path, i), lines) for i, item in enumerate(node.value)]
    return _SCALARS.construct_object(node, deep=True)


def load_yaml(path: Path) -> tuple[Any, dict[tuple, int]]:
    """Parses a YAML file; returns the data and the line of every key and item."""
    text = path.read_text(encoding="utf-8")
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    lines: dict[tuple, int] = {}
    if node is None:
        return None, {(): 1}
    return _node_to_python(node, (), lines), lines


def _line_for(loc: tuple, lines: dict[tuple, int]) -> int:
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return 1


def _explain(err: ErrorDetails) -> str:
    loc = tuple(p for p in err["loc"])
    where = ".".join(str(p) for p in loc)
    if err["type"] == "missing" and loc and loc[-1] in LANGS:
        return f"{where}: missing {LANG_NAMES[loc[-1]]} translation"
    if err["type"] == "missing":
        return f"{where}: required field is missing"
    if err["type"] == "extra_forbidden":
        return f"{where}: unknown field (check the spelling against content/README.md)"
    msg = err["msg"].removeprefix("Value error, ")
    return f"{where}: {msg}" if where else msg


def validate_yaml(path: Path, model: type[BaseModel], problems: list[Problem]) -> tuple[Any, dict[tuple, int], Any]:
    """Loads and validates one YAML file; appends problems and returns (model or None, lines, raw data)."""
    try:
        data, lines = load_yaml(path)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(Problem(path, (mark.line + 1) if mark else 1, f"not valid YAML: {getattr(exc, 'problem', exc)}"))
        return None, {}, None
    if not isinstance(data, dict):
        problems.append(Problem(path, 1, "expected a mapping of fields at the top of the file"))
        return None, lines, data
    try:
        return model.model_validate(data), lines, data
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            # A model-level rule names its question; point at that question rather than the list.
            problems.append(Problem(path, _line_for(loc, lines), _explain(err)))
        return None, lines, data


# --- Lessons ------------------------------------------------------------------------------------------------


def _check_lesson_text(path: Path, text: str, problems: list[Problem]) -> tuple[str, str] | None:
    lines = text.splitlines()
    if not lines or not lines[0].startswith("# ") or not lines[0][2:].strip():
        problems.append(Problem(path, 1, "the first line must be the lesson title as '# Title'"))
        return None
    title = lines[0][2:].strip()
    body = "\n".join(lines[1:]).strip()
    if not body:
        problems.append(Problem(path, 2, "the lesson has a title but no text"))
    words = len(text.split())
    if words > MAX_LESSON_WORDS:
        problems.append(
            Problem(path, 1, f"lesson has {words} words, more than {MAX_LESSON_WORDS} (1 to 3 minutes on a phone); split it")
        )
    for n, line in enumerate(lines, start=1):
        if HTML_TAG_RE.search(line):
            problems.append(Problem(path, n, "raw HTML is not allowed in lessons; use Markdown"))
    return title, body


def _check_links(path: Path, text: str, lesson_ids: set[str], module_slugs: set[str], problems: list[Problem]) -> None:
    for n, line in enumerate(text.splitlines(), start=1):
        for match in LINK_RE.finditer(line):
            target = match.group(2)
            if target.startswith("lesson:"):
                if target[7:] not in lesson_ids:
                    problems.append(Problem(path, n, f"broken link: no lesson '{target[7:]}' in this module"))
            elif target.startswith("module:"):
                slug = target[7:].split("#", 1)[0]
                if slug not in module_slugs:
                    problems.append(Problem(path, n, f"broken link: no module '{slug}' in content/"))
            elif not target.startswith("https://"):
                problems.append(Problem(path, n, f"link '{target}' must be lesson:<id>, module:<slug> or an https:// address"))


def _read_lessons(folder: Path, problems: list[Problem]) -> list[Lesson]:
    """The module's lessons in their order, each in both languages; what is wrong with them goes to problems."""
    lessons_dir = folder / "lessons"
    if not lessons_dir.is_dir():
        problems.append(Problem(folder / "module.yaml", 1, "no lessons/ folder next to module.yaml"))
        return []
    by_id, files = _read_lesson_files(lessons_dir, problems)
    for lesson in by_id.values():
        for lang in LANGS:
            if (lesson.id, lang) not in files:
                other = files.get((lesson.id, "vi" if lang == "en" else "en"))
                problems.append(
                    Problem(other or lessons_dir, 1, f"missing {LANG_NAMES[lang]} translation of lesson '{lesson.id}'")
                )
    ordered = sorted(by_id.values(), key=lambda lesson: (lesson.number, lesson.id))
    numbers = [lesson.number for lesson in ordered]
    if len(set(numbers)) != len(numbers):
        problems.append(Problem(lessons_dir, 1, "two lessons share a number; number them 01, 02, 03 ..."))
    if not ordered:
        problems.append(Problem(lessons_dir, 1, "a module needs at least one lesson"))
    return ordered


def _read_lesson_files(lessons_dir: Path, problems: list[Problem]) -> tuple[dict[str, Lesson], dict[tuple[str, str], Path]]:
    """Reads each lesson file into its lesson by id; returns the lessons and the file of each (id, language)."""
    by_id: dict[str, Lesson] = {}
    files: dict[tuple[str, str], Path] = {}
    for path in sorted(lessons_dir.iterdir()):
        m = LESSON_FILE_RE.match(path.name)
        if not m:
            problems.append(Problem(path, 1, "lesson files are named NN-<lesson-id>.<vi|en>.md, e.g. 01-intro.vi.md"))
            continue
        number, lesson_id, lang = int(m.group(1)), m.group(2), m.group(3)
        lesson = by_id.setdefault(lesson_id, Lesson(id=lesson_id, number=number))
        if lesson.number != number:
            problems.append(Problem(path, 1, f"lesson '{lesson_id}' has different numbers in its two languages"))
        files[(lesson_id, lang)] = path
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(path, 1, "not UTF-8 text"))
            continue
        parsed = _check_lesson_text(path, text, problems)
        if parsed:
            lesson.title[lang], lesson.body[lang] = parsed
    return by_id, files


@dataclass
class _PictureCheck:
    """The pictures of one module's folder as its lessons show them: each file read and checked once."""

    folder: Path
    problems: list[Problem]
    pictures: dict[str, Picture] = field(default_factory=dict)
    unusable: set[str] = field(default_factory=set)

    def shown(self, path: Path, line: int, *, alt: str, target: str, alone: bool, lang: str) -> None:
        """Checks one picture a lesson shows: on its own line, from images/, with alt text, a file that is fine."""
        problems = self.problems
        if not alone:
            problems.append(Problem(path, line, "put a picture on a line of its own: ![what it shows](images/<file>)"))
        if not IMAGE_PATH_RE.match(target):
            problems.append(
                Problem(
                    path,
                    line,
                    f"picture '{target}': use images/<file>.svg, .png or .webp from this module's folder (lowercase name)",
                )
            )
            return
        if len(alt) < MIN_ALT_CHARS:
            problems.append(
                Problem(
                    path,
                    line,
                    f"picture '{target}' needs alt text in {LANG_NAMES[lang]}, saying what it shows "
                    f"(at least {MIN_ALT_CHARS} characters): ![…]({target})",
                )
            )
        file = self.folder / target
        if not file.is_file():
            problems.append(Problem(path, line, f"no picture '{target}' in this module's images/ folder"))
            return
        if target not in self.pictures and target not in self.unusable:
            picture, why = read_picture(file)
            problems.extend(Problem(file, 1, reason) for reason in why)
            if picture is None:
                self.unusable.add(target)
            else:
                self.pictures[target] = picture

    def check_unshown(self) -> None:
        """Appends a problem for each file in images/ that no lesson shows, or that is not a picture."""
        images_dir = self.folder / "images"
        for path in sorted(images_dir.iterdir()) if images_dir.is_dir() else []:
            ref = f"images/{path.name}"
            if path.is_file() and ref not in self.pictures and ref not in self.unusable:
                unused = "no lesson shows this picture; remove it or show it"
                self.problems.append(
                    Problem(path, 1, unused if path.suffix.lower() in TYPES else "pictures must be SVG, PNG or WebP")
                )


def _read_pictures(folder: Path, problems: list[Problem]) -> dict[str, Picture]:
    """The pictures the lessons show, checked: files, alt text in both languages, size, what an SVG may hold."""
    check = _PictureCheck(folder, problems)
    shown: dict[str, dict[str, int]] = {}
    first_file: dict[str, Path] = {}
    lessons_dir = folder / "lessons"
    for path in sorted(lessons_dir.glob("*.md")) if lessons_dir.is_dir() else []:
        m = LESSON_FILE_RE.match(path.name)
        if not m:
            continue
        lesson_id, lang = m.group(2), m.group(3)
        first_file.setdefault(lesson_id, path)
        counts = shown.setdefault(lesson_id, {"vi": 0, "en": 0})
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for line, alt, target, alone in references(text):
            counts[lang] += 1
            check.shown(path, line, alt=alt, target=target, alone=alone, lang=lang)
    for lesson_id, counts in shown.items():
        if counts["vi"] != counts["en"]:
            problems.append(
                Problem(
                    first_file[lesson_id],
                    1,
                    f"lesson '{lesson_id}' shows {counts['vi']} picture(s) in Vietnamese and "
                    f"{counts['en']} in English; show each in both, with alt text in each language",
                )
            )
    check.check_unshown()
    return check.pictures


def folder_hash(root: Path) -> str:
    """Hashes every file under root (names and bytes), so any edit changes it."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def _module_folders(area_dir: Path) -> list[Path]:
    return sorted(p for p in area_dir.iterdir() if p.is_dir() and not p.name.startswith("."))


def scan_catalogue(root: Path) -> Catalogue:
    """Reads and validates the whole content folder."""
    problems: list[Problem] = []
    areas: list[AreaDoc] = []
    invalid: set[str] = set()
    if not root.is_dir():
        return Catalogue([], [Problem(root, 1, "content folder not found")], set())
    area_dirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    all_slugs = {m.name for a in area_dirs for m in _module_folders(a)}
    seen_slugs: dict[str, Path] = {}
    parsed: list[ModuleDoc] = []
    for area_dir in area_dirs:
        if area_dir.name not in AREA_SLUGS:
            problems.append(Problem(area_dir, 1, f"unknown area folder; areas are: {', '.join(AREA_SLUGS)}"))
            continue
        area_file = area_dir / "area.yaml"
        if not area_file.exists():
            problems.append(Problem(area_file, 1, "missing area.yaml (title and description of the area)"))
            continue
        area_meta, area_lines, _ = validate_yaml(area_file, AreaMeta, problems)
        if area_meta is None:
            invalid.update(m.name for m in _module_folders(area_dir))
            continue
        area = AreaDoc(area_dir.name, area_dir, area_meta)
        areas.append(area)
        for folder in _module_folders(area_dir):
            before = len(problems)
            if folder.name in seen_slugs:
                problems.append(Problem(folder, 1, f"module slug '{folder.name}' is also used by {seen_slugs[folder.name]}"))
            seen_slugs.setdefault(folder.name, folder)
            doc = _read_module(folder, area.slug, all_slugs, problems)
            if doc is not None:
                parsed.append(doc)
            if doc is None or len(problems) > before:
                invalid.add(folder.name)
            else:
                area.modules.append(doc)
        _check_listed_modules(area_file, area_meta, area_lines, problems)
        rank = {slug: i for i, slug in enumerate(area_meta.modules)}
        area.modules.sort(key=lambda m: (rank.get(m.slug, len(rank)), m.slug))
    # Rules across modules report problems but keep the modules in service: no one module is the one at fault.
    giveaway = check_catalogue(root, parsed, problems)
    return Catalogue(areas, problems, invalid, giveaway, parsed)


def _check_listed_modules(area_file: Path, area_meta: AreaMeta, area_lines: dict[tuple, int], problems: list[Problem]) -> None:
    """Appends a problem for each module area.yaml lists that is not a module folder of the area."""
    folders = {m.name for m in _module_folders(area_file.parent)}
    for i, slug in enumerate(area_meta.modules):
        if slug not in folders:
            problems.append(
                Problem(
                    area_file,
                    _line_for(("modules", i), area_lines),
                    f"modules lists '{slug}', which is not a module folder of this area",
                )
            )


def _read_module(folder: Path, area_slug: str, all_slugs: set[str], problems: list[Problem]) -> ModuleDoc | None:
    meta_file, quiz_file = folder / "module.yaml", folder / "quiz.yaml"
    if not SLUG_RE.match(folder.name):
        problems.append(Problem(folder, 1, "module folder names use lowercase letters, digits and hyphens"))
    for required in (meta_file, quiz_file):
        if not required.exists():
            problems.append(Problem(required, 1, f"missing {required.name}"))
    if not meta_file.exists() or not quiz_file.exists():
        return None
    meta, meta_lines, raw = validate_yaml(meta_file, ModuleMeta, problems)
    slug = raw.get("slug") if isinstance(raw, dict) else None
    if isinstance(slug, str) and slug != folder.name:
        problems.append(
            Problem(meta_file, meta_lines.get(("slug",), 1), f"slug '{slug}' must equal the folder name '{folder.name}'")
        )
    quiz, quiz_lines, _ = validate_yaml(quiz_file, Quiz, problems)
    if quiz is not None:
        check_quiz(quiz_file, quiz, quiz_lines, problems)
    lessons = _read_lessons(folder, problems)
    lesson_ids = {lesson.id for lesson in lessons}
    for path in sorted((folder / "lessons").glob("*.md")) if (folder / "lessons").is_dir() else []:
        try:
            _check_links(path, path.read_text(encoding="utf-8"), lesson_ids, all_slugs, problems)
        except UnicodeDecodeError:
            pass
    pictures = _read_pictures(folder, problems)
    if meta is None or quiz is None:
        return None
    doc = ModuleDoc(folder.name, area_slug, folder, meta, lessons, quiz, folder_hash(folder), meta_lines, quiz_lines, pictures)
    check_module(doc, problems)
    return doc


def check_quiz(path: Path, quiz: Quiz, lines: dict[tuple, int], problems: list[Problem]) -> None:
    """Checks the rules that keep a quiz from being passed without reading: pool size."""
    if quiz.draw is None:
        need = -(-MIN_DRAW * 3 // 2)
        problems.append(
            Problem(
                path,
                _line_for(("pass_score",), lines),
                f"no draw: add 'draw: N', the questions one attempt shows (at least {MIN_DRAW}), "
                f"with a pool of at least 1.5 × draw questions (draw: {MIN_DRAW} needs {need})",
            )
        )
    # A pool only a little larger than the draw shows nearly the same questions every attempt.
    elif len(quiz.questions) * 2 < quiz.draw * 3:
        need = -(-quiz.draw * 3 // 2)
        problems.append(
            Problem(
                path,
                _line_for(("draw",), lines),
                f"draw: a pool of {len(quiz.questions)} questions is too small for draw: {quiz.draw}; "
                f"the pool needs at least 1.5 × draw = {need} questions (add questions or lower draw)",
            )
        )


def check_path(path: Path, content_root: Path) -> list[Problem]:
    """Validates the content folder and returns the problems that lie under path."""
    return check_report(path, content_root)[0]


def check_report(path: Path, content_root: Path) -> tuple[list[Problem], Giveaway]:
    """Validates the content folder; returns the problems under path and the giveaway of its modules there."""
    catalogue = scan_catalogue(content_root)
    target = path.resolve()

    def under(p: Path) -> bool:
        return p.resolve() == target or target in p.resolve().parents

    giveaway = Giveaway()
    for doc in (m for m in catalogue.parsed if under(m.path)):
        giveaway.add(doc.quiz)
    return [p for p in catalogue.problems if under(p.file)], giveaway
