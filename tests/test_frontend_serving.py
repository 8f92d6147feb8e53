"""The API process serves the built PWA: the shell revalidated, hashed assets cached, no way out of dist/."""

from __future__ import annotations

import gc
import time
import types
import weakref

import pytest
from fastapi.testclient import TestClient

from hocso.main import create_app


@pytest.fixture
def served(settings, engine, tmp_path):
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>Hocso</title>", encoding="utf-8")
    (dist / "sw.js").write_text("self.addEventListener('install', () => {});", encoding="utf-8")
    (dist / "manifest.webmanifest").write_text('{"name": "Hocso"}', encoding="utf-8")
    (dist / "assets" / "index-abc123.js").write_text("console.log(1)", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("do not serve", encoding="utf-8")
    with TestClient(create_app(settings.model_copy(update={"frontend_dir": dist}), engine)) as c:
        yield c


def test_the_shell_and_service_worker_are_revalidated_and_assets_cached_for_a_year(served):
    index = served.get("/")
    assert index.status_code == 200 and "Hocso" in index.text
    assert index.headers["cache-control"] == "no-cache"
    assert served.get("/sw.js").headers["cache-control"] == "no-cache"
    asset = served.get("/assets/index-abc123.js")
    assert "immutable" in asset.headers["cache-control"]
    assert served.get("/manifest.webmanifest").headers["content-type"].startswith("application/manifest+json")


def test_app_routes_fall_back_to_the_shell_and_api_paths_do_not(served):
    assert "Hocso" in served.get("/modules/qr-basics").text
    r = served.get("/api/v1/no-such-endpoint")
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/json")


def test_files_outside_the_build_are_never_served(served):
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt"):
        assert "do not serve" not in served.get(path).text


def test_a_get_on_a_post_only_endpoint_says_which_method_to_use(client):
    r = client.get("/api/v1/auth/login")
    assert r.status_code == 405 and r.headers["allow"] == "POST"


def test_scripts_and_module_json_are_sent_compressed_to_phones_that_accept_it(served):
    (served.app.state.settings.frontend_dir / "assets" / "big-abc.js").write_text("let x = 1;\n" * 500, encoding="utf-8")
    asset = served.get("/assets/big-abc.js", headers={"Accept-Encoding": "gzip"})
    assert asset.headers["content-encoding"] == "gzip" and asset.text.startswith("let x = 1;")
    module = served.get("/api/v1/modules/qr-basics", headers={"Accept-Encoding": "gzip"})
    assert module.headers.get("content-encoding") == "gzip" and module.json()["slug"] == "qr-basics"
    assert "content-encoding" not in served.get("/api/v1/modules/qr-basics", headers={"Accept-Encoding": "identity"}).headers


def test_a_missing_script_of_an_old_build_is_a_404_not_the_shell(served):
    # A tab opened before a deploy asks for the previous build's chunks: the shell in their place would load as a
    # broken script and leave the page saying "Loading…" for good.
    for path in ("/assets/admin-OLDHASH.js", "/assets/index-OLD.css", "/sw-old.js", "/icons/gone.png", "/favicon.ico"):
        r = served.get(path)
        assert r.status_code == 404, path
        assert "Hocso" not in r.text and r.headers["cache-control"] == "no-store"


def test_app_routes_still_get_the_shell(served):
    for path in ("/", "/m/qr-basics", "/m/qr-basics/l/scan", "/admin", "/admin/HNI/members", "/account", "/help"):
        r = served.get(path)
        assert r.status_code == 200 and "Hocso" in r.text, path


def test_an_app_that_served_its_pages_is_freed_once_dropped(settings, engine, tmp_path):
    # One app per process in production; a test run builds hundreds, and each one kept alive (with its engine,
    # caches and routes) made the run's memory grow by megabytes a test and its exit take minutes.
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>Hocso</title>", encoding="utf-8")
    app = create_app(settings.model_copy(update={"frontend_dir": dist}), engine)
    with TestClient(app) as c:
        assert "Hocso" in c.get("/modules/qr-basics").text
        assert c.get("/api/v1/no-such-endpoint").status_code == 404
    dropped = weakref.ref(app)
    del app, c
    for _ in range(50):  # threads the client or the app started may still be ending
        gc.collect()
        if dropped() is None:
            break
        time.sleep(0.1)
    held = dropped()
    assert held is None, [repr(r)[:120] for r in gc.get_referrers(held) if not isinstance(r, types.FrameType)]
