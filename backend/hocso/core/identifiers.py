"""The one normaliser for emails and phone numbers: every lookup, limit, uniqueness check and import uses it.

Emails: NFKC, then case-folded, so full-width letters and upper case fold to one address. After that only
ASCII is accepted: look-alike letters from other scripts (Cyrillic "а" in "pаypal") cannot then pass for an
account's address. Internationalised domains are accepted in their ASCII (xn--) form; mailboxes with a
non-ASCII local part are refused, since few mail servers in use here deliver to them.

Phones: E.164. Vietnamese numbers may be typed in national form (0912 345 678), with the country code with or
without + (+84 912345678, 84912345678), with the trunk 0 kept after it (+840912345678), or with 00 for +.
A Vietnamese mobile number has nine digits after +84 and a landline ten (starting with 2); the old eleven-digit
mobile numbers (01xx…) were renumbered in 2018 and are refused with a message saying so. Other countries'
numbers are taken as typed with their + and country code (8 to 15 digits).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from email_validator import EmailNotValidError, validate_email


class IdentifierRefused(ValueError):
    """An email or phone that cannot be one; carries the reason in English and Vietnamese."""

    def __init__(self, en: str, vi: str):
        super().__init__(en)
        self.en = en
        self.vi = vi


class EmailRefused(IdentifierRefused, EmailNotValidError):
    """An email that cannot be one (also an EmailNotValidError, for callers that catch that)."""


class PhoneRefused(IdentifierRefused):
    """A phone number that cannot be one."""


_PHONE_SEPARATORS = re.compile(r"[\s().\-/]")
_MOBILE_PREFIXES = "35789"


def normalize_email(raw: str) -> str:
    """Returns the canonical form of an email address, or raises EmailRefused saying why."""
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", raw.strip()).casefold())
    if not text.isascii():
        raise EmailRefused(
            "the email address has letters that are not plain Latin letters; type it with a, b, c… and digits only",
            "địa chỉ email có ký tự không phải chữ Latin thường; hãy gõ lại chỉ bằng chữ a, b, c… và số",
        )
    try:
        checked = validate_email(text, check_deliverability=False, allow_smtputf8=False)
        # ascii_email keeps an internationalised domain in its xn-- form, as typed; normalized would decode it.
        address = checked.ascii_email or checked.normalized
    except EmailNotValidError:
        raise EmailRefused(
            "enter an email address such as lan@example.vn", "hãy nhập địa chỉ email, ví dụ lan@example.vn"
        ) from None
    return address.lower()


def canonical_phone(raw: str) -> str:
    """Returns a phone number in E.164 form, or raises PhoneRefused saying why."""
    text = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", raw).strip())
    if text.startswith("00"):
        text = "+" + text[2:]
    if not re.fullmatch(r"\+?\d+", text):
        raise PhoneRefused(
            "enter a phone number such as 0912345678 or +84912345678",
            "hãy nhập số điện thoại, ví dụ 0912345678 hoặc +84912345678",
        )
    if text.startswith("+") and not text.startswith("+84"):
        if not re.fullmatch(r"\+[1-9]\d{7,14}", text):
            raise PhoneRefused(
                "an international number has 8 to 15 digits after the +",
                "số quốc tế có từ 8 đến 15 chữ số sau dấu +",
            )
        return text
    # A Vietnamese number: take the national significant number, without +84/84 and the trunk 0.
    if text.startswith("+84"):
        national = text[3:]
    elif text.startswith("84") and len(text) >= 11:
        national = text[2:]
    else:
        national = text
    national = national.removeprefix("0")
    if national.startswith("1") and len(national) == 10:
        raise PhoneRefused(
            "11-digit mobile numbers (01…) were changed to 10 digits in 2018; enter the new number, e.g. 0912345678",
            "số di động 11 số (01…) đã đổi sang 10 số từ năm 2018; hãy nhập số mới, ví dụ 0912345678",
        )
    if national[:1] in _MOBILE_PREFIXES and len(national) == 9:
        return "+84" + national
    if national[:1] == "2" and len(national) == 10:
        return "+84" + national
    raise PhoneRefused(
        "a Vietnamese phone number has 10 digits, e.g. 0912345678 (landlines 11, e.g. 02438251234)",
        "số điện thoại Việt Nam có 10 chữ số, ví dụ 0912345678 (máy bàn 11 số, ví dụ 02438251234)",
    )


def normalize_identifier(raw: str) -> tuple[Literal["email", "phone"], str]:
    """Returns ("email" | "phone", canonical form) of what a person typed to sign in; raises IdentifierRefused."""
    text = raw.strip()
    # "@" after NFKC too: a full-width "＠" is still an email.
    if "@" in unicodedata.normalize("NFKC", text):
        return "email", normalize_email(text)
    return "phone", canonical_phone(text)


def masked(identifier: str) -> str:
    """A phone or email with most of it hidden, to say where a code went: "+84••••••678", "n•••@example.vn"."""
    if "@" in identifier:
        local, _, domain = identifier.rpartition("@")
        return f"{local[:1]}•••@{domain}"
    return identifier[:3] + "•" * max(len(identifier) - 6, 1) + identifier[-3:]
