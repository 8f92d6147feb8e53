"""Who is behind: the list, its filters, search and paging, the CSV, and reminders by notice and Web Push."""

from __future__ import annotations

import base64
import csv
import io
import json
import threading
import time
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlmodel import select

from hocso.agencies.models import AuditEvent, Requirement
from hocso.agencies.push import PushSubscription
from hocso.agencies.tree import get_by_code
from hocso.core.db import open_session
from hocso.core.timeutil import vietnam_today

ADMIN = "admin.hni@example.vn"


@pytest.fixture
def people(people, tree):
    """The agencies' five civil servants (conftest); HNI requires qr-basics (HNI-HK by yesterday, HNI-BD by today)."""
    today = vietnam_today()
    with open_session(tree, write=True) as session:
        session.add(Requirement(agency_id=get_by_code(session, "HNI-BD").id, module_slug="qr-basics", due_date=today))
        session.add(
            Requirement(agency_id=get_by_code(session, "HNI-HK").id, module_slug="qr-basics", due_date=today - timedelta(days=1))
        )
        session.commit()
    return people


def names(client, headers, code="HNI", **params):
    r = client.get(f"/api/v1/agencies/{code}/members", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return [m["full_name"] for m in r.json()["items"]]


def test_the_list_filters_who_is_behind_and_overdue_on_vietnams_calendar(client, as_user, people):
    everyone = names(client, as_user(ADMIN))
    assert everyone == ["Lê An", "Nguyễn Hoa", "Nguyễn Thị Đào", "Trần Văn Bình"]  # the subtree only, by name
    assert names(client, as_user(ADMIN), status="behind") == ["Nguyễn Hoa", "Nguyễn Thị Đào", "Trần Văn Bình"]
    # Due yesterday in Hoàn Kiếm is overdue; due today in Ba Đình is not yet.
    assert names(client, as_user(ADMIN), status="overdue") == ["Nguyễn Thị Đào", "Trần Văn Bình"]
    assert names(client, as_user(ADMIN), status="goal_not_met") == ["Nguyễn Hoa", "Nguyễn Thị Đào", "Trần Văn Bình"]
    year = vietnam_today().year
    assert names(client, as_user(ADMIN), status="goal_not_met", year=year - 1) == everyone
    item = client.get("/api/v1/agencies/HNI/members", params={"q": "dao"}, headers=as_user(ADMIN)).json()["items"][0]
    assert item["agency"] == {"code": "HNI-HK", "name": "Phường Hoàn Kiếm"} and item["goal_met"] is False
    assert item["required"] == [
        {"module": "qr-basics", "due_date": (vietnam_today() - timedelta(days=1)).isoformat(), "status": "overdue"}
    ]
    an = client.get("/api/v1/agencies/HNI-BD/members", params={"q": "lê"}, headers=as_user(ADMIN)).json()["items"][0]
    assert an["goal_met"] is True and an["required"][0]["status"] == "completed"


def test_search_ignores_diacritics_and_case(client, as_user, people):
    assert names(client, as_user(ADMIN), q="nguyen") == ["Nguyễn Hoa", "Nguyễn Thị Đào"]
    assert names(client, as_user(ADMIN), q="THI DAO") == ["Nguyễn Thị Đào"]
    assert names(client, as_user(ADMIN), q="Bình") == ["Trần Văn Bình"]
    assert names(client, as_user(ADMIN), q="100%") == []


def test_pages_follow_each_other_without_gaps_or_repeats(client, as_user, people):
    seen, cursor = [], None
    for _ in range(5):
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/agencies/HNI/members", params=params, headers=as_user(ADMIN)).json()
        seen += [m["full_name"] for m in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == ["Lê An", "Nguyễn Hoa", "Nguyễn Thị Đào", "Trần Văn Bình"]
    r = client.get("/api/v1/agencies/HNI/members", params={"cursor": "not-a-cursor"}, headers=as_user(ADMIN))
    assert r.status_code == 422 and r.json()["detail"]


def test_the_csv_opens_in_a_vietnamese_excel(client, as_user, people):
    r = client.get("/api/v1/agencies/HNI/members.csv", params={"status": "overdue"}, headers=as_user(ADMIN))
    assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Họ và tên", "Mã đơn vị", "Đơn vị"]
    assert [row[0] for row in rows[1:]] == ["Nguyễn Thị Đào", "Trần Văn Bình"]
    assert rows[1][3] == "Không" and rows[1][5] == "qr-basics"
    en = client.get("/api/v1/agencies/HNI/members.csv", params={"lang": "en"}, headers=as_user(ADMIN))
    assert en.content.decode("utf-8-sig").startswith("Full name,Unit code,Unit,")


@pytest.mark.parametrize("path", ["members", "members.csv"])
def test_another_provinces_admin_gets_404(client, as_user, people, path):
    assert client.get(f"/api/v1/agencies/HNI/{path}", headers=as_user("admin.hcm@example.vn")).status_code == 404
    assert client.get(f"/api/v1/agencies/HNI/{path}", headers=as_user("admin.hk@example.vn")).status_code == 404
    assert client.get(f"/api/v1/agencies/HNI-HK/{path}", headers=as_user("admin.hk@example.vn")).status_code == 200
    learner = people["tam@example.vn"]
    assert client.get(f"/api/v1/agencies/HCM/{path}", headers=learner).status_code == 403


def test_reminders_reach_each_person_once_a_day_and_are_audited(client, as_user, people, tree):
    r = client.post("/api/v1/agencies/HNI/reminders", json={"status": "overdue"}, headers=as_user(ADMIN))
    assert r.status_code == 202 and r.json() == {"queued": 2, "skipped": 0}
    r = client.post(
        "/api/v1/agencies/HNI/reminders", json={"status": "behind", "message": "Hạn nộp là thứ Sáu"}, headers=as_user(ADMIN)
    )
    assert r.json() == {"queued": 1, "skipped": 2}  # only Nguyễn Hoa had not been reminded today
    assert (
        client.post(
            "/api/v1/agencies/HNI/reminders", json={"status": "overdue"}, headers=as_user("admin.hcm@example.vn")
        ).status_code
        == 404
    )
    assert client.post("/api/v1/agencies/HNI/reminders", json={"status": "everyone"}, headers=as_user(ADMIN)).status_code == 422

    dao = people["dao@example.vn"]
    notices = client.get("/api/v1/me/notices", headers=dao).json()
    assert notices["unread"] == 1 and notices["items"][0]["agency"]["code"] == "HNI"
    assert "quá hạn" in notices["items"][0]["text"]
    hoa = client.get("/api/v1/me/notices", headers=people["hoa@example.vn"]).json()["items"][0]
    assert hoa["text"] == "Hạn nộp là thứ Sáu"
    assert client.get("/api/v1/me/notices", headers=people["tam@example.vn"]).json() == {"items": [], "unread": 0}
    notice_id = notices["items"][0]["id"]
    assert client.post(f"/api/v1/me/notices/{notice_id}/read", headers=people["tam@example.vn"]).status_code == 404
    assert client.post(f"/api/v1/me/notices/{notice_id}/read", headers=dao).status_code == 204
    assert client.get("/api/v1/me/notices", headers=dao).json()["unread"] == 0

    with open_session(tree) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "reminders_sent")).all()
    assert [(e.detail["status"], e.detail["queued"], e.detail["skipped"]) for e in events] == [
        ("overdue", 2, 0),
        ("behind", 1, 2),
    ]


class PushService:
    """A push service on loopback: records each POST and answers with the status it is told to."""

    def __init__(self, status: int = 201):
        self.received: list[tuple[str, dict, bytes]] = []
        self.status = status
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(outer.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, n: int, timeout: float = 20) -> None:
        end = time.monotonic() + timeout
        while len(self.received) < n and time.monotonic() < end:
            time.sleep(0.05)

    def close(self):
        self.server.shutdown()


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def browser_subscription(endpoint: str):
    """What a browser makes: a P-256 key pair and an auth secret, the public halves sent to the server."""
    private = ec.generate_private_key(ec.SECP256R1())
    auth = uuid.uuid4().bytes
    public = private.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return private, auth, {"endpoint": endpoint, "expirationTime": None, "keys": {"p256dh": b64(public), "auth": b64(auth)}}


def test_a_reminder_is_pushed_encrypted_to_the_persons_device(client, as_user, people, tree):
    service = PushService()
    try:
        private, auth, sub = browser_subscription(service.url + "/push/dao-phone")
        dao = people["dao@example.vn"]
        key = client.get("/api/v1/push/public-key").json()["public_key"]
        assert len(base64.urlsafe_b64decode(key + "=")) == 65
        assert client.post("/api/v1/me/push-subscriptions", json=sub, headers=dao).status_code == 201
        assert (
            client.post("/api/v1/agencies/HNI/reminders", json={"status": "overdue", "q": "đào"}, headers=as_user(ADMIN)).json()[
                "queued"
            ]
            == 1
        )
        service.wait(1)
        assert len(service.received) == 1
        path, headers, body = service.received[0]
        assert path == "/push/dao-phone" and headers["content-encoding"] == "aes128gcm"
        assert headers["authorization"].startswith("vapid t=") and f"k={key}" in headers["authorization"]
        payload = json.loads(http_ece.decrypt(body, private_key=private, auth_secret=auth, version="aes128gcm"))
        assert payload["title"] == "Thành phố Hà Nội" and "quá hạn" in payload["body"]
        # A second reminder today is not sent.
        assert client.post(
            "/api/v1/agencies/HNI/reminders", json={"status": "overdue", "q": "đào"}, headers=as_user(ADMIN)
        ).json() == {"queued": 0, "skipped": 1}
        time.sleep(1.5)
        assert len(service.received) == 1
    finally:
        service.close()


def test_a_subscription_the_push_service_dropped_is_forgotten_and_unsubscribing_works(client, as_user, people, tree):
    service = PushService(status=410)
    try:
        _, _, gone = browser_subscription(service.url + "/push/old-phone")
        _, _, kept = browser_subscription(service.url + "/push/binh-phone")
        assert client.post("/api/v1/me/push-subscriptions", json=gone, headers=people["dao@example.vn"]).status_code == 201
        assert client.post("/api/v1/me/push-subscriptions", json=kept, headers=people["binh@example.vn"]).status_code == 201
        assert (
            client.request(
                "DELETE", "/api/v1/me/push-subscriptions", json={"endpoint": kept["endpoint"]}, headers=people["binh@example.vn"]
            ).status_code
            == 204
        )
        client.post("/api/v1/agencies/HNI/reminders", json={"status": "overdue"}, headers=as_user(ADMIN))
        service.wait(1)
        end = time.monotonic() + 10
        while time.monotonic() < end:
            with open_session(tree) as session:
                left = session.exec(select(PushSubscription.endpoint)).all()
            if not left:
                break
            time.sleep(0.1)
        assert [p for p, _, _ in service.received] == ["/push/old-phone"]
        assert left == []
    finally:
        service.close()


def test_subscriptions_must_look_like_a_browsers(client, people, settings):
    dao = people["dao@example.vn"]
    _, _, sub = browser_subscription("http://10.0.0.5/push/x")
    r = client.post("/api/v1/me/push-subscriptions", json=sub, headers=dao)
    assert r.status_code == 422 and "https" in r.json()["detail"]
    _, _, sub = browser_subscription("https://push.example.com/x")
    sub["keys"]["p256dh"] = b64(b"short" * 5)
    assert client.post("/api/v1/me/push-subscriptions", json=sub, headers=dao).status_code == 422
    _, _, sub = browser_subscription("https://push.example.com/x")
    assert client.post("/api/v1/me/push-subscriptions", json=sub).status_code == 401


def test_a_manager_verifies_a_members_certificate_from_the_list_and_the_export(client, as_user, people):
    an = next(
        m for m in client.get("/api/v1/agencies/HNI/members", headers=as_user(ADMIN)).json()["items"] if m["full_name"] == "Lê An"
    )
    held = client.get("/api/v1/me/certificates", headers=people["an@example.vn"]).json()
    module_cert = next(c for c in held if c["kind"] == "module")
    assert {c["number"] for c in an["certificates"]} == {c["number"] for c in held}
    listed = next(c for c in an["certificates"] if c["id"] == module_cert["id"])
    assert listed["verify_url"] == module_cert["verify_url"]
    # The link is the public page: valid, in the holder's name.
    public = client.get(f"/api/v1/certificates/{listed['id']}").json()
    assert public["status"] == "valid" and public["holder_name"] == "Lê An"
    others = [
        m for m in client.get("/api/v1/agencies/HNI/members", headers=as_user(ADMIN)).json()["items"] if m["full_name"] != "Lê An"
    ]
    assert all(m["certificates"] == [] for m in others)  # nobody else's
    rows = list(
        csv.reader(
            io.StringIO(client.get("/api/v1/agencies/HNI/members.csv", headers=as_user(ADMIN)).content.decode("utf-8-sig")),
            delimiter=";",
        )
    )
    assert rows[0][-1] == "Số chứng nhận"
    assert module_cert["number"] in next(r for r in rows if r[0] == "Lê An")[-1]
    # An erased holder's certificate leaves the list with them.
    assert client.delete("/api/v1/me", headers=people["an@example.vn"]).status_code == 204
    assert all(
        m["full_name"] != "Lê An" for m in client.get("/api/v1/agencies/HNI/members", headers=as_user(ADMIN)).json()["items"]
    )
