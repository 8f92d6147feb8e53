"""A real xAPI LRS for the tests: ralph (ralph-malph) with its filesystem backend, in its own virtualenv."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
RALPH = ROOT / ".venv-ralph" / "bin"
USER, PASSWORD = "hocso", "lrs-test-password"


class Lrs:
    """ralph serving on loopback; `stored()` reads what it wrote to disk, one statement a line."""

    def __init__(self, folder: Path, auth_file: Path):
        self.folder = folder
        self.data = folder / "data"
        self.data.mkdir(parents=True, exist_ok=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.endpoint = f"{self.url}/xAPI/"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("RALPH_")},
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.data),
            "RALPH_AUTH_FILE": str(auth_file),
            "PYTHONPATH": str(Path(__file__).parent),
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.folder / "ralph.log", "ab")
        # cwd is the test's folder: ralph also reads a .env from its working directory.
        self.process = subprocess.Popen(
            [str(RALPH / "python"), "-m", "uvicorn", "lrs_app:app", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env,
            cwd=self.folder,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for _ in range(300):
            try:
                if httpx.get(f"{self.url}/__heartbeat__", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        self.stop()
        pytest.fail("ralph did not start: " + (self.folder / "ralph.log").read_text(errors="replace"))

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def stored(self) -> list[dict]:
        lines = []
        for f in sorted(self.data.glob("*")):
            lines += [json.loads(line) for line in f.read_text().splitlines() if line.strip()]
        return lines

    def validate(self, statements: list[dict]) -> None:
        """Runs ralph's own xAPI statement model over each statement."""
        code = (
            "import json, sys\n"
            "from ralph.models.xapi.base.statements import BaseXapiStatement\n"
            "for line in sys.stdin:\n"
            "    BaseXapiStatement.model_validate(json.loads(line))\n"
        )
        text = "".join(json.dumps(s) + "\n" for s in statements)
        done = subprocess.run([str(RALPH / "python"), "-c", code], input=text, text=True, capture_output=True)
        assert done.returncode == 0, done.stderr[-2000:]


@pytest.fixture(scope="session")
def lrs_auth(tmp_path_factory) -> Path:
    """ralph's users file with Hocso's account, made once (ralph hashes the password with bcrypt)."""
    if not (RALPH / "ralph").exists():
        pytest.fail(".venv-ralph is missing: `make test` installs ralph there (make .make/ralph)")
    folder = tmp_path_factory.mktemp("lrs-auth")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RALPH_")} | {
        "RALPH_AUTH_FILE": str(folder / "auth.json"),
        "RALPH_RUNSERVER_BACKEND": "fs",
    }
    subprocess.run(
        [str(RALPH / "ralph"), "auth", "-u", USER, "-p", PASSWORD, "-s", "all", "-M", "mailto:hocso@example.vn", "-w"],
        env=env,
        cwd=folder,
        check=True,
        capture_output=True,
    )
    return folder / "auth.json"


@pytest.fixture(scope="module")
def shared_lrs(tmp_path_factory, lrs_auth):
    """One LRS for a module's tests: each test looks only at the statements it made."""
    lrs = Lrs(tmp_path_factory.mktemp("lrs"), lrs_auth)
    lrs.start()
    yield lrs
    lrs.stop()


@pytest.fixture
def lrs(tmp_path, lrs_auth):
    """An LRS of the test's own, which it may stop and start."""
    lrs = Lrs(tmp_path / "lrs", lrs_auth)
    lrs.start()
    yield lrs
    lrs.stop()
