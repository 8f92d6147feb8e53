"""Loading content/ into the database by hash, and reading modules per language."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import defer
from sqlmodel import Session, select

from hocso.content.models import Area, ContentState, Module, ModuleVersion
from hocso.content.schema import Catalogue, Problem, folder_hash, scan_catalogue
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
                select(ModuleVersion).where(
                    ModuleVersion.module_slug == doc.slug, ModuleVersion.content_hash == doc.content_hash
                )
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
_WITHOUT_TEXT = defer(ModuleVersion.data)


def version_text(session: Session, version: ModuleVersion) -> dict[str, Any]:
    """Returns a module version's full text (lessons, quiz with answer key), parsed once per process."""
    data = _TEXT_BY_HASH.get(version.content_hash)
    if data is None:
        data = session.exec(select(ModuleVersion.data).where(ModuleVersion.id == version.id)).one()
        if len(_TEXT_BY_HASH) > 5000:
            _TEXT_BY_HASH.clear()
        _TEXT_BY_HASH[version.content_hash] = data
    return data


def versions_of(session: Session, slug: str) -> list[ModuleVersion]:
    """Every loaded version of a module, oldest first, without their text."""
    return list(
        session.exec(
            select(ModuleVersion).options(_WITHOUT_TEXT).where(ModuleVersion.module_slug == slug).order_by(ModuleVersion.id)
        ).all()
    )


def list_areas(session: Session, *, lang: str) -> list[dict[str, str]]:
    """Lists areas in their order, in one language."""
    areas = session.exec(select(Area).order_by(Area.position, Area.slug)).all()
    return [
        {"slug": a.slug, "title": getattr(a, f"title_{lang}"), "description": getattr(a, f"description_{lang}")}
        for a in areas
    ]


def _summary(session: Session, module: Module, version: ModuleVersion, lang: str) -> dict[str, Any]:
    data = version_text(session, version)
    return {
        "slug": module.slug,
        "area": module.area_slug,
        "title": data["title"][lang],
        "summary": data["summary"][lang],
        "minutes": version.minutes,
        "level": version.level,
        "audience": version.audience.split(","),
        "version": version.version,
        "lessons_count": len(data["lessons"]),
        "questions_count": len(data["quiz"]["questions"]),
    }


def list_modules(session: Session, *, lang: str, area: str | None = None) -> list[dict[str, Any]]:
    """Lists active modules (optionally of one area) with their current version's summary."""
    stmt = (
        select(Module, ModuleVersion)
        .options(_WITHOUT_TEXT)
        .join(ModuleVersion, ModuleVersion.id == Module.current_version_id)
        .join(Area, Area.slug == Module.area_slug)
        .where(Module.active == True)  # noqa: E712
        .order_by(Area.position, Module.position, Module.slug)
    )
    if area is not None:
        if session.get(Area, area) is None:
            raise NotFound(f"There is no area '{area}'.", f"Không có lĩnh vực '{area}'.")
        stmt = stmt.where(Module.area_slug == area)
    return [_summary(session, m, v, lang) for m, v in session.exec(stmt).all()]


def get_module_version(session: Session, slug: str, *, version: int | None = None) -> tuple[Module, ModuleVersion]:
    """Returns an active module and its current version (or the latest load of a given version number)."""
    if version is None:  # the common case, in one query
        found = session.exec(
            select(Module, ModuleVersion)
            .options(_WITHOUT_TEXT)
            .join(ModuleVersion, ModuleVersion.id == Module.current_version_id)
            .where(Module.slug == slug, Module.active == True)  # noqa: E712
        ).first()
        if found is None:
            raise NotFound(f"There is no module '{slug}'.", f"Không có học phần '{slug}'.")
        return found[0], found[1]
    module = session.get(Module, slug)
    if module is None or not module.active or module.current_version_id is None:
        raise NotFound(f"There is no module '{slug}'.", f"Không có học phần '{slug}'.")
    found = session.exec(
        select(ModuleVersion)
        .options(_WITHOUT_TEXT)
        .where(ModuleVersion.module_slug == slug, ModuleVersion.version == version)
        .order_by(ModuleVersion.id.desc())
    ).first()
    if found is None:
        raise NotFound(
            f"Module '{slug}' has no version {version}.", f"Học phần '{slug}' không có phiên bản {version}."
        )
    return module, found


def module_for_learner(session: Session, module: Module, version: ModuleVersion, *, lang: str) -> dict[str, Any]:
    """Shapes a module for reading: lessons and questions in one language, with no answer key."""
    data = version_text(session, version)
    out = _summary(session, module, version, lang)
    out.update(
        {
            "facts_as_of": data["facts_as_of"],
            "sources": data["sources"],
            "lessons": [{"id": l["id"], "title": l["title"][lang], "body": l["body"][lang]} for l in data["lessons"]],
            "quiz": {
                "pass_score": data["quiz"]["pass_score"],
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
