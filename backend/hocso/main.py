"""create_app(): the API under /api/v1, its error handlers, and the built PWA; create_served_app() for `hocso serve`."""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from sqlalchemy import Engine
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import compile_path

from hocso import __version__
from hocso.accounts.delivery import sms_gateway_from
from hocso.accounts.deps import AccountLimits
from hocso.accounts.router import router as accounts_router
from hocso.agencies.helpers_router import consent_router
from hocso.agencies.helpers_router import router as helpers_router
from hocso.agencies.me_router import router as notices_router
from hocso.agencies.router import router as agencies_router
from hocso.certificates.router import public_router as certificates_public_router
from hocso.certificates.router import router as certificates_router
from hocso.content.cache import ContentAnswers
from hocso.content.router import router as content_router
from hocso.core import security
from hocso.core.config import Settings, get_settings
from hocso.core.db import gate_for, make_engine
from hocso.core.errors import error_responses, install_error_handlers
from hocso.core.jobs import JobRunner
from hocso.core.logging import RequestLogMiddleware, configure_logging
from hocso.core.middleware import BodyLimit, SecurityHeaders
from hocso.core.ratelimit import SlidingWindowLimiter
from hocso.core.security import access_token_valid
from hocso.flows.router import router as flows_router
from hocso.learning.router import router as learning_router
from hocso.privacy.router import router as privacy_router
from hocso.staff.router import MAX_IMPORT_BYTES, invitations_router
from hocso.staff.router import router as staff_router
from hocso.staff.slips_router import router as slips_router
from hocso.stats.router import router as stats_router

API_PREFIX = "/api/v1"
MAX_BODY_BYTES = 1_000_000

health_router = APIRouter(tags=["health"])


@health_router.get("/health", operation_id="health", responses=error_responses())
async def health(request: Request) -> dict[str, str]:
    """Answers ok when the database answers, within seconds even when every request's turn is taken."""
    await request.app.state.db_gate.ping()
    return {"status": "ok"}


def _api_miss(app: FastAPI, path: str) -> Response:
    """Answers a GET on an API path that has no GET: 405 with Allow if other methods exist, else 404."""
    allowed = sorted(
        method.upper()
        for template, operations in app.openapi()["paths"].items()
        if compile_path(template)[0].match(path)
        for method in operations
    )
    if allowed:
        return JSONResponse(
            {"detail": f"Use {' or '.join(allowed)} here."}, status_code=405, headers={"Allow": ", ".join(allowed)}
        )
    return JSONResponse({"detail": "There is no such API endpoint."}, status_code=404)


# Files a build makes: addresses ending like these are files, never pages of the app.
_STATIC_SUFFIXES = tuple(".js .mjs .css .map .json .webmanifest .png .svg .ico .jpg .webp .woff .woff2 .txt .xml".split())


def _is_static_file(path: str) -> bool:
    """Whether `path` names a built file (under assets/ or by its suffix) rather than an app route."""
    return path.startswith(("assets/", "icons/")) or path.lower().endswith(_STATIC_SUFFIXES)


def _install_frontend(app: FastAPI, dist: Path) -> None:
    """Serves the built PWA: hashed assets cached for a year, the shell and service worker revalidated."""
    root = dist.resolve()

    # The app is the request's, not this closure's: FastAPI caches what it learns of an endpoint by the function,
    # so a function holding its app would keep every app a process ever built (the tests build hundreds).
    @app.get("/{path:path}", include_in_schema=False)
    def frontend(path: str, request: Request) -> Response:
        if path.startswith("api/"):
            return _api_miss(request.app, "/" + path)
        candidate = (root / path).resolve()
        if path and candidate.is_file() and root in candidate.parents:
            immutable = candidate.parent.name == "assets"
            headers = {"Cache-Control": "public, max-age=31536000, immutable" if immutable else "no-cache"}
            if candidate.name.endswith(".webmanifest"):
                return FileResponse(candidate, headers=headers, media_type="application/manifest+json")
            return FileResponse(candidate, headers=headers)
        if _is_static_file(path):
            # A missing script or picture answered with the shell would load as garbage (an open tab asking for
            # the chunk of the previous build would wait forever); a 404 lets the app notice and reload.
            return PlainTextResponse("Not found", status_code=404, headers={"Cache-Control": "no-store"})
        index = root / "index.html"
        if not index.is_file():
            return JSONResponse({"detail": "The app is not built; run the README's first command."}, status_code=404)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})


@asynccontextmanager
async def _run_jobs(app: FastAPI) -> AsyncIterator[None]:
    """Runs the process's job runner (large imports) while the app serves."""
    runner = None
    if app.state.settings.run_jobs:
        runner = JobRunner(app.state.engine, app.state.settings)
        runner.start()
    app.state.job_runner = runner
    try:
        yield
    finally:
        if runner is not None:
            runner.stop()


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(os.environ.get("HOCSO_LOG_LEVEL", "INFO"))
    app = FastAPI(
        lifespan=_run_jobs,
        title="Hocso API",
        version=__version__,
        description="Digital-skills learning for Vietnam's citizens and civil servants.",
        openapi_url="/openapi.json",
        # The OpenAPI document stays public (API.md); the browsable page is for development.
        docs_url=None if settings.environment == "production" else "/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine or make_engine(
        settings.sqlalchemy_url, connections=settings.db_connections, wait_seconds=settings.db_wait_seconds
    )
    app.state.db_gate = gate_for(app.state.engine, connections=settings.db_connections, wait_seconds=settings.db_wait_seconds)
    app.state.limits = AccountLimits.from_settings(app.state.engine, settings)
    app.state.sms_gateway = sms_gateway_from(settings)
    app.state.verify_limiter = SlidingWindowLimiter(settings.verify_requests_per_minute, 60)
    app.state.content_answers = ContentAnswers(app.state.engine, recheck_seconds=settings.content_recheck_seconds)
    settings.signing_key()  # create and keep the secret now, not during the first request
    security.issuer_jwks(settings)  # and the credential-signing key

    install_error_handlers(app)
    app.add_middleware(
        BodyLimit,
        limit=MAX_BODY_BYTES,
        uploads=[(rf"^{API_PREFIX}/agencies/[^/]+/members/import$", MAX_IMPORT_BYTES + 10_000)],
        token_ok=lambda _scope, token: access_token_valid(settings, token),
    )
    # Phones on slow mobile data: module JSON and the app's scripts shrink to about a third.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestLogMiddleware)
    # A request is matched against the routers in this order, so the busiest come first: a learner's progress
    # and the modules, then the rest (no two routers answer the same method and path, so order changes nothing
    # else).
    for router in (
        health_router,
        learning_router,
        flows_router,
        content_router,
        accounts_router,
        privacy_router,
        agencies_router,
        certificates_router,
        staff_router,
        slips_router,
        stats_router,
        notices_router,
        invitations_router,
        helpers_router,
        consent_router,
    ):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(certificates_public_router)
    _install_frontend(app, settings.frontend_dir)
    return app


def create_served_app() -> FastAPI:
    """The app `hocso serve` runs in each worker: create_app(), with the heap it starts with frozen.

    What exists once the app is built (routes, schemas, content, SQLAlchemy's metadata) lives as long as the
    process. gc.freeze() takes it out of the collector's view, so a full collection walks only what requests
    made since: under load those passes cost a serving worker 5-8 % of its CPU and 0.1-0.2 s pauses that showed
    as p99 latency (bench/README.md, "Fifth pass"). Only here, not in create_app: a process that builds many
    apps (the tests) would keep every one of them.
    """
    app = create_app()
    gc.collect()
    gc.freeze()
    return app
