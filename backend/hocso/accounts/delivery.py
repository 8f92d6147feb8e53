"""Sending one-time codes to people: email over SMTP, SMS through a pluggable gateway."""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Literal, Protocol

from hocso.core.config import Settings

log = logging.getLogger("hocso.delivery")


@dataclass(frozen=True)
class Outgoing:
    """A message for one person, made inside a request and sent after it has committed."""

    channel: Literal["email", "sms"]
    to: str
    subject: str
    text: str


class SmsGateway(Protocol):
    """Whatever sends a text message; raise on failure."""

    def send(self, *, to: str, text: str) -> None: ...


class NoSms:
    """The default: SMS is not configured, so nothing is sent (and neither the number nor the text is logged)."""

    enabled = False

    def send(self, *, to: str, text: str) -> None:
        log.info("an SMS was not sent: no SMS gateway is configured (HOCSO_SMS_WEBHOOK_URL)")


class WebhookSms:
    """Posts {"to", "text"} as JSON to an HTTP endpoint (an SMS provider's API or a relay in front of one)."""

    enabled = True

    def __init__(self, url: str, token: str | None = None, timeout: float = 10):
        self.url = url
        self.token = token
        self.timeout = timeout

    def send(self, *, to: str, text: str) -> None:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        body = json.dumps({"to": to, "text": text}).encode()
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310 - the operator's URL
            if answer.status >= 300:
                raise OSError(f"SMS gateway answered {answer.status}")


def sms_gateway_from(settings: Settings) -> SmsGateway:
    return WebhookSms(settings.sms_webhook_url, settings.sms_webhook_token) if settings.sms_webhook_url else NoSms()


def send_email(settings: Settings, *, to: str, subject: str, text: str) -> None:
    """Sends a plain-text email through the configured SMTP server (STARTTLS unless turned off)."""
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    if not settings.smtp_host:
        raise OSError("no SMTP server is configured")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(message)


def deliver(settings: Settings, sms: SmsGateway, messages: list[Outgoing]) -> None:
    """Sends each message; a failure is logged (without the address or the code) and does not stop the rest."""
    for message in messages:
        try:
            if message.channel == "email":
                send_email(settings, to=message.to, subject=message.subject, text=message.text)
            else:
                sms.send(to=message.to, text=message.text)
        except Exception as exc:  # noqa: BLE001 - a person's request already got its answer
            log.warning("a %s message could not be sent: %s", message.channel, type(exc).__name__)


def channels(settings: Settings, sms: SmsGateway) -> set[str]:
    """The channels codes can go out on with this configuration."""
    found = set()
    if settings.smtp_host:
        found.add("email")
    if getattr(sms, "enabled", True):
        found.add("sms")
    return found
