"""The request log: one JSON line per request with its id, written off the request's path."""

from __future__ import annotations

import io
import json
import logging

from hocso.core.logging import JsonFormatter, LineWriter


def test_each_request_is_logged_once_with_the_id_the_client_got(client):
    out = io.StringIO()
    writer = LineWriter(out)
    writer.setFormatter(JsonFormatter())
    logger = logging.getLogger("hocso")
    logger.addHandler(writer)
    try:
        r = client.get("/api/v1/modules/no-such-module", headers={"X-Request-ID": "phone-42.retry-1"})
        mine = client.get("/api/v1/health")
    finally:
        logger.removeHandler(writer)
        writer.close()  # writes what is queued
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    requests = [line for line in lines if line["msg"] == "request"]
    assert [(line["path"], line["status"], line["request_id"]) for line in requests] == [
        ("/api/v1/modules/no-such-module", 404, "phone-42.retry-1"),
        ("/api/v1/health", 200, mine.headers["x-request-id"]),
    ]
    assert r.headers["x-request-id"] == "phone-42.retry-1"
