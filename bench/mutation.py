"""Mutation testing of the modules whose bugs matter most: `make mutation [AREAS="learning accounts"]`.

Runs mutmut (3.x) on one area at a time, each in a staging folder of its own (.mutation/<area>/) laid out as
mutmut expects (the package at the top, the tests beside it), so the tests import the mutated copy of `hocso`
rather than the editable install in backend/. Only the area's modules are mutated and only its fast test
folders run (SQLite, no browser), with Hypothesis derandomized: the same code and tests give the same mutants
and the same verdicts. Prints each area's score and every survivor's diff, and writes them to bench/out/.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGING = ROOT / ".mutation"
OUT = ROOT / "bench" / "out"

# area -> (modules mutated, relative to backend/; test paths run against the mutants, relative to the repo).
# mutmut runs, for each mutant, only the selected tests that called the mutated function.
AREAS: dict[str, tuple[list[str], list[str]]] = {
    "learning": (
        ["hocso/learning/service.py"],
        [
            "tests/learning",
            "tests/privacy",
            "tests/certificates",
            # What a helper's assisted session records, as the citizen's export shows it.
            "tests/agencies/test_helpers.py::test_the_citizens_data_stays_theirs_export_shows_the_assistance_and_erasure_removes_it",
        ],
    ),
    "accounts": (
        ["hocso/accounts/service.py"],
        [
            "tests/accounts",
            "tests/privacy",
            "tests/agencies/test_import_takeover.py",
            "tests/agencies/test_staff_onboarding.py",
            "tests/agencies/test_reset_code.py",
            "tests/agencies/test_helpers.py",
            "tests/agencies/test_messages_language.py::test_an_activation_code_typed_with_spaces_is_accepted",
        ],
    ),
    "privacy": (
        ["hocso/privacy/service.py"],
        [
            "tests/privacy",
            "tests/accounts",
            "tests/agencies/test_helpers.py",
            # Not the journey file's health tests: one waits out a freshness window, which tracing under load outlasts.
            "tests/test_citizen_journey.py::test_citizen_signs_up_learns_a_module_and_meets_this_years_goal",
            # Erasure revokes the person's certificates: these two check it from the verifier's side.
            "tests/certificates/test_certificates.py::test_an_erased_account_s_certificates_answer_revoked_and_show_no_name",
            "tests/certificates/test_open_badges.py::test_erasing_the_account_sets_the_credentials_revocation_bit_and_no_one_elses",
            # What /me says of the roles a person holds and the subtree each covers (profile).
            "tests/agencies/test_roles.py",
            "tests/agencies/test_scope.py::test_me_names_the_subtree_an_admin_manages_and_nothing_for_others",
        ],
    ),
    # The agency areas run the test files about them, not all of tests/agencies: nearly every test there calls the
    # scope check and the rollups, and one test of test_import_jobs starts a real server, which the mutants' copy
    # cannot use.
    "rollups": (
        ["hocso/stats/rollups.py"],
        [f"tests/agencies/{f}" for f in ("test_rollups.py", "test_tree.py", "test_requirements_and_stats.py")]
        # The agency page's count of members, and an import's new members counted in (members_of, members_joined).
        + [
            "tests/agencies/test_stats_csv.py::test_an_agency_page_names_its_parent_and_children_and_counts_the_people_of_its_whole_subtree",
            "tests/agencies/test_import.py::test_an_import_creates_members_with_vietnamese_names_and_one_time_codes",
        ],
    ),
    "staff": (
        ["hocso/staff/imports.py"],
        [
            f"tests/agencies/{f}"
            for f in (
                "test_import.py",
                "test_import_reasons.py",
                "test_import_sheet_rows.py",
                "test_import_takeover.py",
                "test_staff_onboarding.py",
            )
        ]
        # The job tests that run in this process (not the one that starts a real server).
        + [
            f"tests/agencies/test_import_jobs.py::{t}"
            for t in (
                "test_a_large_file_becomes_a_job_whose_progress_only_its_agencys_admins_can_read",
                "test_a_job_cut_off_midway_is_taken_up_again_and_counts_each_row_once",
                "test_two_runners_racing_for_one_job_run_it_once",
            )
        ],
    ),
    "scope": (
        ["hocso/agencies/scope.py", "hocso/agencies/access.py"],
        [
            f"tests/agencies/{f}"
            for f in ("test_scope.py", "test_roles.py", "test_helpers.py", "test_staff_onboarding.py", "test_reset_code.py")
        ],
    ),
    "stats": (
        ["hocso/stats/figures.py"],
        [
            f"tests/agencies/{f}"
            for f in ("test_requirements_and_stats.py", "test_stats_csv.py", "test_rollups.py", "test_excel.py")
        ]
        # The one helpers' test that reads the count of assisted completions.
        + ["tests/agencies/test_helpers.py::test_an_assisted_session_is_marked_counts_as_assisted_and_ends_on_sign_out"],
    ),
}
DEFAULT = ["learning", "accounts", "privacy", "rollups", "staff", "scope", "stats"]

PYTEST_ARGS = ["-p", "no:cacheprovider", "-m", "not e2e"]


def stage(area: str, keep: bool, fresh_imports: bool = False) -> Path:
    """Builds .mutation/<area>/: links to the package and tests, and a pyproject.toml with the area's mutmut config."""
    modules, tests = AREAS[area]
    folder = STAGING / area
    if folder.exists() and not keep:
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    # data/ holds the sample tree that tests/agencies/test_tree.py reads from beside tests/.
    for name, target in (("hocso", ROOT / "backend" / "hocso"), ("tests", ROOT / "tests"), ("data", ROOT / "data")):
        link = folder / name
        if not link.is_symlink():
            link.symlink_to(target, target_is_directory=True)
    # mutmut copies the tests into mutants/, where tests/xapi looks for ralph's virtualenv two folders up.
    ralph = folder / "mutants" / ".venv-ralph"
    if (ROOT / ".venv-ralph").is_dir() and not ralph.is_symlink():
        ralph.parent.mkdir(exist_ok=True)
        ralph.symlink_to(ROOT / ".venv-ralph", target_is_directory=True)
    config = [
        "",
        "[tool.mutmut]",
        'source_paths = ["hocso"]',
        'also_copy = ["data"]',
        f"only_mutate = {json.dumps(modules)}",
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}",
        f"pytest_add_cli_args = {json.dumps(PYTEST_ARGS)}",
        *(
            # mutmut forks each mutant's run from a process that has imported the tests, and so hocso, with no
            # mutant on: a function called only while a module is imported (a statement built at import) never
            # runs mutated. From a fork server that imports nothing, each run imports hocso with its mutant on.
            ['process_isolation = "forkserver"', 'forkserver_warmup = "none"'] if fresh_imports else []
        ),
        "",
    ]
    (folder / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text() + "\n".join(config))
    return folder


def sqlite_template() -> Path:
    """Migrates one SQLite database that every test run copies (the migrations are never mutated)."""
    from hocso.core.db import make_engine
    from hocso.core.migrate import upgrade

    path = STAGING / "template.db"
    fresh = path.with_suffix(f".{os.getpid()}.db")
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(f"sqlite:///{fresh}")
    upgrade(engine)
    engine.dispose()
    fresh.replace(path)  # a run still copying the old one keeps reading it
    return path


def mutmut(folder: Path, *args: str, capture: bool = False) -> subprocess.CompletedProcess:
    binary = Path(sys.executable).with_name("mutmut")
    # Seeded and repeatable: the `mutation` Hypothesis profile (tests/conftest.py) is derandomized with no example
    # database, so a mutant killed once is killed on every run. Each mutant's pytest run copies one migrated
    # template instead of migrating its own (a few seconds a mutant on a busy machine).
    env = {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",
        "HYPOTHESIS_PROFILE": "mutation",
        "HOCSO_TEST_SQLITE_TEMPLATE": str(STAGING / "template.db"),
    }
    return subprocess.run([str(binary), *args], cwd=folder, env=env, text=True, capture_output=capture, check=not capture)


def results(folder: Path) -> dict[str, str]:
    """mutant name -> status (killed, survived, no tests, timeout, suspicious, ...)."""
    listing = mutmut(folder, "results", "--all", "true", capture=True).stdout
    found = {}
    for line in listing.splitlines():
        match = re.match(r"\s*(\S+__mutmut_\d+): (.+)$", line)
        if match:
            found[match[1]] = match[2].strip()
    return found


def run(area: str, children: int, keep: bool, only: list[str], fresh_imports: bool = False, report: bool = False) -> dict:
    folder = stage(area, keep or report, fresh_imports)
    started = time.monotonic()
    if not report:
        mutmut(folder, "run", "--max-children", str(children), *only)
    minutes = (time.monotonic() - started) / 60
    status = {name: verdict for name, verdict in results(folder).items() if not only or any(fnmatch(name, p) for p in only)}
    counts: dict[str, int] = {}
    for verdict in status.values():
        counts[verdict] = counts.get(verdict, 0) + 1
    killed = counts.get("killed", 0)
    # Diffs for the mutants the tests ran and missed; the others (no tests, not checked) are listed by name only.
    survivors = sorted(name for name, verdict in status.items() if verdict in ("survived", "timeout", "suspicious"))
    diffs = {name: mutmut(folder, "show", name, capture=True).stdout for name in survivors}
    by_function: dict[str, dict[str, int]] = {}
    for name, verdict in status.items():
        function = by_function.setdefault(name.rsplit("__mutmut_", 1)[0], {})
        function[verdict] = function.get(verdict, 0) + 1
    score = 100 * killed / len(status) if status else 0.0
    summary = {
        "area": area,
        "modules": AREAS[area][0],
        "tests": AREAS[area][1],
        "mutants": len(status),
        "counts": counts,
        "score_percent": round(score, 1),
        "minutes": round(minutes, 1),
        "by_function": by_function,
        "survivors": diffs,
        "not_tested": sorted(
            name for name, verdict in status.items() if verdict not in ("killed", "survived", "timeout", "suspicious")
        ),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"mutation-{area}.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("areas", nargs="*", default=DEFAULT, help=f"any of {', '.join(AREAS)} (default: all)")
    parser.add_argument("--max-children", type=int, default=2, help="mutants tested at once")
    parser.add_argument("--keep", action="store_true", help="reuse the previous run's verdicts for unchanged code")
    parser.add_argument(
        "--report",
        action="store_true",
        help="run nothing: report the verdicts the last runs left (e.g. the whole module after an --only re-run)",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="GLOB",
        help="test only these mutants, e.g. 'hocso.learning.service.x_progress_summary*'",
    )
    parser.add_argument(
        "--fresh-imports",
        action="store_true",
        help="import hocso anew for each mutant, so that functions run only at import are tested (slower: with --only)",
    )
    args = parser.parse_args()
    unknown = [a for a in args.areas if a not in AREAS]
    if unknown:
        parser.error(f"unknown area(s) {', '.join(unknown)}; choose from {', '.join(AREAS)}")
    if not args.report:
        sqlite_template()
    summaries = [run(area, args.max_children, args.keep, args.only, args.fresh_imports, args.report) for area in args.areas]
    for s in summaries:
        print(f"\n=== {s['area']} ({', '.join(s['modules'])}) against {' '.join(s['tests'])} ===")
        for name, diff in s["survivors"].items():
            print(f"--- {name}\n{diff}")
    print("\narea        mutants  killed  score   other verdicts                     minutes")
    for s in summaries:
        other = ", ".join(f"{n} {v}" for v, n in sorted(s["counts"].items()) if v != "killed") or "-"
        killed = s["counts"].get("killed", 0)
        print(f"{s['area']:<11} {s['mutants']:>7}  {killed:>6}  {s['score_percent']:>5.1f} %  {other:<34} {s['minutes']:>6}")
        for function, counts in sorted(s["by_function"].items()):
            verdicts = ", ".join(f"{n} {v}" for v, n in sorted(counts.items()))
            print(f"    {function.rsplit('.', 1)[-1]:<40} {verdicts}")


if __name__ == "__main__":
    main()
