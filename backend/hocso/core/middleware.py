"""Pure ASGI middleware at the edge: request body limits counted on the bytes received, security headers."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hocso.core.errors import preferred_language_of


async def send_json(send: Send, status: int, body: dict, headers: Sequence[tuple[bytes, bytes]] = ()) -> None:
    """Sends a whole JSON answer."""
    data = json.dumps(body, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()), *headers],
        }
    )
    await send({"type": "http.response.body", "body": data})


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuses a request body over its path's limit, counting the bytes as they arrive.

    A Content-Length over the limit is refused before anything is read; a chunked body (no Content-Length) is
    cut off with 413 once it passes the limit, so memory stays flat whatever a client sends. Uploads are the
    paths given in `uploads`, each with its own limit; an upload is read only from a caller whose bearer token
    `token_ok` accepts, so nobody without a valid access token can make the server spool a file.

    The contract for upload endpoints: the token check here is a cheap gate (signature, expiry, type) ahead of
    the body; the endpoint still authenticates and authorizes the caller in full.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        uploads: Sequence[tuple[str, int]] = (),
        token_ok: Callable[[Scope, str], bool] | None = None,
    ):
        self.app = app
        self.limit = limit
        self.uploads = [(re.compile(pattern), upload_limit) for pattern, upload_limit in uploads]
        self.token_ok = token_ok

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, upload = self._limit_for(scope["path"])
        headers = dict(scope.get("headers") or [])
        vi = preferred_language_of(headers.get(b"accept-language", b"").decode("latin-1")) == "vi"
        if upload and scope["method"] == "POST" and not self._token_accepted(scope, headers):
            detail = "Vui lòng đăng nhập để tiếp tục." if vi else "Sign in to continue."
            await send_json(send, 401, {"detail": detail}, [(b"www-authenticate", b"Bearer")])
            return
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(send, limit, vi)
            return
        await self._counting(scope, receive, send, limit=limit, vi=vi)

    def _limit_for(self, path: str) -> tuple[int, bool]:
        """The body limit of a path, and whether the path is an upload."""
        for pattern, upload_limit in self.uploads:
            if pattern.match(path):
                return upload_limit, True
        return self.limit, False

    def _token_accepted(self, scope: Scope, headers: dict[bytes, bytes]) -> bool:
        """Whether the request's bearer token passes the cheap gate ahead of an upload (no gate: yes)."""
        if self.token_ok is None:
            return True
        auth = headers.get(b"authorization", b"").decode("latin-1")
        scheme, _, token = auth.partition(" ")
        return scheme.lower() == "bearer" and bool(token) and self.token_ok(scope, token.strip())

    async def _counting(self, scope: Scope, receive: Receive, send: Send, *, limit: int, vi: bool) -> None:
        """Runs the app on a body counted as it arrives, answering 413 once it passes limit."""
        received = 0
        over = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if over and not started:
                # Whatever the app made of the cut-off body (a parse error, most likely), the answer is 413.
                raise _TooLarge
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except _TooLarge:
            if started:
                raise
            await self._refuse(send, limit, vi)

    @staticmethod
    async def _refuse(send: Send, limit: int, vi: bool) -> None:
        size = f"{limit // 1_000_000} MB" if limit >= 1_000_000 else f"{limit // 1000} kB"
        detail = f"Nội dung yêu cầu lớn hơn {size}." if vi else f"The request body is larger than {size}."
        # The rest of the body is not read: close the connection rather than wait for it.
        await send_json(send, 413, {"detail": detail}, [(b"connection", b"close")])


# The PWA loads only its own scripts, styles, images, manifest and service worker, and talks only to this
# origin; nothing may frame it. Preact sets styles through the DOM (element.style), which CSP allows.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeaders:
    """Adds the browser's security headers to every answer; HSTS only when the request came over HTTPS."""

    HEADERS = [
        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # scope["scheme"] is https only for TLS here or behind a proxy uvicorn trusts (FORWARDED_ALLOW_IPS).
        extra = [*self.HEADERS, self.HSTS] if scope.get("scheme") == "https" else self.HEADERS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in extra if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)
