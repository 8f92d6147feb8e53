"""A mail server and an SMS provider on loopback that keep what they receive, for tests that read what Hocso sends."""

from __future__ import annotations

import email
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from http.server import BaseHTTPRequestHandler, HTTPServer

from aiosmtpd.controller import Controller


class Inbox:
    """The messages the mail server received, in order."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@contextmanager
def mail_server() -> Iterator[tuple[int, Inbox]]:
    """Runs a mail server on a free loopback port; yields its port and its inbox."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


def wait_for(received: list, count: int, seconds: float = 10) -> None:
    """Waits until count messages were received (they leave after the answer), or seconds passed."""
    deadline = time.monotonic() + seconds
    while len(received) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def code_in(text: str) -> str:
    """The six-digit code a reset message carries."""
    found = re.search(r"\b(\d{6})\b", text)
    assert found, f"no six-digit code in {text!r}"
    return found.group(1)


@dataclass
class SmsRelay:
    """What the app's SMS webhook gateway posted: {"auth", "to", "text"} per message."""

    url: str
    received: list[dict] = field(default_factory=list)

    def wait_for(self, count: int) -> list[dict]:
        wait_for(self.received, count)
        return self.received

    def code_sent_to(self, phone: str) -> str:
        """The six-digit code in the newest message to this phone."""
        texts = [m["text"] for m in self.received if m["to"] == phone]
        assert texts, f"no message reached {phone}"
        return code_in(texts[-1])


@contextmanager
def sms_relay() -> Iterator[SmsRelay]:
    """Runs a stand-in SMS provider on a free loopback port (HOCSO_SMS_WEBHOOK_URL = its url)."""
    relay = SmsRelay(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            relay.received.append({"auth": self.headers.get("Authorization"), **body})
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    relay.url = f"http://127.0.0.1:{server.server_port}/send"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield relay
    finally:
        server.shutdown()
        thread.join(timeout=5)
