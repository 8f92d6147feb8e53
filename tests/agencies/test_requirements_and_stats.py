"""Requirements apply to a whole subtree; stats and the CSV export show who is done and who is late."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

from hocso.agencies.models import Requirement
from hocso.agencies.tree import get_by_code
from hocso.core.db import open_session
from hocso.core.timeutil import vietnam_today
from hocso.flows import load_tree, move_person
from tests.agencies.conftest import make_user, user_id
from tests.conftest import auth_header, login

ADMIN = "admin.hni@example.vn"
RIGHT = {"q1": ["a"], "q2": ["a"], "q3": ["a"], "q4": ["a"], "q5": ["a"], "q6": ["a", "b"]}


def staff(client, tree, email, code):
    make_user(tree, email, roles=["civil_servant"], member_of=code)
    return auth_header(login(client, email))


def pass_quiz(client, headers):
    r = client.post("/api/v1/modules/qr-basics/attempts", json={"event_id": str(uuid.uuid4()), "answers": RIGHT}, headers=headers)
    assert r.json()["passed"]


def test_a_requirement_applies_to_the_whole_subtree_and_shows_in_each_persons_progress(client, tree, as_user):
    due = (vietnam_today() + timedelta(days=20)).isoformat()
    r = client.post("/api/v1/agencies/HNI/requirements", json={"module": "qr-basics", "due_date": due}, headers=as_user(ADMIN))
    assert r.status_code == 201 and r.json()["module"] == "qr-basics"
    commune = staff(client, tree, "can.bo@example.vn", "HNI-HK")
    elsewhere = staff(client, tree, "khac@example.vn", "HCM-BT")
    assert client.get("/api/v1/me/progress", headers=commune).json()["required"] == [
        {"slug": "qr-basics", "due_date": due, "status": "not_started", "overdue": False}
    ]
    assert client.get("/api/v1/me/progress", headers=elsewhere).json()["required"] == []
    inherited = client.get("/api/v1/agencies/HNI-HK/requirements", headers=as_user(ADMIN)).json()
    assert inherited[0]["inherited"] is True and inherited[0]["agency"]["code"] == "HNI"

    pass_quiz(client, commune)
    assert client.get("/api/v1/me/progress", headers=commune).json()["required"][0]["status"] == "completed"
    stats = client.get("/api/v1/agencies/HNI/stats", headers=as_user(ADMIN)).json()
    assert (stats["members"], stats["required_completed"], stats["required_total"], stats["required_rate"]) == (1, 1, 1, 1.0)
    assert stats["goal_met"] == 1 and stats["goal_rate"] == 1.0
    assert {m["slug"]: m["completed"] for m in stats["by_module"]} == {"qr-basics": 1}


def test_setting_a_requirement_again_moves_its_due_date(client, tree, as_user):
    today = vietnam_today()
    first = (today + timedelta(days=5)).isoformat()
    later = (today + timedelta(days=50)).isoformat()
    assert (
        client.post(
            "/api/v1/agencies/HNI/requirements", json={"module": "qr-basics", "due_date": first}, headers=as_user(ADMIN)
        ).status_code
        == 201
    )
    r = client.post("/api/v1/agencies/HNI/requirements", json={"module": "qr-basics", "due_date": later}, headers=as_user(ADMIN))
    assert r.status_code == 200 and r.json()["due_date"] == later
    assert client.delete("/api/v1/agencies/HNI/requirements/qr-basics", headers=as_user(ADMIN)).status_code == 204
    assert client.get("/api/v1/agencies/HNI/requirements", headers=as_user(ADMIN)).json() == []
    assert client.delete("/api/v1/agencies/HNI/requirements/qr-basics", headers=as_user(ADMIN)).status_code == 404


def test_bad_requirements_get_a_clear_4xx(client, tree, as_user):
    past = (vietnam_today() - timedelta(days=1)).isoformat()
    r = client.post("/api/v1/agencies/HNI/requirements", json={"module": "qr-basics", "due_date": past}, headers=as_user(ADMIN))
    assert r.status_code == 422 and "đã qua" in r.json()["detail"]
    r = client.post(
        "/api/v1/agencies/HNI/requirements", json={"module": "nope", "due_date": "2099-01-01"}, headers=as_user(ADMIN)
    )
    assert r.status_code == 404
    r = client.post(
        "/api/v1/agencies/HNI/requirements", json={"module": "qr-basics", "due_date": "31/12/2026"}, headers=as_user(ADMIN)
    )
    assert r.status_code == 422


def test_overdue_counts_people_past_the_earliest_due_date_who_have_not_finished(client, tree, as_user):
    late = staff(client, tree, "tre@example.vn", "HNI-HK")
    staff(client, tree, "cung.tre@example.vn", "HNI-BD")
    done = staff(client, tree, "xong@example.vn", "HNI-BD")
    pass_quiz(client, done)
    today = vietnam_today()
    with open_session(tree, write=True) as session:
        # The province gave until next month; the commune HNI-HK set an earlier date that has passed.
        session.add(
            Requirement(agency_id=get_by_code(session, "HNI").id, module_slug="qr-basics", due_date=today + timedelta(days=30))
        )
        session.add(
            Requirement(agency_id=get_by_code(session, "HNI-HK").id, module_slug="qr-basics", due_date=today - timedelta(days=3))
        )
        session.commit()
    stats = client.get("/api/v1/agencies/HNI/stats", headers=as_user(ADMIN)).json()
    assert (stats["required_total"], stats["required_completed"], stats["overdue"]) == (3, 1, 1)
    rows = {c["code"]: c for c in stats["children"]}
    assert rows["HNI-HK"]["overdue"] == 1 and rows["HNI-BD"]["overdue"] == 0
    assert rows["HNI-BD"]["required_rate"] == 0.5
    assert (
        client.get("/api/v1/me/progress", headers=late).json()["required"][0]["due_date"]
        == (today - timedelta(days=3)).isoformat()
    )


def test_my_progress_says_which_required_module_is_overdue_from_the_day_after_its_due_date(client, tree, as_user):
    late = staff(client, tree, "tre@example.vn", "HNI-HK")
    due_today = staff(client, tree, "hom.nay@example.vn", "HNI-BD")
    done_late = staff(client, tree, "xong.tre@example.vn", "HNI-HK")
    pass_quiz(client, done_late)
    today = vietnam_today()
    with open_session(tree, write=True) as session:
        session.add(
            Requirement(agency_id=get_by_code(session, "HNI-HK").id, module_slug="qr-basics", due_date=today - timedelta(days=1))
        )
        session.add(Requirement(agency_id=get_by_code(session, "HNI-BD").id, module_slug="qr-basics", due_date=today))
        session.commit()

    def required(headers):
        (item,) = client.get("/api/v1/me/progress", headers=headers).json()["required"]
        return item["status"], item["overdue"]

    assert required(late) == ("not_started", True)
    assert required(due_today) == ("not_started", False)
    assert required(done_late) == ("completed", False)


def test_moving_a_person_and_deleting_an_account_keep_the_counts_right(client, tree, as_user):
    mover = staff(client, tree, "mover@example.vn", "HNI-HK")
    pass_quiz(client, mover)

    def members_and_goal():
        s = client.get("/api/v1/agencies/VN/stats", headers=as_user("root@example.vn")).json()
        return {c["code"]: (c["members"], c["goal_met"]) for c in s["children"]}

    assert members_and_goal() == {"HCM": (0, 0), "HNI": (1, 1)}
    with open_session(tree, write=True) as session:
        from hocso.accounts.models import User

        user = session.get(User, user_id(tree, "mover@example.vn"))
        move_person(session, user=user, agency=get_by_code(session, "HCM-BT"))
        session.commit()
    assert members_and_goal() == {"HCM": (1, 1), "HNI": (0, 0)}
    assert client.delete("/api/v1/me", headers=mover).status_code == 204
    assert members_and_goal() == {"HCM": (0, 0), "HNI": (0, 0)}


def test_the_csv_export_opens_in_excel_with_vietnamese_names_intact(client, tree, as_user):
    staff(client, tree, "a@example.vn", "HNI-HK")
    r = client.get("/api/v1/agencies/HNI/stats.csv", headers=as_user(ADMIN))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert 'filename="hocso-HNI-' in r.headers["content-disposition"]
    raw = r.content
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM that tells Excel it is UTF-8
    assert b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [(row["code"], row["row"], row["members"]) for row in rows] == [
        ("HNI", "total", "1"),
        ("HNI-BD", "child", "0"),
        ("HNI-HK", "child", "1"),
    ]
    assert rows[2]["name"] == "Phường Hoàn Kiếm"
    semi = client.get("/api/v1/agencies/HNI/stats.csv", params={"delimiter": ";"}, headers=as_user(ADMIN))
    assert semi.content.decode("utf-8-sig").splitlines()[0].startswith("code;name;row")


def test_names_that_excel_would_run_as_formulas_are_neutralised(client, tree, as_user):
    with open_session(tree, write=True) as session:
        load_tree(session, [{"code": "HNI-X", "name": '=HYPERLINK("http://evil")', "parent_code": "HNI"}])
        session.commit()
    text = client.get("/api/v1/agencies/HNI/stats.csv", headers=as_user(ADMIN)).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_stats_year_must_be_sensible(client, tree, as_user):
    assert client.get("/api/v1/agencies/HNI/stats", params={"year": 99999}, headers=as_user(ADMIN)).status_code == 422
    assert client.get("/api/v1/agencies/HNI/stats.csv", params={"delimiter": "|"}, headers=as_user(ADMIN)).status_code == 422


def test_rates_per_module_and_of_required_modules_and_nobody_is_overdue_on_the_due_date_itself(client, tree, as_user):
    # Hoàn Kiếm's two must finish by today (Vietnam's calendar), Ba Đình's one by yesterday; the province
    # requires nothing itself, so its three members are not all counted in the required total.
    hk_done = staff(client, tree, "hk.xong@example.vn", "HNI-HK")
    staff(client, tree, "hk.chua@example.vn", "HNI-HK")
    staff(client, tree, "bd.chua@example.vn", "HNI-BD")
    staff(client, tree, "tinh@example.vn", "HNI")
    staff(client, tree, "hcm@example.vn", "HCM-BT")
    pass_quiz(client, hk_done)
    today = vietnam_today()
    with open_session(tree, write=True) as session:
        session.add(Requirement(agency_id=get_by_code(session, "HNI-HK").id, module_slug="qr-basics", due_date=today))
        session.add(
            Requirement(agency_id=get_by_code(session, "HNI-BD").id, module_slug="qr-basics", due_date=today - timedelta(days=1))
        )
        session.commit()
    stats = client.get("/api/v1/agencies/HNI/stats", headers=as_user(ADMIN)).json()
    assert (stats["members"], stats["goal_met"], stats["goal_rate"]) == (4, 1, 0.25)
    assert (stats["required_completed"], stats["required_total"], stats["required_rate"], stats["overdue"]) == (1, 3, 0.3333, 1)
    by_module = {m["slug"]: (m["completed"], m["completed_in_year"], m["rate"]) for m in stats["by_module"]}
    assert by_module["qr-basics"] == (1, 1, 0.25)
    rows = {c["code"]: c for c in stats["children"]}
    assert (rows["HNI-HK"]["required_rate"], rows["HNI-HK"]["overdue"], rows["HNI-HK"]["goal_rate"]) == (0.5, 0, 0.5)
    assert (rows["HNI-BD"]["required_rate"], rows["HNI-BD"]["overdue"], rows["HNI-BD"]["goal_rate"]) == (0.0, 1, 0.0)
    # Where nothing is required the rate is absent, not 0 %; where nobody finished anything it is 0.
    hcm = client.get("/api/v1/agencies/HCM/stats", headers=as_user("admin.hcm@example.vn")).json()
    assert (hcm["required_total"], hcm["required_rate"], hcm["goal_rate"]) == (0, None, 0.0)
    assert {m["slug"]: m["rate"] for m in hcm["by_module"]}["qr-basics"] == 0.0


def test_nested_requirements_count_each_person_once_against_the_earliest_due_date_above_them(client, tree, as_user):
    # Hà Nội requires qr-basics by yesterday; Hoàn Kiếm, Ba Đình and a new unit nobody has joined yet require it
    # by next month. Everyone answers to the province's earlier date, and each person counts once.
    with open_session(tree, write=True) as session:
        load_tree(session, [{"code": "HNI-X", "name": "Tổ mới", "parent_code": "HNI"}])
        session.commit()
    done = staff(client, tree, "hk.xong@example.vn", "HNI-HK")
    staff(client, tree, "hk.chua@example.vn", "HNI-HK")
    staff(client, tree, "bd.chua@example.vn", "HNI-BD")
    staff(client, tree, "tinh.chua@example.vn", "HNI")
    pass_quiz(client, done)
    today = vietnam_today()
    dues = {"HNI": today - timedelta(days=1), **dict.fromkeys(("HNI-HK", "HNI-BD", "HNI-X"), today + timedelta(days=30))}
    with open_session(tree, write=True) as session:
        for code, due in dues.items():
            session.add(Requirement(agency_id=get_by_code(session, code).id, module_slug="qr-basics", due_date=due))
        session.commit()
    stats = client.get("/api/v1/agencies/HNI/stats", headers=as_user(ADMIN)).json()
    assert (stats["required_completed"], stats["required_total"], stats["overdue"]) == (1, 4, 3)
    rows = {c["code"]: (c["required_completed"], c["required_total"], c["overdue"]) for c in stats["children"]}
    assert rows == {"HNI-BD": (0, 1, 1), "HNI-HK": (1, 2, 1), "HNI-X": (0, 0, 0)}
