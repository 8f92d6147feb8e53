"""HTTP endpoints for areas and modules, per language, with ETags so phones and proxies revalidate cheaply."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import TypeAdapter

from hocso.content import service
from hocso.content.cache import Answer, ContentAnswers
from hocso.content.schemas import AreaOut, ModuleDetail, ModuleSummary
from hocso.core.errors import error_responses

router = APIRouter(tags=["content"])

LangQuery = Annotated[Literal["vi", "en"], Query(description="Language of the text: vi (default) or en")]
IfNoneMatch = Annotated[str | None, Header(description="The ETag of the copy you hold: 304 if it is still current")]
AcceptEncoding = Annotated[str | None, Header(include_in_schema=False)]
# Kept by phones and proxies but revalidated each time: content changes only when it is loaded, and then at once.
CACHE_CONTROL = "public, no-cache"
NOT_MODIFIED = {304: {"description": "Not modified: the copy named by If-None-Match is still current"}}

AREAS, SUMMARIES, DETAIL = TypeAdapter(list[AreaOut]), TypeAdapter(list[ModuleSummary]), TypeAdapter(ModuleDetail)


async def get_answers(request: Request) -> ContentAnswers:
    # async: a dependency that only reads app state must not cost a trip through the thread pool.
    return request.app.state.content_answers


AnswersDep = Annotated[ContentAnswers, Depends(get_answers)]


def _respond(answer: Answer, if_none_match: str | None, accept_encoding: str | None) -> Response:
    """The answer, or 304 when the client holds it; gzipped once per content version when the client takes gzip."""
    headers = {"ETag": answer.etag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept-Encoding"}
    if answer.matches(if_none_match):
        return Response(status_code=304, headers=headers)
    if answer.gzipped is not None and "gzip" in (accept_encoding or "").lower():
        return Response(answer.gzipped, media_type="application/json", headers={**headers, "Content-Encoding": "gzip"})
    return Response(answer.body, media_type="application/json", headers=headers)


# The endpoints are async and never touch the database themselves: a kept answer is returned from memory,
# and ContentAnswers runs the database work (a version check at most every few seconds, a build on a miss)
# on a thread.


@router.get(
    "/areas", response_model=list[AreaOut], operation_id="list_areas", responses={**NOT_MODIFIED, **error_responses()}
)
async def list_areas(
    answers: AnswersDep, if_none_match: IfNoneMatch = None, accept_encoding: AcceptEncoding = None, lang: LangQuery = "vi"
) -> Response:
    answer = await answers.get(("areas", lang), lambda session: service.list_areas(session, lang=lang), AREAS)
    return _respond(answer, if_none_match, accept_encoding)


@router.get(
    "/modules",
    response_model=list[ModuleSummary],
    operation_id="list_modules",
    responses={**NOT_MODIFIED, **error_responses(404)},
)
async def list_modules(
    answers: AnswersDep,
    if_none_match: IfNoneMatch = None,
    accept_encoding: AcceptEncoding = None,
    lang: LangQuery = "vi",
    area: Annotated[str | None, Query(max_length=64, description="Only modules of this area")] = None,
) -> Response:
    answer = await answers.get(
        ("modules", lang, area), lambda session: service.list_modules(session, lang=lang, area=area), SUMMARIES
    )
    return _respond(answer, if_none_match, accept_encoding)


@router.get(
    "/modules/{slug}",
    response_model=ModuleDetail,
    operation_id="get_module",
    responses={**NOT_MODIFIED, **error_responses(404)},
)
async def get_module(
    slug: str,
    answers: AnswersDep,
    if_none_match: IfNoneMatch = None,
    accept_encoding: AcceptEncoding = None,
    lang: LangQuery = "vi",
    version: Annotated[int | None, Query(ge=1, le=1_000_000, description="A specific version; default the current one")] = None,
) -> Response:
    """A module's lessons and quiz, without the answer key."""

    def build(session) -> dict:
        return service.module_for_learner(session, service.get_module_version(session, slug, version=version), lang=lang)

    return _respond(await answers.get(("module", slug, lang, version), build, DETAIL), if_none_match, accept_encoding)
