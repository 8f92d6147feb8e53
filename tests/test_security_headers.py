"""Every answer carries the browser's security headers; HSTS only over HTTPS; no API browser in production."""

from __future__ import annotations

from fastapi.testclient import TestClient

from hocso.main import create_app
from tests.test_frontend_serving import served  # noqa: F401 - the fixture: the app with a built PWA

EXPECTED = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def _check(r) -> None:
    for name, value in EXPECTED.items():
        assert r.headers.get(name) == value, (r.request.url, name, r.headers.get(name))
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-eval" not in csp and "connect-src 'self'" in csp


def test_every_answer_carries_the_security_headers(served, learner):  # noqa: F811
    answers = [
        served.get("/"),
        served.get("/sw.js"),
        served.get("/assets/index-abc123.js"),
        served.get("/api/v1/health"),
        served.get("/api/v1/modules/qr-basics"),
        served.get("/api/v1/me"),  # 401
        served.get("/api/v1/no-such-thing"),  # 404
        served.post("/api/v1/auth/register", content=b"x" * 2_000_000),  # 413 from the body limit
        served.post("/api/v1/auth/register", json={"email": "bad"}),  # 422
        served.get("/openapi.json"),
    ]
    assert [r.status_code for r in answers] == [200, 200, 200, 200, 200, 401, 404, 413, 422, 200]
    for r in answers:
        _check(r)
    assert all("strict-transport-security" not in r.headers for r in answers)


def test_hsts_only_when_the_request_came_over_https(settings, engine):
    with TestClient(create_app(settings, engine), base_url="https://hocso.example.vn") as https:
        r = https.get("/api/v1/health")
        assert r.headers["strict-transport-security"].startswith("max-age=31536000")
        _check(r)
    with TestClient(create_app(settings, engine)) as http:
        assert "strict-transport-security" not in http.get("/api/v1/health").headers


def test_the_api_browser_is_off_in_production_and_the_openapi_document_stays(settings, engine):
    with TestClient(create_app(settings, engine)) as dev:
        assert "swagger-ui" in dev.get("/docs").text
    production = settings.model_copy(update={"environment": "production"})
    with TestClient(create_app(production, engine)) as prod:
        docs = prod.get("/docs")
        assert docs.status_code == 404 and "swagger" not in docs.text.lower()
        assert prod.get("/openapi.json").json()["paths"]
