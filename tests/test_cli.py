"""The `hocso` command as operators and the README use it: one-line reasons, non-zero exits on bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from hocso.cli import main as hocso_main
from tests.conftest import PASSWORD, login

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample-agencies.csv"


@pytest.fixture
def hocso(settings, engine, monkeypatch) -> Callable[[list[str]], int]:
    """Runs `hocso` with the test's settings; the environment is set too, for a `hocso serve` started as a process."""
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("HOCSO_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("HOCSO_CONTENT_DIR", str(settings.content_dir))
    return lambda argv: hocso_main(argv, settings=settings)


def test_an_agency_admin_made_on_the_command_line_can_sign_in_and_see_their_subtree(hocso, client, capsys):
    assert hocso(["agencies", "load", str(SAMPLE)]) == 0
    args = [
        "users",
        "create",
        "--email",
        "boss@example.vn",
        "--password",
        PASSWORD,
        "--full-name",
        "Trưởng phòng",
        "--role",
        "agency_admin",
        "--agency",
        "T-HNI",
    ]
    assert hocso(args) == 0
    assert hocso(args) == 0  # idempotent
    headers = {"Authorization": f"Bearer {login(client, 'boss@example.vn')['access_token']}"}
    assert client.get("/api/v1/agencies/T-HNI/stats", headers=headers).status_code == 200
    assert client.get("/api/v1/agencies/T-HCM/stats", headers=headers).status_code == 404


def test_users_import_prints_the_result_and_refuses_unknown_agencies(hocso, tmp_path, capsys):
    assert hocso(["agencies", "load", str(SAMPLE)]) == 0
    staff = tmp_path / "staff.csv"
    staff.write_text("full_name,email,phone\nNgô Bảo Châu,chau@example.vn,\nSai,bad-email,\n", encoding="utf-8")
    capsys.readouterr()
    assert hocso(["users", "import", "--agency", "T-HNI-X01", str(staff)]) == 0
    out = capsys.readouterr()
    result = json.loads(out.out)
    assert result["created"] == 1 and result["rejected"][0]["row"] == 3
    assert "2/2 rows" in out.err  # the progress bar, on stderr
    assert hocso(["users", "import", "--agency", "NOPE", str(staff)]) == 1


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["users", "create", "--email", "x@example.vn", "--password", "short", "--full-name", "X"], "password"),
        (["users", "create", "--email", "x@example.vn", "--password", PASSWORD, "--full-name", "X", "--role", "king"], "role"),
        (
            ["users", "create", "--email", "x@example.vn", "--password", PASSWORD, "--full-name", "X", "--role", "agency_admin"],
            "--agency",
        ),
        (["content", "check", "/no/such/folder"], "no such folder"),
        (["users", "create", "--email", "x@example.vn", "--full-name", "X"], "--password-stdin"),
        (["users", "create", "--phone", "01681234567", "--password", PASSWORD, "--full-name", "X"], "2018"),
    ],
)
def test_bad_input_gives_one_line_and_a_non_zero_exit(hocso, capsys, args, fragment):
    assert hocso(args) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and fragment in err[0]


def test_running_users_create_again_on_a_civil_servant_keeps_their_role_and_agency(hocso, client, capsys):
    assert hocso(["agencies", "load", str(SAMPLE)]) == 0
    base = ["users", "create", "--email", "staff@example.vn", "--password", PASSWORD, "--full-name", "Cán bộ"]
    assert hocso([*base, "--agency", "T-HNI"]) == 0
    # Run again without --agency, and again making them an admin elsewhere: nothing they had is dropped.
    assert hocso(base) == 0
    assert hocso([*base, "--role", "content_admin"]) == 0
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {login(client, 'staff@example.vn')['access_token']}"}).json()
    assert {"civil_servant", "content_admin"} <= set(me["roles"])
    assert me["agency"]["code"] == "T-HNI"


def test_users_create_reads_the_password_from_standard_input(hocso, client, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("a password from stdin\n"))
    assert hocso(["users", "create", "--email", "piped@example.vn", "--password-stdin", "--full-name", "Ống"]) == 0
    login(client, "piped@example.vn", "a password from stdin")


def test_users_create_prompts_for_the_password_twice(hocso, client, monkeypatch, capsys):
    answers = iter(["typed at the prompt", "typed at the prompt", "first try here", "second differs"])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert hocso(["users", "create", "--email", "prompted@example.vn", "--full-name", "Gõ"]) == 0
    login(client, "prompted@example.vn", "typed at the prompt")
    capsys.readouterr()
    assert hocso(["users", "create", "--email", "prompted@example.vn", "--full-name", "Gõ"]) == 1
    assert "differ" in capsys.readouterr().err


def test_serve_runs_one_worker_per_cpu_unless_told(hocso, tmp_path):
    """`hocso serve` without --workers uses the machine; --workers picks the number."""
    import os
    import socket
    import subprocess
    import sys
    import time

    import httpx

    from hocso.cli import default_workers

    def workers_started(log: str) -> int:
        # uvicorn logs one "Started server process" per worker once it serves.
        return log.count("Started server process")

    def start(*extra: str, workers: int) -> str:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        log = tmp_path / f"serve-{port}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(Path(sys.executable).parent / "hocso"), "serve", "--port", str(port), *extra],
                env=dict(os.environ),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/api/v1/health").status_code == 200 and (
                        workers_started(log.read_text(errors="replace")) >= workers
                    ):
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
            time.sleep(0.5)  # a worker too many would have started by now
            return log.read_text(errors="replace")
        finally:
            process.terminate()
            process.wait(timeout=30)

    cpus = len(os.sched_getaffinity(0))
    assert default_workers() == cpus
    by_default = start(workers=cpus)
    assert f"with {cpus} worker(s)" in by_default and workers_started(by_default) == cpus
    told = start("--workers", "1", workers=1)
    assert "with 1 worker(s)" in told and workers_started(told) == 1


def test_serve_refuses_a_worker_count_below_one(hocso, capsys):
    assert hocso(["serve", "--workers", "0"]) == 1
    assert "--workers must be 1 or more" in capsys.readouterr().err


def test_users_create_makes_a_helper_of_a_unit_audit_logged(hocso, client, capsys):
    assert hocso(["agencies", "load", str(SAMPLE)]) == 0
    args = [
        "users",
        "create",
        "--email",
        "helper@example.vn",
        "--password",
        PASSWORD,
        "--full-name",
        "Tổ CNS",
        "--role",
        "helper",
        "--agency",
        "T-HNI",
    ]
    assert hocso(args) == 0
    assert hocso(args) == 0  # idempotent: one role, one audit line
    assert "helper" in capsys.readouterr().out
    headers = {"Authorization": f"Bearer {login(client, 'helper@example.vn')['access_token']}"}
    me = client.get("/api/v1/me", headers=headers).json()
    assert [(s["kind"], s["agency"]["code"]) for s in me["scopes"]] == [("helper", "T-HNI")] and me["agency"] is None
    assert client.get("/api/v1/agencies/T-HNI/citizens", headers=headers).status_code == 200
    assert client.get("/api/v1/agencies/T-HCM/citizens", headers=headers).status_code == 404
    assert client.get("/api/v1/agencies/T-HNI/stats", headers=headers).status_code == 403  # helping is not managing
    assert (
        hocso(
            ["users", "create", "--email", "root@example.vn", "--password", PASSWORD, "--full-name", "Root", "--role", "sysadmin"]
        )
        == 0
    )
    root = {"Authorization": f"Bearer {login(client, 'root@example.vn')['access_token']}"}
    audit = client.get("/api/v1/agencies/T-HNI/audit", headers=root).json()["events"]
    assert [(e["action"], e["detail"]["kind"], e["actor"]) for e in audit] == [("role_granted", "helper", "command line")]


def test_serve_no_setup_leaves_migrating_and_loading_content_to_the_release_step(settings, tmp_path, monkeypatch):
    """Fifty replicas starting together must not each migrate: with --no-setup the database is not touched."""
    import sqlite3

    import uvicorn

    served: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: served.append(kwargs))
    for flags, migrated in ((["--no-setup"], False), ([], True)):
        url = f"sqlite:///{tmp_path}/replica-{len(served)}.db"
        fresh = settings.model_copy(update={"database_url": url})
        assert hocso_main(["serve", "--workers", "1", *flags], settings=fresh) == 0
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert ("alembic_version" in tables) is migrated and ("module" in tables) is migrated
    assert [kwargs["workers"] for kwargs in served] == [1, 1]
