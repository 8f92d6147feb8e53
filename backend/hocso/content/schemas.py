"""What crosses the wire for areas and modules (never the answer key)."""

from __future__ import annotations

from pydantic import BaseModel


class AreaOut(BaseModel):
    slug: str
    title: str
    description: str


class ModuleSummary(BaseModel):
    slug: str
    area: str
    title: str
    summary: str
    minutes: int
    level: str
    audience: list[str]
    version: int
    lessons_count: int
    questions_count: int


class SourceOut(BaseModel):
    title: str
    publisher: str
    url: str | None = None


class LessonOut(BaseModel):
    id: str
    title: str
    body: str


class ChoiceOut(BaseModel):
    id: str
    text: str


class QuestionOut(BaseModel):
    id: str
    prompt: str
    multiple: bool
    choices: list[ChoiceOut]


class QuizOut(BaseModel):
    pass_score: float
    draw: int  # questions one attempt shows, drawn from the pool in questions
    questions: list[QuestionOut]


class ImageOut(BaseModel):
    url: str  # carries the file's hash: the same address always answers the same picture
    width: int  # the picture's own size in pixels, so the page can keep its place while it loads
    height: int


class ModuleDetail(ModuleSummary):
    facts_as_of: str
    sources: list[SourceOut]
    lessons: list[LessonOut]
    quiz: QuizOut
    # The pictures lessons show, by the path their Markdown names: ![alt text](images/<file>)
    images: dict[str, ImageOut] = {}


class PictureData(BaseModel):
    type: str
    sha: str
    data: str  # base64


class LessonHit(BaseModel):
    id: str
    title: str
    snippet: str  # the lesson's words around the first match, as plain text


class SearchHit(BaseModel):
    slug: str
    area: str
    title: str
    summary: str
    lessons: list[LessonHit]  # the module's lessons that hold every word of the query


class SearchDocLesson(BaseModel):
    id: str
    title: str
    text: str


class SearchDoc(BaseModel):
    slug: str
    area: str
    title: str
    summary: str
    lessons: list[SearchDocLesson]
