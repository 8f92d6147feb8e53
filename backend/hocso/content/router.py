"""HTTP endpoints for areas and modules, per language."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from hocso.content import service
from hocso.content.schemas import AreaOut, ModuleDetail, ModuleSummary
from hocso.core.db import SessionDep
from hocso.core.errors import error_responses

router = APIRouter(tags=["content"])

LangQuery = Annotated[Literal["vi", "en"], Query(description="Language of the text: vi (default) or en")]


@router.get("/areas", response_model=list[AreaOut], operation_id="list_areas", responses=error_responses())
def list_areas(session: SessionDep, lang: LangQuery = "vi") -> list[dict]:
    return service.list_areas(session, lang=lang)


@router.get("/modules", response_model=list[ModuleSummary], operation_id="list_modules", responses=error_responses(404))
def list_modules(
    session: SessionDep,
    lang: LangQuery = "vi",
    area: Annotated[str | None, Query(max_length=64, description="Only modules of this area")] = None,
) -> list[dict]:
    return service.list_modules(session, lang=lang, area=area)


@router.get("/modules/{slug}", response_model=ModuleDetail, operation_id="get_module", responses=error_responses(404))
def get_module(
    slug: str,
    session: SessionDep,
    lang: LangQuery = "vi",
    version: Annotated[int | None, Query(ge=1, le=1_000_000, description="A specific version; default the current one")] = None,
) -> dict:
    """A module's lessons and quiz, without the answer key."""
    return service.module_for_learner(session, service.get_module_version(session, slug, version=version), lang=lang)
