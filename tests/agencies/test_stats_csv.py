"""The stats CSV holds every figure of the agency and of each child, for the year asked; the agency page its size."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

from hocso.agencies.models import Requirement
from hocso.agencies.tree import get_by_code
from hocso.content.service import sync_content
from hocso.core.db import open_session
from hocso.core.timeutil import vietnam_today
from hocso.flows import load_tree
from tests.agencies.conftest import make_user, retire_qr_basics, two_module_content
from tests.conftest import auth_header, login

ADMIN = "admin.hni@example.vn"
RIGHT = {"q1": ["a"], "q2": ["a"], "q3": ["a"], "q4": ["a"], "q5": ["a"], "q6": ["a", "b"]}
HEADER = [
    "code",
    "name",
    "row",
    "year",
    "members",
    "goal_met",
    "goal_rate",
    "required_completed",
    "required_total",
    "required_rate",
    "overdue",
]


def _member(client, tree, email: str, code: str, *, passes: bool = False) -> None:
    make_user(tree, email, roles=["civil_servant"], member_of=code)
    if passes:
        headers = auth_header(login(client, email))
        attempt = {"event_id": str(uuid.uuid4()), "answers": RIGHT}
        r = client.post("/api/v1/modules/qr-basics/attempts", json=attempt, headers=headers)
        assert r.json()["passed"]


def _csv(client, headers, code: str = "HNI", **params) -> list[list[str]]:
    r = client.get(f"/api/v1/agencies/{code}/stats.csv", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))


def test_the_csv_has_every_figure_of_the_province_and_of_each_commune_for_the_year_asked(client, tree, as_user):
    # Two communes of two people each; one person in Hoàn Kiếm passed this year, and Hoàn Kiếm's requirement fell
    # due yesterday. Ba Đình requires nothing (its rate is blank, not 0); Bến Thành is another province's.
    _member(client, tree, "hk.xong@example.vn", "HNI-HK", passes=True)
    _member(client, tree, "hk.chua@example.vn", "HNI-HK")
    _member(client, tree, "bd.1@example.vn", "HNI-BD")
    _member(client, tree, "bd.2@example.vn", "HNI-BD")
    _member(client, tree, "bt@example.vn", "HCM-BT", passes=True)
    today = vietnam_today()
    with open_session(tree, write=True) as session:
        hk = get_by_code(session, "HNI-HK")
        session.add(Requirement(agency_id=hk.id, module_slug="qr-basics", due_date=today - timedelta(days=1)))
        session.commit()
    year = str(today.year)
    assert _csv(client, as_user(ADMIN)) == [
        HEADER,
        ["HNI", "Thành phố Hà Nội", "total", year, "4", "1", "0.25", "1", "2", "0.5", "1"],
        ["HNI-BD", "Phường Ba Đình", "child", year, "2", "0", "0.0", "0", "0", "", "0"],
        ["HNI-HK", "Phường Hoàn Kiếm", "child", year, "2", "1", "0.5", "1", "2", "0.5", "1"],
    ]
    # Last year nobody met the goal; who has finished the required module is the same whatever the year.
    last = str(today.year - 1)
    assert _csv(client, as_user(ADMIN), year=last, delimiter=";") == [
        [";".join(HEADER)],
        ["HNI;Thành phố Hà Nội;total;" + last + ";4;0;0.0;1;2;0.5;1"],
        ["HNI-BD;Phường Ba Đình;child;" + last + ";2;0;0.0;0;0;;0"],
        ["HNI-HK;Phường Hoàn Kiếm;child;" + last + ";2;0;0.0;1;2;0.5;1"],
    ]
    # Ba Đình's own file: its total row's rate is blank too, nothing being required there.
    assert _csv(client, as_user(ADMIN), code="HNI-BD")[1] == [
        "HNI-BD",
        "Phường Ba Đình",
        "total",
        year,
        "2",
        "0",
        "0.0",
        "0",
        "0",
        "",
        "0",
    ]


def test_every_name_a_spreadsheet_would_run_is_neutralised_and_other_names_are_left_alone(client, tree, as_user):
    names = {
        "HNI-A": "+84 Tổ một cửa",
        "HNI-B": "-Tổ hai",
        "HNI-C": "@Tổ ba",
        "HNI-D": "Tổ 4 = Tổ một cửa + 3",
        "HNI-E": "=1+1",
    }
    with open_session(tree, write=True) as session:
        load_tree(session, [{"code": code, "name": name, "parent_code": "HNI"} for code, name in names.items()])
        session.commit()
        # Names loaded from a file lose their tabs and line breaks; one written into the database directly keeps them.
        for code, name in (("HNI-BD", "\t=cmd"), ("HNI-HK", "\r=cmd")):
            agency = get_by_code(session, code)
            agency.name = name
            session.add(agency)
        session.commit()
    rows = {row[0]: row[1] for row in _csv(client, as_user(ADMIN))[1:]}
    assert rows == {
        "HNI": "Thành phố Hà Nội",
        "HNI-A": "'+84 Tổ một cửa",
        "HNI-B": "'-Tổ hai",
        "HNI-C": "'@Tổ ba",
        "HNI-D": "Tổ 4 = Tổ một cửa + 3",
        "HNI-E": "'=1+1",
        "HNI-BD": "'\t=cmd",
        "HNI-HK": "'\r=cmd",
    }


def test_an_agency_page_names_its_parent_and_children_and_counts_the_people_of_its_whole_subtree(client, tree, as_user):
    # Before anyone joins, each page says 0 people (no counter exists yet for these agencies).
    for code in ("HNI", "HNI-HK"):
        assert client.get(f"/api/v1/agencies/{code}", headers=as_user(ADMIN)).json()["members"] == 0
    _member(client, tree, "hk@example.vn", "HNI-HK")
    _member(client, tree, "bd@example.vn", "HNI-BD")
    _member(client, tree, "tinh@example.vn", "HNI")
    _member(client, tree, "bt@example.vn", "HCM-BT")
    hni = client.get("/api/v1/agencies/HNI", headers=as_user(ADMIN)).json()
    assert hni == {
        "code": "HNI",
        "name": "Thành phố Hà Nội",
        "parent_code": "VN",
        "children": [{"code": "HNI-BD", "name": "Phường Ba Đình"}, {"code": "HNI-HK", "name": "Phường Hoàn Kiếm"}],
        "members": 3,
    }
    hk = client.get("/api/v1/agencies/HNI-HK", headers=as_user(ADMIN)).json()
    assert (hk["parent_code"], hk["children"], hk["members"]) == ("HNI", [], 1)
    root = client.get("/api/v1/agencies/VN", headers=as_user("root@example.vn")).json()
    assert (root["parent_code"], [c["code"] for c in root["children"]], root["members"]) == (None, ["HCM", "HNI"], 4)


def test_modules_are_listed_in_catalogue_order_and_a_retired_one_people_finished_comes_after_them(
    client, tree, as_user, tmp_path
):
    with open_session(tree, write=True) as session:
        sync_content(session, two_module_content(tmp_path))
        session.commit()
    _member(client, tree, "hk@example.vn", "HNI-HK", passes=True)
    _member(client, tree, "bd@example.vn", "HNI-BD")

    def modules() -> list[tuple[str, int, float]]:
        stats = client.get("/api/v1/agencies/HNI/stats", headers=as_user(ADMIN)).json()
        return [(m["slug"], m["completed"], m["rate"]) for m in stats["by_module"]]

    # Both current modules, the one nobody has finished too.
    assert modules() == [("qr-basics", 1, 0.5), ("qr-more", 0, 0.0)]
    # qr-basics leaves the catalogue (only qr-more is published now): its completions still show, after qr-more.
    retire_qr_basics(tree, tmp_path)
    assert modules() == [("qr-more", 0, 0.0), ("qr-basics", 1, 0.5)]
