"""Module and area reads: an ETag to revalidate with, 304 while it holds, a new one as soon as content is reloaded."""

from __future__ import annotations

import shutil
import time

import pytest

from hocso.content.service import sync_content
from hocso.core.db import make_engine, open_session
from tests.conftest import FIXTURE_CONTENT

READS = ["/api/v1/areas", "/api/v1/modules", "/api/v1/modules?area=e-payment", "/api/v1/modules/qr-basics?lang=en"]


@pytest.fixture
def settings(settings, tmp_path):
    """The app reads a writable copy of the fixture content, so tests can edit it between loads."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    return settings.model_copy(update={"content_dir": root})


def load_in_another_process(settings) -> None:
    """What `hocso content load` does while the server runs: its own engine, its own transaction."""
    engine = make_engine(settings.sqlalchemy_url)
    try:
        with open_session(engine, write=True) as session:
            assert sync_content(session, settings.content_dir).changed
            session.commit()
    finally:
        engine.dispose()


@pytest.mark.parametrize("path", READS)
def test_a_read_sent_again_with_its_etag_gets_304_not_modified_and_no_body(client, path):
    first = client.get(path)
    assert first.status_code == 200 and first.json()
    assert first.headers["cache-control"] == "public, no-cache"
    etag = first.headers["etag"]

    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    # A proxy may hold several copies; any of them still current is enough.
    assert client.get(path, headers={"If-None-Match": f'"stale", {etag}'}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_each_language_has_its_own_etag(client):
    vi = client.get("/api/v1/modules/qr-basics?lang=vi")
    en = client.get("/api/v1/modules/qr-basics?lang=en")
    assert vi.headers["etag"] != en.headers["etag"]
    assert client.get("/api/v1/modules/qr-basics?lang=en", headers={"If-None-Match": vi.headers["etag"]}).status_code == 200


def test_reloaded_content_gets_a_new_etag_and_the_new_text_at_once(client, settings):
    path = "/api/v1/modules/qr-basics?lang=en"
    before = client.get(path)
    listed = client.get("/api/v1/modules?lang=en")
    assert "amount" not in before.json()["lessons"][1]["body"]

    meta = settings.content_dir / "e-payment/qr-basics/module.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("version: 1", "version: 2"), encoding="utf-8")
    lesson = settings.content_dir / "e-payment/qr-basics/lessons/02-check.en.md"
    lesson.write_text("# Checking the recipient\n\nRead the name, then the amount.\n", encoding="utf-8")
    load_in_another_process(settings)

    after = client.get(path, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert after.json()["version"] == 2 and "amount" in after.json()["lessons"][1]["body"]
    relisted = client.get("/api/v1/modules?lang=en", headers={"If-None-Match": listed.headers["etag"]})
    assert relisted.status_code == 200 and relisted.json()[0]["version"] == 2


def test_a_withdrawn_module_is_gone_from_reads_at_once(client, settings):
    assert client.get("/api/v1/modules/qr-basics").status_code == 200
    assert client.get("/api/v1/modules").json()
    shutil.rmtree(settings.content_dir / "e-payment/qr-basics")
    load_in_another_process(settings)
    assert client.get("/api/v1/modules/qr-basics").status_code == 404
    assert client.get("/api/v1/modules").json() == []


def test_a_module_is_sent_gzipped_to_phones_that_take_gzip_and_plain_to_others(client):
    path = "/api/v1/modules/qr-basics?lang=vi"
    zipped = client.get(path, headers={"Accept-Encoding": "gzip"})
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    assert zipped.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert zipped.headers["vary"] == "Accept-Encoding"
    assert int(zipped.headers["content-length"]) < int(plain.headers["content-length"])
    assert zipped.json() == plain.json() and zipped.headers["etag"] == plain.headers["etag"]


def test_a_running_server_serves_a_reload_within_its_recheck_time(settings, engine):
    """Between checks a worker answers from memory; a load by another process shows within recheck seconds."""
    from fastapi.testclient import TestClient

    from hocso.main import create_app

    app = create_app(settings.model_copy(update={"content_recheck_seconds": 0.5}), engine)
    with TestClient(app) as client:
        path = "/api/v1/modules/qr-basics?lang=en"
        before = client.get(path).headers["etag"]
        lesson = settings.content_dir / "e-payment/qr-basics/lessons/02-check.en.md"
        lesson.write_text("# Checking the recipient\n\nRead the name, then the amount.\n", encoding="utf-8")
        load_in_another_process(settings)
        loaded_at = time.monotonic()
        while client.get(path).headers["etag"] == before:
            assert time.monotonic() - loaded_at < 3, "the reloaded module was not served within the recheck time"
            time.sleep(0.05)
        assert "amount" in client.get(path).json()["lessons"][1]["body"]


def test_a_learners_progress_lists_the_modules_a_load_elsewhere_adds_and_retires_within_the_recheck_time(settings, engine):
    """/me/progress lists the active modules from the worker's copy of the catalogue, renewed like the module reads."""
    from fastapi.testclient import TestClient

    from hocso.main import create_app
    from tests.conftest import login, register

    app = create_app(settings.model_copy(update={"content_recheck_seconds": 0.5}), engine)
    with TestClient(app) as client:
        headers = {"Authorization": f"Bearer {login(client, register(client)['email'])['access_token']}"}

        def listed() -> list[str]:
            return [m["slug"] for m in client.get("/api/v1/me/progress", headers=headers).json()["modules"]]

        def once_reloaded(expected: list[str]) -> None:
            load_in_another_process(settings)
            loaded_at = time.monotonic()
            while listed() != expected:
                assert time.monotonic() - loaded_at < 3, f"{listed()} is still listed, not {expected}"
                time.sleep(0.05)

        assert listed() == ["qr-basics"]
        copy = settings.content_dir / "personal-data-protection" / "qr-copy"
        shutil.copytree(settings.content_dir / "e-payment" / "qr-basics", copy)
        meta = copy / "module.yaml"
        meta.write_text(meta.read_text(encoding="utf-8").replace("slug: qr-basics", "slug: qr-copy"), encoding="utf-8")
        once_reloaded(["qr-basics", "qr-copy"])  # in the catalogue's order: by area, then position
        shutil.rmtree(settings.content_dir / "e-payment" / "qr-basics")
        once_reloaded(["qr-copy"])  # never started, so gone from the list once retired
