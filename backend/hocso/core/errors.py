"""The domain error family, raised by services and turned into HTTP answers in one place."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pydantic_core import PydanticCustomError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, StatementError
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger("hocso.errors")


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
    503: "Busy or unable to store right now; nothing was saved, send again after Retry-After seconds",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Documents the error answers an endpoint can give, for the OpenAPI document."""
    return {code: {"model": ErrorOut, "description": _DESCRIPTIONS[code]} for code in (*codes, 422, 503)}


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


class ServiceUnavailable(HocsoError):
    status_code = 503

    def __init__(self, detail: str, vi: str | None, retry_after: int):
        super().__init__(detail, vi, headers={"Retry-After": str(max(1, retry_after))})


class DatabaseBusy(ServiceUnavailable):
    """The database is saturated or locked: nothing was stored, and the same request may be sent again."""

    def __init__(self) -> None:
        super().__init__(
            "The server is busy; nothing was saved. Please try again in a moment.",
            "Máy chủ đang bận, chưa lưu gì. Vui lòng thử lại sau giây lát.",
            retry_after=2,
        )


class StorageFull(ServiceUnavailable):
    """The database cannot grow (disk full, file read-only): nothing was stored."""

    def __init__(self) -> None:
        super().__init__(
            "The server cannot store anything right now; nothing was saved. Please try again later.",
            "Máy chủ tạm thời không lưu được dữ liệu, chưa lưu gì. Vui lòng thử lại sau.",
            retry_after=60,
        )


def preferred_language(request: Request) -> str:
    """Picks "vi" or "en" from Accept-Language; Vietnamese unless English is asked for first."""
    return preferred_language_of(request.headers.get("accept-language", ""))


def preferred_language_of(header: str) -> str:
    """Picks "vi" or "en" from an Accept-Language value."""
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


# What a person calls each field, for messages that name it: (English, Vietnamese).
FIELD_NAMES = {
    "phone": ("phone number", "số điện thoại"),
    "email": ("email address", "địa chỉ email"),
    "password": ("password", "mật khẩu"),
    "new_password": ("new password", "mật khẩu mới"),
    "current_password": ("current password", "mật khẩu hiện tại"),
    "full_name": ("full name", "họ và tên"),
    "identifier": ("email or phone number", "email hoặc số điện thoại"),
    "username": ("email or phone number", "email hoặc số điện thoại"),
    "code": ("activation code", "mã kích hoạt"),
    "token": ("code", "mã"),
    "refresh_token": ("sign-in token", "mã đăng nhập"),
    "due_date": ("due date", "hạn hoàn thành"),
    "module": ("module", "học phần"),
    "lesson": ("lesson", "bài"),
    "area": ("topic", "chủ đề"),
    "answers": ("answers", "câu trả lời"),
    "event_id": ("event id", "mã sự kiện"),
    "events": ("events", "sự kiện"),
    "type": ("type", "loại"),
    "occurred_at": ("time", "thời điểm"),
    "version": ("version", "phiên bản"),
    "lang": ("language", "ngôn ngữ"),
    "year": ("year", "năm"),
    "file": ("file", "tệp"),
    "delimiter": ("separator", "dấu phân cách"),
    "limit": ("number of rows", "số dòng"),
    "before": ("position", "vị trí"),
    "name": ("name", "tên"),
    "parent_code": ("parent unit", "đơn vị cấp trên"),
    "agency_code": ("agency code", "mã cơ quan"),
    "agency": ("agency", "cơ quan"),
    "role": ("role", "vai trò"),
    "roles": ("roles", "vai trò"),
}

# The Vietnamese of what the schemas' own validators say (ValueError text), by their English text.
VALUE_ERRORS_VI = {
    "enter a phone number such as 0912345678 or +84912345678": "hãy nhập số điện thoại, ví dụ 0912345678 hoặc +84912345678",
    "enter your full name": "hãy nhập họ và tên",
    "the full name contains control characters; type it again": "họ và tên có ký tự điều khiển; hãy gõ lại",
    "choose a password with more different characters": "hãy chọn mật khẩu có nhiều ký tự khác nhau hơn",
    "give an email address or a phone number": "hãy nhập địa chỉ email hoặc số điện thoại",
    "give the time as ISO 8601 text with an offset, e.g. 2026-05-01T10:00:00+07:00": "hãy ghi thời điểm theo ISO 8601 có múi giờ, ví dụ 2026-05-01T10:00:00+07:00",  # noqa: E501
    "a moment needs a UTC offset": "thời điểm cần có múi giờ",
}

# Pydantic's error types, said in Vietnamese; {field} is the field's Vietnamese name, others come from ctx.
_TYPES_VI = {
    "missing": "Thiếu {field}.",
    "extra_forbidden": "Không nhận trường “{raw}”; hãy bỏ nó đi.",
    "string_too_short": "{field} cần ít nhất {min_length} ký tự.",
    "string_too_long": "{field} dài quá {max_length} ký tự.",
    "too_short": "{field} cần ít nhất {min_length} mục.",
    "too_long": "{field} có quá {max_length} mục.",
    "string_type": "{field} phải là chữ.",
    "string_pattern_mismatch": "{field} chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang.",
    "int_parsing": "{field} phải là một số nguyên.",
    "int_type": "{field} phải là một số nguyên.",
    "int_from_float": "{field} phải là một số nguyên.",
    "greater_than_equal": "{field} phải từ {ge} trở lên.",
    "greater_than": "{field} phải lớn hơn {gt}.",
    "less_than_equal": "{field} phải từ {le} trở xuống.",
    "less_than": "{field} phải nhỏ hơn {lt}.",
    "literal_error": "{field} phải là một trong: {expected}.",
    "enum": "{field} phải là một trong: {expected}.",
    "date_parsing": "{field}: hãy nhập ngày dạng năm-tháng-ngày, ví dụ 2026-12-31.",
    "date_from_datetime_parsing": "{field}: hãy nhập ngày dạng năm-tháng-ngày, ví dụ 2026-12-31.",
    "date_from_datetime_inexact": "{field}: hãy nhập ngày dạng năm-tháng-ngày, ví dụ 2026-12-31.",
    "date_type": "{field}: hãy nhập ngày dạng năm-tháng-ngày, ví dụ 2026-12-31.",
    "datetime_parsing": "{field}: hãy ghi thời điểm theo ISO 8601 có múi giờ, ví dụ 2026-05-01T10:00:00+07:00.",
    "datetime_from_date_parsing": "{field}: hãy ghi thời điểm theo ISO 8601 có múi giờ, ví dụ 2026-05-01T10:00:00+07:00.",
    "datetime_type": "{field}: hãy ghi thời điểm theo ISO 8601 có múi giờ, ví dụ 2026-05-01T10:00:00+07:00.",
    "timezone_aware": "{field} cần có múi giờ, ví dụ +07:00.",
    "uuid_parsing": "{field} không đúng dạng UUID.",
    "uuid_type": "{field} không đúng dạng UUID.",
    "dict_type": "{field} phải là một đối tượng JSON.",
    "list_type": "{field} phải là một danh sách.",
    "bool_parsing": "{field} phải là đúng hoặc sai (true/false).",
    "json_invalid": "Dữ liệu gửi lên không phải JSON hợp lệ.",
    "model_attributes_type": "Dữ liệu gửi lên phải là một đối tượng JSON.",
}


def _field_key(loc: tuple) -> str:
    """The last named part of a location (list indexes skipped): the field a person typed into."""
    names = [str(p) for p in loc if isinstance(p, str) and p not in ("body", "query", "path", "header", "form")]
    return names[-1] if names else ""


def _vi_field_name(loc: tuple) -> str:
    """The field in Vietnamese; a key inside a known field (answers.q1) is named after that field."""
    names = [str(p) for p in loc if isinstance(p, str) and p not in ("body", "query", "path", "header", "form")]
    if not names:
        return "Dữ liệu"
    if names[-1] in FIELD_NAMES:
        return FIELD_NAMES[names[-1]][1]
    parent = next((FIELD_NAMES[n][1] for n in reversed(names[:-1]) if n in FIELD_NAMES), "trường")
    return f"{parent} “{names[-1]}”"


def _validator_text(error: dict[str, Any]) -> str | None:
    """What a schema's own validator said (a ValueError), without pydantic's "Value error, " in front."""
    raised = (error.get("ctx") or {}).get("error")
    return str(raised) if isinstance(raised, ValueError) else None


def validation_message(error: dict[str, Any], lang: str) -> str:
    """One validation error as a sentence in `lang` that names the field a person can fix."""
    loc = tuple(error.get("loc", ()))
    key = _field_key(loc)
    own = _validator_text(error)
    if lang != "vi":
        where = _field_path(loc)
        message = own if own is not None else error.get("msg", "Invalid input")
        return f"{where}: {message}" if where else message
    field = _vi_field_name(loc)
    # A validator that knows the Vietnamese sentence passes it as ctx["vi"] (bilingual_error) or on the ValueError.
    ctx_vi = (error.get("ctx") or {}).get("vi")
    if own is not None or ctx_vi:
        vi = ctx_vi or getattr(error["ctx"]["error"], "vi", None) or (VALUE_ERRORS_VI.get(own) if own else None)
        if vi:
            return f"{field[:1].upper()}{field[1:]}: {vi}." if key else f"{vi[:1].upper()}{vi[1:]}."
    template = _TYPES_VI.get(error.get("type", ""))
    if template:
        ctx = {k: v for k, v in (error.get("ctx") or {}).items() if isinstance(v, str | int | float)}
        if "expected" in ctx:
            ctx["expected"] = str(ctx["expected"]).replace(" or ", " hoặc ")
        try:
            text = template.format(field=field, raw=key, **ctx)
            return text[:1].upper() + text[1:]
        except (KeyError, IndexError):
            pass
    return f"{field[:1].upper()}{field[1:]} không hợp lệ; hãy kiểm tra lại."


# Why an imported row was refused, in Vietnamese: reasons are kept in English (a job's stored result is read
# later, by people asking in either language) and said in the reader's language when answered.
_REASONS_VI = [
    (r"(\d+) values but the header has (\d+) columns", "dòng có {0} giá trị nhưng dòng đầu có {1} cột"),
    (r"full_name is empty", "thiếu họ và tên"),
    (r"full_name is longer than (\d+) characters", "họ và tên dài quá {0} ký tự"),
    (r"full_name contains control characters", "họ và tên có ký tự điều khiển"),
    (r"(\w+) is longer than (\d+) characters", "{0} dài quá {1} ký tự"),
    (r"'(.*)' is not a valid email address", "“{0}” không phải địa chỉ email hợp lệ"),
    (r"'(.*)' is not a phone number \(e\.g\. 0912345678\)", "“{0}” không phải số điện thoại (ví dụ 0912345678)"),
    (r"give an email or a phone number", "cần email hoặc số điện thoại"),
    (r"(.+) is already on row (\d+)", "“{0}” đã có ở dòng {1}"),
    (r"agency (.+) is not in the subtree of (.+)", "cơ quan {0} không thuộc {1}"),
    (r"the email and the phone belong to two different accounts", "email và số điện thoại thuộc hai tài khoản khác nhau"),
    (
        r"this email and this phone cannot be used together; check them or give only one",
        "email và số điện thoại này không dùng cùng nhau được; hãy kiểm tra lại hoặc chỉ ghi một",
    ),
    (
        r"this person belongs to an agency outside your subtree; ask that agency to release them",
        "người này thuộc một cơ quan ngoài phạm vi của bạn; hãy đề nghị cơ quan đó chuyển họ",
    ),
    (
        r"this person was imported with another email or phone; an import does not add or change them",
        "người này đã được nhập với email hoặc số điện thoại khác; lần nhập không thêm hay đổi chúng",
    ),
    (r"more than (\d+) rows; split the file", "quá {0} dòng; hãy chia nhỏ tệp"),
    (r"a value is longer than ([\d,]+) characters", "có giá trị dài quá {0} ký tự"),
    (r"the row cannot be read: (.*)", "không đọc được dòng này (kiểm tra dấu ngoặc kép)"),
]


def import_reason(reason: str, lang: str) -> str:
    """A refused import row's reason in `lang`; codes a program reads (such as "invited") stay as they are."""
    if lang != "vi":
        return reason
    for pattern, vi in _REASONS_VI:
        found = re.fullmatch(pattern, reason)
        if found:
            return vi.format(*found.groups())
    return reason


def install_error_handlers(app: FastAPI) -> None:
    """Maps the error family and validation errors to `{"detail": ...}` bodies."""

    @app.exception_handler(HocsoError)
    async def _hocso_error(request: Request, exc: HocsoError):
        return JSONResponse(
            {"detail": exc.message(preferred_language(request))}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError):
        # Keep FastAPI's list for programs, and lead with one sentence a person can act on, in their language.
        errors = exc.errors()
        lang = preferred_language(request)
        summary = (
            validation_message(errors[0], lang) if errors else ("Invalid input" if lang == "en" else "Dữ liệu không hợp lệ.")
        )
        cleaned = [{"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")} for e in errors[:20]]
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
    async def _operational_error(request: Request, exc: OperationalError):
        # The database could not do it now (locked past the wait, disk full, connection lost, a
        # serialization or deadlock victim): the transaction was rolled back, so sending again is safe.
        reason = str(exc.orig).lower()
        full = any(s in reason for s in ("disk is full", "disk full", "readonly", "read-only", "no space"))
        log.warning("database unavailable: %s", reason.splitlines()[0] if reason else type(exc.orig).__name__)
        return await _hocso_error(request, StorageFull() if full else DatabaseBusy())

    @app.exception_handler(PoolTimeout)
    async def _pool_timeout(request: Request, _exc: PoolTimeout):
        return await _hocso_error(request, DatabaseBusy())
