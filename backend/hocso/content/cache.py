"""Areas and modules as ready answers: JSON, gzip and ETag built once per content version and kept per process.

Content changes only when it is loaded (`hocso serve` at start, `hocso content load` at any time, from any
process), and each load stores the hash of the content folder in content_state. Every worker keeps its answers
for the hash it last read and reads the hash again when it is older than `recheck_seconds`: a load is seen by
every worker within that time, and in between a module read touches neither the database nor a thread.
"""

from __future__ import annotations

import gzip
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.to_thread
from pydantic import TypeAdapter
from sqlalchemy import Engine, select
from sqlmodel import Session

from hocso.content.models import ContentState, Module
from hocso.content.service import ModuleRef, get_module_version
from hocso.core.db import open_session, table_of

# Below this the gzip header costs more than it saves (the same threshold as the app's GZip middleware).
GZIP_MIN_BYTES = 1024
# Keys come from slugs, languages and versions that exist (a miss that raises is not kept); this only bounds
# what a pathological catalogue could hold.
MAX_ANSWERS = 10_000

_MODULES = table_of(Module)
_ACTIVE_SLUGS = (
    select(_MODULES.c.slug).where(_MODULES.c.active == True).order_by(_MODULES.c.area_slug, _MODULES.c.position)  # noqa: E712
)
_VERSION = select(table_of(ContentState).c.value).where(table_of(ContentState).c.key == "content_hash")


def content_version(session: Session) -> str:
    """The hash of the content folder last loaded ('' before any load)."""
    return session.execute(_VERSION).scalar() or ""


@dataclass(frozen=True)
class Answer:
    """One read's response body, its gzipped form (None when too small to be worth it) and its ETag."""

    body: bytes
    gzipped: bytes | None
    etag: str

    def matches(self, if_none_match: str | None) -> bool:
        """True when the client's If-None-Match names this answer (weak comparison, as RFC 9110 asks for GET)."""
        if not if_none_match:
            return False
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or self.etag.removeprefix("W/") in tags


def _encode(body: bytes) -> Answer:
    gzipped = gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= GZIP_MIN_BYTES else None
    # The body's own hash: a load that leaves this module and language unchanged keeps the phone's copy valid.
    return Answer(body=body, gzipped=gzipped, etag=f'W/"{hashlib.sha256(body).hexdigest()[:32]}"')


class ContentAnswers:
    """One app's answers (one per database), for the content version that database says is loaded."""

    def __init__(self, engine: Engine, *, recheck_seconds: float):
        self.engine = engine
        self.recheck_seconds = recheck_seconds
        self._version: str | None = None
        self._checked_at = float("-inf")
        self._answers: dict[tuple, Answer] = {}
        self._refs: dict[str, ModuleRef] = {}
        self._active: list[tuple[str, ...]] = []  # the active modules' slugs, once read (see active_modules)
        self._refresh = anyio.Lock()

    async def get(self, key: tuple, build: Callable[[Session], Any], adapter: TypeAdapter) -> Answer:
        """Returns the answer for key in the content version now loaded, building it on first use.

        build(session) returns the data (or raises, e.g. NotFound, which is not kept); it runs on a thread.
        """
        version = await self._current_version()
        answer = self._answers.get(key)
        if answer is not None and version == self._version:
            return answer
        return await anyio.to_thread.run_sync(self._build, key, build, adapter)

    async def _current_version(self) -> str | None:
        if time.monotonic() - self._checked_at < self.recheck_seconds:
            return self._version
        async with self._refresh:  # one read for everyone who found it stale
            if time.monotonic() - self._checked_at >= self.recheck_seconds:
                version = await anyio.to_thread.run_sync(self._read_version)
                self._adopt(version)
                self._checked_at = time.monotonic()
        return self._version

    def _read_version(self) -> str:
        with open_session(self.engine) as session:
            return content_version(session)

    def _adopt(self, version: str) -> None:
        if version != self._version:
            # The dicts are replaced before the version: a reader never pairs the new version with old answers.
            self._answers = {}
            self._refs = {}
            self._active = []
            self._version = version

    def module_ref(self, session: Session, slug: str, *, version: int | None = None) -> ModuleRef:
        """get_module_version, kept per process for the content version loaded: what grading an attempt starts from.

        Runs on the request's thread with its session. The current version of a module is kept; one asked
        for by number is read (rarer: an offline attempt on a version since replaced). A load elsewhere is seen
        within recheck_seconds, as by the module reads, which show the learner the same version meanwhile.
        """
        if version is not None:
            return get_module_version(session, slug, version=version)
        self._recheck(session)
        # Taken before the read: a load adopted meanwhile replaces this dict, so what is read now is not kept
        # under the version it replaced.
        refs = self._refs
        ref = refs.get(slug)
        if ref is None:
            ref = get_module_version(session, slug)  # an unknown or withdrawn module raises and is not kept
            if len(refs) < MAX_ANSWERS:
                refs[slug] = ref
        return ref

    def active_modules(self, session: Session) -> tuple[str, ...]:
        """The active modules' slugs in the catalogue's order, kept per process as module_ref keeps a module.

        What every /me/progress lists: read from the database once per content version instead of per request.
        """
        self._recheck(session)
        kept = self._active  # taken before the read, as in module_ref
        if not kept:
            kept[:] = [tuple(session.execute(_ACTIVE_SLUGS).scalars())]
        return kept[0]

    def _recheck(self, session: Session) -> None:
        """Reads the content version with the request's session when the one adopted is older than recheck_seconds."""
        if time.monotonic() - self._checked_at >= self.recheck_seconds:
            self._adopt(content_version(session))
            self._checked_at = time.monotonic()

    def _build(self, key: tuple, build: Callable[[Session], Any], adapter: TypeAdapter) -> Answer:
        # The version is read before the data, so an answer is never filed under a version newer than its text.
        with open_session(self.engine) as session:
            version = content_version(session)
            answer = _encode(adapter.dump_json(adapter.validate_python(build(session))))
        if version == self._version and len(self._answers) < MAX_ANSWERS:
            self._answers[key] = answer
        return answer
