"""Loading content/ into the database by hash, and reading modules per language."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy import text
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from hocso.content.models import Area, ContentState, Module, ModuleVersion
from hocso.content.schema import Catalogue, Problem, folder_hash, scan_catalogue
from hocso.core.db import table_of
from hocso.core.errors import NotFound

log = logging.getLogger("hocso.content")


@dataclass
class LoadReport:
    changed: bool
    added_versions: list[str]
    retired: list[str]
    problems: list[Problem]


def _lock_for_loading(session: Session) -> None:
    # Two workers starting together must not both insert the same versions.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(4242001)"))


def sync_content(session: Session, root: Path, *, force: bool = False) -> LoadReport:
    """Loads content/ if its hash changed: new module versions are added, earlier ones are kept."""
    _lock_for_loading(session)
    digest = folder_hash(root) if root.is_dir() else ""
    state = session.get(ContentState, "content_hash")
    if state is not None and state.value == digest and not force:
        return LoadReport(False, [], [], [])

    catalogue: Catalogue = scan_catalogue(root)
    for problem in catalogue.problems:
        log.warning("content problem: %s", problem)

    added: list[str] = []
    present: set[str] = set(catalogue.invalid_modules)
    for area_doc in catalogue.areas:
        area = session.get(Area, area_doc.slug) or Area(slug=area_doc.slug, title_vi="", title_en="")
        area.position = area_doc.meta.order
        area.title_vi, area.title_en = area_doc.meta.title.vi, area_doc.meta.title.en
        area.description_vi, area.description_en = area_doc.meta.description.vi, area_doc.meta.description.en
        session.add(area)
        session.flush()
        for position, doc in enumerate(area_doc.modules):
            present.add(doc.slug)
            module = session.get(Module, doc.slug) or Module(slug=doc.slug, area_slug=doc.area)
            module.area_slug, module.active, module.position = doc.area, True, position
            session.add(module)
            session.flush()
            version = session.exec(
                select(ModuleVersion).where(ModuleVersion.module_slug == doc.slug, ModuleVersion.content_hash == doc.content_hash)
            ).first()
            if version is None:
                version = ModuleVersion(
                    module_slug=doc.slug,
                    version=doc.meta.version,
                    content_hash=doc.content_hash,
                    minutes=doc.meta.minutes,
                    level=doc.meta.level,
                    audience=",".join(doc.meta.audience),
                    data=doc.to_data(),
                )
                session.add(version)
                session.flush()
                added.append(f"{doc.slug} v{doc.meta.version}")
            module.current_version_id = version.id
            session.add(module)

    retired = []
    for module in session.exec(select(Module).where(Module.active == True)):  # noqa: E712
        if module.slug not in present:
            module.active = False
            session.add(module)
            retired.append(module.slug)

    if state is None:
        state = ContentState(key="content_hash", value=digest)
    state.value = digest
    session.add(state)
    session.flush()
    return LoadReport(True, added, retired, catalogue.problems)


# --- Reading ------------------------------------------------------------------------------------------------

# A module version's text never changes after it is loaded, and content_hash names it exactly, so the parsed
# text is kept per process instead of being read and parsed from JSON on every request.
_TEXT_BY_HASH: dict[str, dict[str, Any]] = {}
_WITHOUT_TEXT = defer(ModuleVersion.data)  # type: ignore[arg-type]  # SQLModel types the column as its value


@dataclass(frozen=True)
class ModuleRef:
    """An active module with one of its versions, without the text: what listing, reading and grading start from."""

    slug: str
    area_slug: str
    version_id: int
    version: int
    content_hash: str
    minutes: int
    level: str
    audience: str


# Read with Core rather than as ORM entities: a quiz attempt starts here, and building two entities cost more
# than the query.
_MODULES, _VERSIONS = table_of(Module), table_of(ModuleVersion)
_REF = sa_select(
    _MODULES.c.slug,
    _MODULES.c.area_slug,
    _VERSIONS.c.id,
    _VERSIONS.c.version,
    _VERSIONS.c.content_hash,
    _VERSIONS.c.minutes,
    _VERSIONS.c.level,
    _VERSIONS.c.audience,
).where(_MODULES.c.active == True)  # noqa: E712
_CURRENT = _REF.join_from(_MODULES, _VERSIONS, _VERSIONS.c.id == _MODULES.c.current_version_id)


def version_text(session: Session, version_id: int, content_hash: str) -> dict[str, Any]:
    """Returns a module version's full text (lessons, quiz with answer key), parsed once per process."""
    data = _TEXT_BY_HASH.get(content_hash)
    if data is None:
        data = session.exec(select(col(ModuleVersion.data)).where(ModuleVersion.id == version_id)).one()
        if len(_TEXT_BY_HASH) > 5000:
            _TEXT_BY_HASH.clear()
        _TEXT_BY_HASH[content_hash] = data
    return data


def versions_of(session: Session, slug: str) -> list[ModuleVersion]:
    """Every loaded version of a module, oldest first, without their text."""
    return list(
        session.exec(
            select(ModuleVersion).options(_WITHOUT_TEXT).where(ModuleVersion.module_slug == slug).order_by(col(ModuleVersion.id))
        ).all()
    )


def list_areas(session: Session, *, lang: str) -> list[dict[str, str]]:
    """Lists areas in their order, in one language."""
    areas = session.exec(select(Area).order_by(col(Area.position), col(Area.slug))).all()
    return [
        {"slug": a.slug, "title": getattr(a, f"title_{lang}"), "description": getattr(a, f"description_{lang}")} for a in areas
    ]


def _summary(session: Session, ref: ModuleRef, lang: str) -> dict[str, Any]:
    data = version_text(session, ref.version_id, ref.content_hash)
    return {
        "slug": ref.slug,
        "area": ref.area_slug,
        "title": data["title"][lang],
        "summary": data["summary"][lang],
        "minutes": ref.minutes,
        "level": ref.level,
        "audience": ref.audience.split(","),
        "version": ref.version,
        "lessons_count": len(data["lessons"]),
        "questions_count": len(data["quiz"]["questions"]),
    }


def list_modules(session: Session, *, lang: str, area: str | None = None) -> list[dict[str, Any]]:
    """Lists active modules (optionally of one area) with their current version's summary."""
    stmt = _CURRENT.join(Area, col(Area.slug) == _MODULES.c.area_slug).order_by(
        col(Area.position), _MODULES.c.position, _MODULES.c.slug
    )
    if area is not None:
        if session.get(Area, area) is None:
            raise NotFound(f"There is no area '{area}'.", f"Không có lĩnh vực '{area}'.")
        stmt = stmt.where(_MODULES.c.area_slug == area)
    return [_summary(session, ModuleRef(*row), lang) for row in session.execute(stmt)]


def get_module_version(session: Session, slug: str, *, version: int | None = None) -> ModuleRef:
    """Returns an active module with its current version (or the latest load of a given version number)."""
    if version is None:  # the common case
        found = session.execute(_CURRENT.where(_MODULES.c.slug == slug)).first()
        if found is None:
            raise NotFound(f"There is no module '{slug}'.", f"Không có học phần '{slug}'.")
        return ModuleRef(*found)
    # One query tells "no such module" (no row) from "no such version" (a row without a version).
    found = session.execute(
        _REF.join_from(
            _MODULES,
            _VERSIONS,
            (_VERSIONS.c.module_slug == _MODULES.c.slug) & (_VERSIONS.c.version == version),
            isouter=True,
        )
        .where(_MODULES.c.slug == slug, _MODULES.c.current_version_id.is_not(None))
        .order_by(_VERSIONS.c.id.desc())
        .limit(1)
    ).first()
    if found is None:
        raise NotFound(f"There is no module '{slug}'.", f"Không có học phần '{slug}'.")
    if found.id is None:
        raise NotFound(f"Module '{slug}' has no version {version}.", f"Học phần '{slug}' không có phiên bản {version}.")
    return ModuleRef(*found)


def picture(session: Session, slug: str, name: str) -> dict[str, Any]:
    """A picture of a module's current version: {type, sha, data (base64)}; NotFound if it has none by that name."""
    ref = get_module_version(session, slug)
    image = version_text(session, ref.version_id, ref.content_hash).get("images", {}).get(f"images/{name}")
    if image is None:
        raise NotFound(f"Module '{slug}' has no picture '{name}'.", f"Học phần '{slug}' không có hình '{name}'.")
    return {"type": image["type"], "sha": image["sha"], "data": image["data"]}


def draw_count(quiz: dict[str, Any]) -> int:
    """Returns how many questions one attempt shows (versions without a draw show them all)."""
    return quiz.get("draw") or len(quiz["questions"])


def module_for_learner(session: Session, ref: ModuleRef, *, lang: str) -> dict[str, Any]:
    """Shapes a module for reading: lessons and questions in one language, with no answer key."""
    data = version_text(session, ref.version_id, ref.content_hash)
    out = _summary(session, ref, lang)
    out.update(
        {
            "facts_as_of": data["facts_as_of"],
            "sources": data["sources"],
            "lessons": [
                {"id": lesson["id"], "title": lesson["title"][lang], "body": lesson["body"][lang]} for lesson in data["lessons"]
            ],
            # The address carries the file's hash, so a phone may keep it for good: a changed picture has a new one.
            "images": {
                name: {
                    "url": f"/api/v1/modules/{ref.slug}/{name}?v={image['sha']}",
                    "width": image["width"],
                    "height": image["height"],
                }
                for name, image in data.get("images", {}).items()
            },
            "quiz": {
                "pass_score": data["quiz"]["pass_score"],
                "draw": draw_count(data["quiz"]),
                "questions": [
                    {
                        "id": q["id"],
                        "prompt": q["prompt"][lang],
                        "multiple": q["multiple"],
                        "choices": [{"id": c["id"], "text": c["text"][lang]} for c in q["choices"]],
                    }
                    for q in data["quiz"]["questions"]
                ],
            },
        }
    )
    return out
