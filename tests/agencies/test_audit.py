"""Admins' imports, requirement changes and exports leave a trail their own subtree's admins can read."""

from __future__ import annotations

from datetime import timedelta

from hocso.core.timeutil import vietnam_today

ADMIN = "admin.hni@example.vn"


def test_admin_actions_are_audited_and_readable_only_within_the_subtree(client, as_user):
    due = (vietnam_today() + timedelta(days=9)).isoformat()
    client.post("/api/v1/agencies/HNI-HK/requirements", json={"module": "qr-basics", "due_date": due}, headers=as_user(ADMIN))
    client.post(
        "/api/v1/agencies/HNI/members/import",
        files={"file": ("ds.csv", b"full_name,email,phone\nAn,an@example.vn,\n", "text/csv")},
        headers=as_user(ADMIN),
    )
    client.get("/api/v1/agencies/HNI/stats.csv", headers=as_user(ADMIN))
    client.delete("/api/v1/agencies/HNI-HK/requirements/qr-basics", headers=as_user(ADMIN))

    page = client.get("/api/v1/agencies/HNI/audit", headers=as_user(ADMIN)).json()
    assert [e["action"] for e in page["events"]] == [
        "requirement_removed",
        "stats_exported",
        "members_imported",
        "requirement_set",
    ]
    assert page["events"][2]["detail"]["created"] == 1
    assert ADMIN in page["events"][0]["actor"]
    # The commune's admin sees what happened in the commune only; another province sees nothing of it.
    commune = client.get("/api/v1/agencies/HNI-HK/audit", headers=as_user("admin.hk@example.vn")).json()
    assert [e["action"] for e in commune["events"]] == ["requirement_removed", "requirement_set"]
    assert client.get("/api/v1/agencies/HNI/audit", headers=as_user("admin.hcm@example.vn")).status_code == 404
    assert client.get("/api/v1/agencies/HCM/audit", headers=as_user("admin.hcm@example.vn")).json()["events"] == []


def test_the_audit_trail_pages_backwards(client, as_user):
    for _ in range(5):
        client.get("/api/v1/agencies/HNI/stats.csv", headers=as_user(ADMIN))
    first = client.get("/api/v1/agencies/HNI/audit", params={"limit": 2}, headers=as_user(ADMIN)).json()
    second = client.get(
        "/api/v1/agencies/HNI/audit", params={"limit": 2, "before": first["next_before"]}, headers=as_user(ADMIN)
    ).json()
    ids = [e["id"] for e in first["events"] + second["events"]]
    assert len(ids) == 4 and ids == sorted(ids, reverse=True) and len(set(ids)) == 4
    assert client.get("/api/v1/agencies/HNI/audit", params={"limit": 1000}, headers=as_user(ADMIN)).status_code == 422


def test_the_trail_keeps_no_file_name_and_nothing_of_an_admin_who_erased_their_account(client, as_user, tree):
    from sqlmodel import select

    from hocso.agencies.models import AuditEvent
    from hocso.core.db import open_session
    from tests.agencies.conftest import user_id

    admin_id = user_id(tree, ADMIN)
    r = client.post(
        "/api/v1/agencies/HNI/members/import",
        files={"file": ("danh-sach-nguyen-van-a.csv", b"full_name,email,phone\nAn,an@example.vn,\n", "text/csv")},
        headers=as_user(ADMIN),
    )
    assert r.status_code == 200
    assert client.delete("/api/v1/me", headers=as_user(ADMIN)).status_code == 204

    page = client.get("/api/v1/agencies/HNI/audit", headers=as_user("root@example.vn")).json()
    [event] = page["events"]
    assert event["action"] == "members_imported" and event["actor"] == "deleted account"
    assert event["detail"]["created"] == 1
    with open_session(tree) as session:
        stored = session.exec(select(AuditEvent)).all()
    assert all(e.actor_id != admin_id for e in stored)
    assert "nguyen-van-a" not in repr([e.detail for e in stored])
