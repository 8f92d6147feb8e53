"""A real `hocso serve` process on a free loopback port, for tests that need the whole server: workers, sockets,
memory, proxies."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import FIXTURE_CONTENT, load_fixture_content

HOCSO = str(Path(sys.executable).parent / "hocso")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """The running server: its address, process and log."""

    def __init__(self, url: str, process: subprocess.Popen, log: Path):
        self.url, self.process, self.log = url, process, log

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def prepare(database_url: str) -> None:
    """Loads the fixture content into a fresh database, as `hocso serve` would, before the server starts."""
    load_fixture_content(database_url)


@contextmanager
def serve(folder: Path, database_url: str, *, workers: int = 1, env: dict[str, str] | None = None) -> Iterator[Served]:
    """Starts `hocso serve` over database_url and stops it afterwards (killed if it will not stop)."""
    port = free_port()
    full_env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "HOCSO_ENVIRONMENT": "test",
        "HOCSO_DATA_DIR": str(folder / "var"),
        "HOCSO_CONTENT_DIR": str(FIXTURE_CONTENT),
        "HOCSO_FRONTEND_DIR": str(folder / "no-frontend"),
        "HOCSO_SECRET_KEY": "served-" + "k" * 40,
        "HOCSO_LOG_LEVEL": "WARNING",
        **(env or {}),
    }
    log = folder / f"server-{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [HOCSO, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=folder,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start:\n" + log.read_text(errors="replace"))
            time.sleep(0.1)
        yield Served(url, process, log)
    finally:
        # Its own process group: with --workers the children go too, even when a frozen server ignores SIGTERM.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=15)
