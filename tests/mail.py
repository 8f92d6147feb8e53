"""A mail server on loopback that keeps what it receives, for tests that read what Hocso sends."""

from __future__ import annotations

import email
import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy

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
