"""Search over the current modules' titles, summaries and lessons, with accents, case and đ/d ignored.

The documents (one per module and language) come from the content answers' cache, so they are built once per
content version; folding them for matching happens once per process and version (keyed by the answer's ETag).
The PWA folds and matches the same way over the modules kept on the phone (frontend/src/lib/search.js), so a
search offline finds what the server would among them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from hocso.content import service

MAX_RESULTS = 20
SNIPPET_CHARS = 160
_LINE_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)]|#+)\s+", re.M)
_MARKUP = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|[*_`#>]+")
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lowercase, without accents (đ as d), words separated by single spaces: what matching compares."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn").lower()
    return _NOT_WORD.sub(" ", bare).strip()


def plain(markdown: str) -> str:
    """Lesson Markdown as the words a reader sees: link texts kept; markup, list marks and line breaks dropped."""
    return " ".join(_MARKUP.sub(lambda m: m.group(1) or " ", _LINE_MARK.sub("", markdown)).split())


def search_documents(session: Session, *, lang: str) -> list[dict[str, Any]]:
    """The current modules in catalogue order, in one language, with each lesson as plain text."""
    docs = []
    for summary in service.list_modules(session, lang=lang):
        ref = service.get_module_version(session, summary["slug"])
        data = service.version_text(session, ref.version_id, ref.content_hash)
        lessons = [
            {"id": lesson["id"], "title": lesson["title"][lang], "text": plain(lesson["body"][lang])}
            for lesson in data["lessons"]
        ]
        docs.append({k: summary[k] for k in ("slug", "area", "title", "summary")} | {"lessons": lessons})
    return docs


@dataclass(frozen=True)
class _Folded:
    doc: dict[str, Any]
    title: str
    summary: str
    lessons: list[tuple[str, str]]  # folded (title, text) per lesson


_FOLDED: dict[str, list[_Folded]] = {}


def folded_documents(etag: str, body: bytes) -> list[_Folded]:
    """The documents of one answer (by its ETag), parsed and folded once per process."""
    found = _FOLDED.get(etag)
    if found is None:
        if len(_FOLDED) > 16:  # old content versions
            _FOLDED.clear()
        found = [
            _Folded(
                d,
                fold(d["title"]),
                fold(d["summary"]),
                [(fold(lesson["title"]), fold(lesson["text"])) for lesson in d["lessons"]],
            )
            for d in json.loads(body)
        ]
        _FOLDED[etag] = found
    return found


def _matches(terms: list[re.Pattern[str]], *texts: str) -> bool:
    return all(any(term.search(text) for text in texts) for term in terms)


def snippet(text: str, terms: list[str]) -> str:
    """About SNIPPET_CHARS characters of text around the first place a term appears, cut at spaces."""
    words = text.split()
    first = next((i for i, w in enumerate(words) if any(fold(w).startswith(t) for t in terms)), 0)
    start = max(0, first - 8)
    out: list[str] = []
    length = 0
    for word in words[start:]:
        if length + len(word) > SNIPPET_CHARS and out:
            break
        out.append(word)
        length += len(word) + 1
    return ("… " if start else "") + " ".join(out) + (" …" if start + len(out) < len(words) else "")


def search(documents: list[_Folded], query: str) -> list[dict[str, Any]]:
    """Modules whose title or summary holds every word of the query, or with lessons that do; best first.

    A word matches the start of a word of the text ("chuyen" finds "chuyển khoản", "an" does not find "toàn").
    """
    words = fold(query).split()
    if not words:
        return []
    terms = [re.compile(rf"\b{re.escape(w)}") for w in words]
    phrase = " ".join(words)
    hits = []
    for position, d in enumerate(documents):
        lessons = [
            {"id": lesson["id"], "title": lesson["title"], "snippet": snippet(lesson["text"], words)}
            for lesson, (title, text) in zip(d.doc["lessons"], d.lessons, strict=True)
            if _matches(terms, title, text)
        ]
        in_module = _matches(terms, d.title, d.summary)
        if not in_module and not lessons:
            continue
        score = (
            (8 if phrase in d.title else 4 if _matches(terms, d.title) else 0)
            + (2 if in_module else 0)
            + sum(1 for lesson in lessons if phrase in fold(lesson["title"]))
            + min(len(lessons), 3)
        )
        hits.append((-score, position, {k: d.doc[k] for k in ("slug", "area", "title", "summary")} | {"lessons": lessons}))
    hits.sort(key=lambda h: (h[0], h[1]))
    return [hit for _, _, hit in hits[:MAX_RESULTS]]
