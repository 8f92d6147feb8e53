"""Request bodies are limited by the bytes that arrive, with or without Content-Length, and uploads need a
signed-in caller before a byte of them is read."""

from __future__ import annotations

import socket
import threading
import time
from urllib.parse import urlsplit

import pytest

from tests.conftest import PASSWORD
from tests.served import prepare, serve

MB = 1_000_000


def chunked(total: int, size: int = 64 * 1024, prefix: bytes = b""):
    """A body of `total` bytes sent in chunks, with no Content-Length."""
    if prefix:
        yield prefix
    sent = len(prefix)
    block = b"A" * size
    while sent < total:
        yield block
        sent += size


def test_a_chunked_body_over_the_limit_is_refused_with_413(client):
    body = chunked(3 * MB, prefix=b'{"password": "' + PASSWORD.encode() + b'", "email": "a@example.vn", "full_name": "')
    r = client.post("/api/v1/auth/register", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert "1 MB" in r.json()["detail"] and "Nội dung" in r.json()["detail"]
    r = client.post("/api/v1/auth/register", content=chunked(3 * MB), headers={"Accept-Language": "en"})
    assert r.status_code == 413 and r.json()["detail"] == "The request body is larger than 1 MB."


def test_a_chunked_body_under_the_limit_still_works(client):
    parts = [b'{"password": "', PASSWORD.encode(), b'", "email": "chunks@example.vn", ', b'"full_name": "Lan"}']
    r = client.post("/api/v1/auth/register", content=iter(parts), headers={"Content-Type": "application/json"})
    assert r.status_code == 201, r.text


def test_a_declared_length_over_the_limit_is_refused_before_reading(client):
    r = client.post("/api/v1/auth/register", content=b"x" * (MB + 1), headers={"Accept-Language": "en"})
    assert r.status_code == 413 and "larger than 1 MB" in r.json()["detail"]


class RawHttp:
    """One HTTP/1.1 request over a plain socket: the head, then body chunks from a thread while the answer is
    read, as a client that keeps sending after the server has answered."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
        self.sent = 0

    def request(self, head: str, chunks=(), timeout: float = 30) -> tuple[int, bytes]:
        self.sock.sendall(head.encode() + b"\r\n")

        def feed():
            try:
                for chunk in filter(None, chunks):
                    self.sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.sent += len(chunk)
                self.sock.sendall(b"0\r\n\r\n")
            except OSError:
                pass  # the server stopped reading: expected once it has answered

        sender = threading.Thread(target=feed, daemon=True)
        sender.start()
        self.sock.settimeout(timeout)
        answer = b""
        try:
            while b"\r\n\r\n" not in answer or len(answer.partition(b"\r\n\r\n")[2]) < self._length(answer):
                data = self.sock.recv(65536)
                if not data:
                    break
                answer += data
        finally:
            self.sock.close()
        status = int(answer.split(b" ", 2)[1]) if answer else 0
        return status, answer.partition(b"\r\n\r\n")[2]

    @staticmethod
    def _length(answer: bytes) -> int:
        for line in answer.partition(b"\r\n\r\n")[0].split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                return int(line.split(b":")[1])
        return 1 << 30


def _memory_kb(pid: int, field: str) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


@pytest.fixture
def server(database_url, tmp_path):
    prepare(database_url)
    with serve(tmp_path, database_url) as served:
        yield served


def test_fifty_megabytes_chunked_get_413_and_the_servers_memory_stays_flat(server):
    pid = server.process.pid
    head = (
        "POST /api/v1/auth/register HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nAccept-Language: en\r\n"
    )
    status, _ = RawHttp(server.url).request(head, chunked(2 * MB))  # warm up the parsers
    assert status == 413
    before = _memory_kb(pid, "VmRSS")
    client = RawHttp(server.url)
    status, body = client.request(head, chunked(50 * MB, prefix=b'{"email": "x@example.vn", "full_name": "'))
    assert status == 413 and b"larger than 1 MB" in body
    peak = _memory_kb(pid, "VmHWM")
    assert peak - before < 20_000, f"the server grew from {before} kB to a peak of {peak} kB"
    assert client.sent < 20 * MB, f"the server read {client.sent // MB} MB of a body it had refused"


def test_an_upload_without_a_valid_token_gets_401_before_its_body_is_read(server):
    head = (
        "POST /api/v1/agencies/HNI/members/import HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
        "Content-Type: multipart/form-data; boundary=xyz\r\n"
    )
    never = iter(lambda: time.sleep(60) or b"", None)  # a body that never comes
    for auth in ("", "Authorization: Bearer not-a-token\r\n"):
        start = time.monotonic()
        status, body = RawHttp(server.url).request(head + auth, never, timeout=10)
        assert status == 401, body
        assert time.monotonic() - start < 5
        assert "đăng nhập".encode() in body
