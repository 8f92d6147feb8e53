"""Search over the real catalogue: "dich vu cong" finds "dịch vụ công"."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.content.test_search import search

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"content_dir": ROOT / "content"})


@pytest.mark.parametrize(("query", "slug"), [("dich vu cong", "public-service-portal"), ("Đinh danh dien tu", "vneid-account")])
def test_the_real_catalogue_finds_dich_vu_cong_without_accents(client, query, slug):
    hits = search(client, query)
    assert slug in [h["slug"] for h in hits[:3]], [h["slug"] for h in hits]
