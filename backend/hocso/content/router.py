"""HTTP endpoints for areas and modules, per language, with ETags so phones and proxies revalidate cheaply."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import TypeAdapter

from hocso.content import search as searching
from hocso.content import service
from hocso.content.cache import Answer, ContentAnswers
from hocso.content.schemas import AreaOut, ModuleDetail, ModuleSummary, PictureData, SearchDoc, SearchHit
from hocso.core.errors import error_responses

router = APIRouter(tags=["content"])

LangQuery = Annotated[Literal["vi", "en"], Query(description="Language of the text: vi (default) or en")]
# Kept by phones and proxies but revalidated each time: content changes only when it is loaded, and then at once.
CACHE_CONTROL = "public, no-cache"
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the copy named by If-None-Match is still current"}
}
# If-None-Match and Accept-Encoding are read straight from the request: declared as parameters, FastAPI's
# validation of them cost more than the rest of answering from memory.
REVALIDATE = {
    "parameters": [
        {
            "name": "If-None-Match",
            "in": "header",
            "required": False,
            "schema": {"type": "string"},
            "description": "The ETag of the copy you hold: 304 if it is still current",
        }
    ]
}

AREAS, SUMMARIES, DETAIL = TypeAdapter(list[AreaOut]), TypeAdapter(list[ModuleSummary]), TypeAdapter(ModuleDetail)
SEARCH_DOCS, PICTURE = TypeAdapter(list[SearchDoc]), TypeAdapter(PictureData)
# An SVG opened on its own is a document: it may draw, never run or load anything.
PICTURE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
_DECODED: dict[str, bytes] = {}


def _answers(request: Request) -> ContentAnswers:
    return request.app.state.content_answers


def _respond(request: Request, answer: Answer) -> Response:
    """The answer, or 304 when the client holds it; gzipped once per content version when the client takes gzip."""
    headers = {"ETag": answer.etag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept-Encoding"}
    if answer.matches(request.headers.get("if-none-match")):
        return Response(status_code=304, headers=headers)
    if answer.gzipped is not None and "gzip" in request.headers.get("accept-encoding", "").lower():
        return Response(answer.gzipped, media_type="application/json", headers={**headers, "Content-Encoding": "gzip"})
    return Response(answer.body, media_type="application/json", headers=headers)


# The endpoints are async and never touch the database themselves: a kept answer is returned from memory,
# and ContentAnswers runs the database work (a version check at most every few seconds, a build on a miss)
# on a thread.


@router.get(
    "/areas",
    response_model=list[AreaOut],
    operation_id="list_areas",
    responses={**NOT_MODIFIED, **error_responses()},
    openapi_extra=REVALIDATE,
)
async def list_areas(request: Request, lang: LangQuery = "vi") -> Response:
    answer = await _answers(request).get(("areas", lang), lambda session: service.list_areas(session, lang=lang), AREAS)
    return _respond(request, answer)


@router.get(
    "/modules",
    response_model=list[ModuleSummary],
    operation_id="list_modules",
    responses={**NOT_MODIFIED, **error_responses(404)},
    openapi_extra=REVALIDATE,
)
async def list_modules(
    request: Request,
    lang: LangQuery = "vi",
    area: Annotated[str | None, Query(max_length=64, description="Only modules of this area")] = None,
) -> Response:
    answer = await _answers(request).get(
        ("modules", lang, area), lambda session: service.list_modules(session, lang=lang, area=area), SUMMARIES
    )
    return _respond(request, answer)


@router.get(
    "/modules/{slug}",
    response_model=ModuleDetail,
    operation_id="get_module",
    responses={**NOT_MODIFIED, **error_responses(404)},
    openapi_extra=REVALIDATE,
)
async def get_module(
    slug: str,
    request: Request,
    lang: LangQuery = "vi",
    version: Annotated[int | None, Query(ge=1, le=1_000_000, description="A specific version; default the current one")] = None,
) -> Response:
    """A module's lessons and quiz, without the answer key."""

    def build(session) -> dict:
        return service.module_for_learner(session, service.get_module_version(session, slug, version=version), lang=lang)

    return _respond(request, await _answers(request).get(("module", slug, lang, version), build, DETAIL))


@router.get("/search", response_model=list[SearchHit], operation_id="search_modules", responses=error_responses())
async def search_modules(
    request: Request,
    q: Annotated[str, Query(min_length=2, max_length=100, description="Words to find; accents and case do not matter")],
    lang: LangQuery = "vi",
) -> list[dict]:
    """Modules whose title, summary or lessons hold every word of q (at the start of a word), best first."""
    answer = await _answers(request).get(
        ("search", lang), lambda session: searching.search_documents(session, lang=lang), SEARCH_DOCS
    )
    return searching.search(searching.folded_documents(answer.etag, answer.body), q)


@router.get(
    "/modules/{slug}/images/{name}",
    operation_id="get_module_picture",
    response_class=Response,
    responses={
        200: {"content": {"image/svg+xml": {}, "image/png": {}, "image/webp": {}}},
        **NOT_MODIFIED,
        **error_responses(404),
    },
    openapi_extra=REVALIDATE,
)
async def get_module_picture(
    slug: str,
    name: str,
    request: Request,
    v: Annotated[str | None, Query(max_length=64, description="The picture's hash, as in the module's images")] = None,
) -> Response:
    """A picture a lesson shows; kept for good by browsers when asked for by its hash (the address in the module)."""
    answer = await _answers(request).get(("picture", slug, name), lambda session: service.picture(session, slug, name), PICTURE)
    found = json.loads(answer.body)
    data = _DECODED.get(answer.etag)
    if data is None:
        if len(_DECODED) > 256:
            _DECODED.clear()
        data = _DECODED[answer.etag] = base64.b64decode(found["data"])
    lasting = v == found["sha"]
    headers = {
        "ETag": f'"{found["sha"]}"',
        "Cache-Control": "public, max-age=31536000, immutable" if lasting else CACHE_CONTROL,
        "Content-Security-Policy": PICTURE_POLICY,
    }
    if f'"{found["sha"]}"' in (request.headers.get("if-none-match") or ""):
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=found["type"], headers=headers)
