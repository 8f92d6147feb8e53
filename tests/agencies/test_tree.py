"""Loading the agency tree from CSV or JSON: idempotent, any order, refusing cycles, keeping counts on moves."""

from __future__ import annotations

import json
from pathlib import Path

from hocso.agencies.tree import get_by_code, read_tree_file
from hocso.cli import main as hocso_main
from hocso.core.db import open_session
from hocso.flows import load_tree
from hocso.stats.figures import agency_stats
from tests.agencies.conftest import make_user

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample-agencies.csv"


def test_the_sample_tree_has_the_34_provinces_and_loads_twice_without_change(engine):
    rows = read_tree_file(SAMPLE)
    provinces = [r for r in rows if r["parent_code"] == "VN" and r["code"].startswith("T-")]
    assert len(provinces) == 34
    assert "sample" in rows[0]["name"].lower()
    with open_session(engine, write=True) as session:
        first = load_tree(session, rows)
        second = load_tree(session, rows)
        assert (first.created, first.problems) == (len(rows), [])
        assert (second.created, second.updated, second.unchanged) == (0, 0, len(rows))


def test_children_may_come_before_their_parents_and_json_works_too(engine, tmp_path):
    path = tmp_path / "tree.json"
    path.write_text(
        json.dumps(
            [
                {"code": "C", "name": "Xã C", "parent_code": "B"},
                {"code": "B", "name": "Tỉnh B", "parent_code": "A"},
                {"code": "A", "name": "Gốc A", "parent_code": None},
            ],
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    with open_session(engine, write=True) as session:
        report = load_tree(session, read_tree_file(path))
        assert report.created == 3
        assert get_by_code(session, "C").path.count("/") == 4


def test_cycles_unknown_parents_and_duplicates_are_refused_and_nothing_is_written(engine):
    bad = [
        [{"code": "A", "name": "A", "parent_code": "B"}, {"code": "B", "name": "B", "parent_code": "A"}],
        [{"code": "A", "name": "A", "parent_code": "NOPE"}],
        [{"code": "A", "name": "A", "parent_code": ""}, {"code": "A", "name": "A2", "parent_code": ""}],
        [{"code": "", "name": "A", "parent_code": ""}],
    ]
    with open_session(engine, write=True) as session:
        for rows in bad:
            report = load_tree(session, rows)
            assert report.problems and report.created == 0
        assert get_by_code(session, "A") is None


def test_moving_a_branch_to_another_parent_moves_its_counts(client, engine):
    tree = [
        {"code": "R", "name": "Gốc", "parent_code": ""},
        {"code": "P1", "name": "Tỉnh 1", "parent_code": "R"},
        {"code": "P2", "name": "Tỉnh 2", "parent_code": "R"},
        {"code": "X", "name": "Xã X", "parent_code": "P1"},
    ]
    with open_session(engine, write=True) as session:
        load_tree(session, tree)
        session.commit()
    make_user(engine, "staff@example.vn", member_of="X")
    with open_session(engine, write=True) as session:
        report = load_tree(session, [dict(tree[3], parent_code="P2")])
        assert report.updated == 1
        session.commit()
    with open_session(engine) as session:
        stats = agency_stats(session, agency=get_by_code(session, "R"), year=2026)
        assert {c.code: c.members for c in stats.children} == {"P1": 0, "P2": 1}
        assert get_by_code(session, "X").path.startswith(get_by_code(session, "P2").path)


def test_the_cli_loads_a_tree_and_reports_a_bad_file_in_one_line(tmp_path, settings, capsys):
    assert hocso_main(["agencies", "load", str(SAMPLE)], settings=settings) == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("code,title\nA,B\n", encoding="utf-8")
    assert hocso_main(["agencies", "load", str(bad)], settings=settings) == 1
    assert "code,name,parent_code" in capsys.readouterr().err
    assert hocso_main(["agencies", "load", str(tmp_path / "missing.csv")], settings=settings) == 1
