"""The domain error family, raised by services and turned into HTTP answers in one place."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pydantic_core import PydanticCustomError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, StatementError


class ErrorOut(BaseModel):
    """Every 4xx/5xx body: `detail` is a sentence a person can act on."""

    detail: str
    errors: list[dict[str, Any]] | None = None


_DESCRIPTIONS = {
    400: "Bad request",
    401: "Not signed in, or the token is expired or invalid",
    403: "Signed in but not allowed",
    404: "Unknown, or not visible to you",
    409: "Conflicts with what is already stored",
    413: "Request body too large",
    422: "Invalid input; `detail` says what to fix",
    429: "Too many attempts; see the Retry-After header",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Documents the error answers an endpoint can give, for the OpenAPI document."""
    return {code: {"model": ErrorOut, "description": _DESCRIPTIONS[code]} for code in (*codes, 422)}


class HocsoError(Exception):
    """Base of every error a service raises on purpose; status_code picks the HTTP answer."""

    status_code = 400
    # True when what the service flushed before raising must still be committed (e.g. revoking a token family).
    keep_changes = False

    def __init__(self, detail: str, vi: str | None = None, *, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.vi = vi
        self.headers = headers

    def message(self, lang: str) -> str:
        return self.vi if lang == "vi" and self.vi else self.detail


class BadRequest(HocsoError):
    status_code = 400


class NotAuthenticated(HocsoError):
    status_code = 401

    def __init__(self, detail: str = "Please sign in again.", vi: str | None = "Vui lòng đăng nhập lại."):
        super().__init__(detail, vi, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(HocsoError):
    status_code = 403


class NotFound(HocsoError):
    status_code = 404


class Conflict(HocsoError):
    status_code = 409


class Invalid(HocsoError):
    status_code = 422


class PayloadTooLarge(HocsoError):
    status_code = 413


class RateLimited(HocsoError):
    status_code = 429

    def __init__(self, detail: str, vi: str | None, retry_after: int):
        super().__init__(detail, vi, headers={"Retry-After": str(max(1, retry_after))})


def bilingual_error(en: str, vi: str) -> PydanticCustomError:
    """A validation error from a field validator whose message follows Accept-Language like the error family's."""
    # Braces would be read as the template's placeholders.
    return PydanticCustomError("value_error", en.replace("{", "(").replace("}", ")"), {"vi": vi})


def preferred_language(request: Request) -> str:
    """Picks "vi" or "en" from Accept-Language; Vietnamese unless English is asked for first."""
    header = request.headers.get("accept-language", "")
    for part in header.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("en"):
            return "en"
        if tag.startswith("vi"):
            return "vi"
    return "vi"


def _field_path(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    """Maps the error family and validation errors to `{"detail": ...}` bodies."""

    @app.exception_handler(HocsoError)
    async def _hocso_error(request: Request, exc: HocsoError):
        return JSONResponse(
            {"detail": exc.message(preferred_language(request))}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError):
        # Keep FastAPI's list for programs, and lead with one sentence a person can act on.
        errors = exc.errors()
        first = errors[0] if errors else {}
        where = _field_path(tuple(first.get("loc", ())))
        message = first.get("msg", "Invalid input")
        # A validator that knows the Vietnamese sentence passes it as ctx["vi"] (see bilingual_error).
        vi = (first.get("ctx") or {}).get("vi")
        if vi and preferred_language(request) == "vi":
            message = vi
        summary = f"{where}: {message}" if where else message
        cleaned = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")} for e in errors[:20]
        ]
        return JSONResponse({"detail": summary, "errors": cleaned}, status_code=422)

    @app.exception_handler(IntegrityError)
    async def _integrity_error(request: Request, _exc: IntegrityError):
        err = Conflict(
            "This conflicts with data saved at the same moment; please try again.",
            "Dữ liệu vừa được lưu đồng thời bởi một yêu cầu khác; vui lòng thử lại.",
        )
        return await _hocso_error(request, err)

    def _unstorable(exc: StatementError) -> bool:
        return isinstance(exc, DataError) or isinstance(exc.orig, UnicodeError)

    @app.exception_handler(StatementError)
    async def _statement_error(request: Request, exc: StatementError):
        # Text the database cannot hold (a NUL character, a lone surrogate, a number out of range) is bad
        # input that slipped past validation: refuse it as such rather than fail.
        if _unstorable(exc):
            err = Invalid(
                "The request contains characters or numbers that cannot be stored; remove control characters.",
                "Yêu cầu chứa ký tự hoặc số không lưu được; hãy bỏ các ký tự điều khiển.",
            )
            return await _hocso_error(request, err)
        raise exc

    @app.exception_handler(OperationalError)
    async def _operational_error(_request: Request, exc: OperationalError):
        if "locked" in str(exc.orig).lower():
            return JSONResponse(
                {"detail": "The server is busy; please try again in a moment."},
                status_code=503,
                headers={"Retry-After": "1"},
            )
        raise exc
