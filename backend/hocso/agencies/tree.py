"""The agency tree: subtree paths, reading and loading a tree file, and an agency as the API shows it."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import and_
from sqlmodel import Session, col, select

from hocso.accounts.models import User
from hocso.agencies.models import Agency


def subtree_range(path: str) -> tuple[str, str]:
    """The [low, high) range of paths in the subtree rooted at path, for a range scan on the path index."""
    # Paths hold digits and "/", and "/" sorts just before "0": every path starting with "/1/7/" lies in
    # ["/1/7/", "/1/70").
    return path, path[:-1] + "0"


def subtree_filter(path: str):
    """SQL condition for "agency lies in the subtree rooted at path": one range scan on the path index."""
    low, high = subtree_range(path)
    return and_(col(Agency.path) >= low, col(Agency.path) < high)


def path_ids(path: str) -> list[int]:
    """Returns the agency ids on a path, root first: "/1/7/42/" -> [1, 7, 42]."""
    return [int(part) for part in path.strip("/").split("/") if part]


def in_subtree(path: str, root_path: str) -> bool:
    return path.startswith(root_path)


def get_by_code(session: Session, code: str) -> Agency | None:
    return session.exec(select(Agency).where(Agency.code == code)).first()


def agency_of(session: Session, user: User) -> Agency | None:
    return session.get(Agency, user.agency_id) if user.agency_id else None


@dataclass
class TreeReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)
    reshaped: bool = False  # an agency changed parent: the rollups need rebuilding (flows.load_tree does)


def read_tree_file(path: Path) -> list[dict[str, str]]:
    """Reads an agency tree from CSV (code,name,parent_code) or JSON (a list of such objects)."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        data = json.loads(text)
        if not isinstance(data, list):
            raise ValueError("a JSON tree file is a list of {code, name, parent_code} objects")
        return [{k: ("" if v is None else str(v)) for k, v in row.items()} for row in data]
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    missing = {"code", "name", "parent_code"} - set(reader.fieldnames or [])
    if missing:
        raise ValueError(f"the header must be code,name,parent_code (missing: {', '.join(sorted(missing))})")
    return list(reader)


@dataclass
class _Wanted:
    name: str
    parent: str | None
    row: int


def _row_problem(code: str, name: str, parent: str | None, wanted: dict[str, _Wanted]) -> str | None:
    if not code or not name:
        return "code and name are required"
    if code in wanted:
        return f"code {code} appears twice"
    if parent == code:
        return f"{code} cannot be its own parent"
    return None


def _wanted_rows(rows: list[dict[str, str]], problems: list[str]) -> dict[str, _Wanted]:
    """Reads each row on its own; row numbers count the header as row 1."""
    wanted: dict[str, _Wanted] = {}
    for n, row in enumerate(rows, start=2):
        code = (row.get("code") or "").strip()
        name = " ".join((row.get("name") or "").split())
        parent = (row.get("parent_code") or "").strip() or None
        problem = _row_problem(code, name, parent, wanted)
        if problem:
            problems.append(f"row {n}: {problem}")
        else:
            wanted[code] = _Wanted(name=name, parent=parent, row=n)
    return wanted


class _Tree:
    """The tree the file asks for, laid over the agencies already stored."""

    def __init__(self, wanted: dict[str, _Wanted], existing: dict[str, Agency]) -> None:
        self.wanted = wanted
        self.existing = existing
        self._code_of_id = {a.id: a.code for a in existing.values()}
        self._depth: dict[str, int] = {}

    def parent_of(self, code: str) -> str | None:
        if code in self.wanted:
            return self.wanted[code].parent
        agency = self.existing.get(code)
        if agency is None or agency.parent_id is None:
            return None
        return self._code_of_id.get(agency.parent_id)

    def depth(self, code: str) -> int:
        if code not in self._depth:
            parent = self.parent_of(code)
            self._depth[code] = 0 if parent is None else self.depth(parent) + 1
        return self._depth[code]

    def _inside_itself(self, code: str) -> bool:
        seen, cur = {code}, self.wanted[code].parent
        while cur is not None:
            if cur in seen:
                return True
            seen.add(cur)
            cur = self.parent_of(cur)
        return False

    def problems(self) -> list[str]:
        """Unknown parents and cycles, found before anything is written."""
        found = []
        for code, spec in self.wanted.items():
            if spec.parent and spec.parent not in self.wanted and spec.parent not in self.existing:
                found.append(f"row {spec.row}: parent {spec.parent} is not in the file or the database")
            if self._inside_itself(code):
                found.append(f"row {spec.row}: {code} would be inside its own subtree")
        return found


def _create(session: Session, code: str, name: str, parent: Agency | None, depth: int) -> Agency:
    agency = Agency(code=code, name=name, parent_id=parent.id if parent else None, path="/")
    session.add(agency)
    session.flush()  # the path ends in the new id
    agency.path = f"{parent.path if parent else '/'}{agency.id}/"
    agency.depth = depth
    return agency


def _move(session: Session, agency: Agency, parent: Agency | None) -> None:
    """Re-roots the agency's whole subtree under parent (None: a root)."""
    old_path = agency.path
    new_path = f"{parent.path if parent else '/'}{agency.id}/"
    for node in session.exec(select(Agency).where(subtree_filter(old_path))).all():
        node.path = new_path + node.path[len(old_path) :]
        node.depth = node.path.count("/") - 2
        session.add(node)
    agency.parent_id = parent.id if parent else None


def _write(session: Session, tree: _Tree, report: TreeReport) -> bool:
    """Creates and updates agencies, parents first; returns whether any agency changed parent."""
    reshaped = False
    for code in sorted(tree.wanted, key=tree.depth):
        spec = tree.wanted[code]
        parent = tree.existing.get(spec.parent) if spec.parent else None
        agency = tree.existing.get(code)
        if agency is None:
            tree.existing[code] = _create(session, code, spec.name, parent, tree.depth(code))
            report.created += 1
            continue
        if agency.name == spec.name and agency.parent_id == (parent.id if parent else None):
            report.unchanged += 1
            continue
        if agency.parent_id != (parent.id if parent else None):
            _move(session, agency, parent)
            reshaped = True
        agency.name = spec.name
        session.add(agency)
        report.updated += 1
    return reshaped


def load_tree(session: Session, rows: list[dict[str, str]]) -> TreeReport:
    """Creates or updates agencies from rows; idempotent. Rows may come in any order (parents after children).

    Leaves the rollups alone: flows.load_tree rebuilds them when an agency changed parent.
    """
    report = TreeReport()
    wanted = _wanted_rows(rows, report.problems)
    if report.problems:
        return report
    tree = _Tree(wanted, {a.code: a for a in session.exec(select(Agency)).all()})
    report.problems.extend(tree.problems())
    if report.problems:
        return report
    report.reshaped = _write(session, tree, report)
    session.flush()
    return report
