"""Every message a person can see follows Accept-Language: invalid input to each endpoint is answered in
Vietnamese with no English left in it, and in English when English is asked for."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.conftest import PASSWORD

# Words that only English text has; Vietnamese (even typed without diacritics) uses none of them.
ENGLISH = {
    "the",
    "a",
    "an",
    "is",
    "are",
    "be",
    "should",
    "must",
    "enter",
    "give",
    "choose",
    "field",
    "required",
    "value",
    "error",
    "input",
    "valid",
    "invalid",
    "use",
    "more",
    "than",
    "not",
    "characters",
    "at",
    "least",
    "or",
    "and",
    "with",
    "of",
    "to",
    "missing",
    "extra",
    "inputs",
    "permitted",
    "string",
    "integer",
    "date",
    "time",
    "number",
    "type",
    "name",
    "full",
    "phone",
    "password",
    "module",
    "lesson",
}


def english_words(text: str) -> set[str]:
    # Identifiers a person types or reads as they are (ISO 8601, UUID, JSON, a field's own name in quotes) are
    # not sentences: drop quoted parts first.
    text = re.sub(r"“[^”]*”|'[^']*'|\([a-z_]+\)", " ", text)
    return {w for w in re.findall(r"\w+", text) if w.lower() in ENGLISH}


def register(client, **body):
    return client.post("/api/v1/auth/register", json={"password": PASSWORD, "full_name": "Lan", **body}, headers=VI)


VI = {"Accept-Language": "vi"}
EN = {"Accept-Language": "en"}

# (what, method, path, kwargs): invalid inputs to each endpoint that takes input.
CASES = [
    ("phone 12345", "POST", "/auth/register", {"json": {"phone": "12345", "password": PASSWORD, "full_name": "Lan"}}),
    ("bad email", "POST", "/auth/register", {"json": {"email": "lan@", "password": PASSWORD, "full_name": "Lan"}}),
    ("short password", "POST", "/auth/register", {"json": {"email": "a@example.vn", "password": "short", "full_name": "Lan"}}),
    (
        "same characters",
        "POST",
        "/auth/register",
        {"json": {"email": "a@example.vn", "password": "aaaaaaaaaa", "full_name": "Lan"}},
    ),
    ("blank name", "POST", "/auth/register", {"json": {"email": "a@example.vn", "password": PASSWORD, "full_name": "   "}}),
    ("no identifier", "POST", "/auth/register", {"json": {"password": PASSWORD, "full_name": "Lan"}}),
    (
        "extra field",
        "POST",
        "/auth/register",
        {"json": {"email": "a@example.vn", "password": PASSWORD, "full_name": "Lan", "role": "x"}},
    ),
    ("not JSON", "POST", "/auth/register", {"content": b"{", "headers": {"Content-Type": "application/json"}}),
    ("empty sign-in", "POST", "/auth/login", {"data": {}}),
    ("empty refresh", "POST", "/auth/refresh", {"json": {}}),
    ("activation without code", "POST", "/auth/activate", {"json": {"identifier": "0912000111", "password": PASSWORD}}),
    ("unknown language", "GET", "/modules?lang=fr", {}),
    ("huge version", "GET", "/modules/qr-basics?version=99999999999", {}),
    ("event id", "POST", "/modules/qr-basics/attempts", {"json": {"event_id": "x", "answers": {}}}),
    ("answers as text", "POST", "/modules/qr-basics/attempts", {"json": {"event_id": str(uuid.uuid4()), "answers": {"q1": "a"}}}),
    (
        "numeric time",
        "POST",
        "/modules/qr-basics/attempts",
        {"json": {"event_id": str(uuid.uuid4()), "answers": {}, "occurred_at": 0}},
    ),
    (
        "time without offset",
        "POST",
        "/modules/qr-basics/attempts",
        {"json": {"event_id": str(uuid.uuid4()), "answers": {}, "occurred_at": "2026-01-01T10:00:00"}},
    ),
    ("event type", "POST", "/progress/events", {"json": {"events": [{"event_id": str(uuid.uuid4()), "type": "x"}]}}),
    ("year", "GET", "/me/progress?year=abc", {}),
]


@pytest.mark.parametrize("what, method, path, kwargs", CASES, ids=[c[0] for c in CASES])
def test_invalid_input_is_answered_in_vietnamese_without_english(client, learner, what, method, path, kwargs):
    headers = {**VI, **learner["headers"], **kwargs.pop("headers", {})}
    r = client.request(method, f"/api/v1{path}", headers=headers, **kwargs)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert detail and not english_words(detail), f"{what}: {detail}"


def test_the_sign_up_phone_message_names_the_field_and_an_example_in_each_language(client):
    vi = register(client, phone="12345").json()["detail"]
    assert vi.startswith("Số điện thoại:") and "0912345678" in vi and "Value error" not in vi
    en = client.post("/api/v1/auth/register", json={"phone": "12345", "password": PASSWORD, "full_name": "Lan"}, headers=EN)
    assert en.json()["detail"].startswith("phone: ") and "0912345678" in en.json()["detail"]
    assert "Value error" not in en.json()["detail"]


def test_vietnamese_messages_say_hoc_phan_never_module(client, learner):
    r = client.get("/api/v1/modules/nope", headers=VI)
    assert "học phần" in r.json()["detail"] and "module" not in r.json()["detail"].lower()
