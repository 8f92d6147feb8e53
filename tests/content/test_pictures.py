"""Pictures in lessons: the check wants alt text in both languages, small files of the allowed kinds, and SVGs that
say what they show and can run nothing; the API serves them with the module, cacheable for good by their hash."""

from __future__ import annotations

import os
import shutil
import struct
import zlib
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_CONTENT
from tests.content.test_check import MODULE, edit, line_of, problems_of

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 360 200"><title>Quét mã QR</title>'
    '<rect width="360" height="200" fill="#eee"/>{extra}</svg>'
)
LINE_VI = "![Điện thoại quét mã QR ở quầy thu ngân](images/scan.svg)"
LINE_EN = "![A phone scanning the QR code at the till](images/scan.svg)"


def png(width: int, height: int, padding: int = 0) -> bytes:
    """A real PNG header of the given size (the pixels do not matter to the check), padded to a byte count."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(os.urandom(padding), 0)) + chunk(b"IEND", b"")
    )


def with_picture(
    root: Path, data: bytes | str = SVG.format(extra=""), name: str = "scan.svg", vi: str = LINE_VI, en: str = LINE_EN
) -> Path:
    """Puts a picture in the fixture module and shows it in its first lesson, in both languages."""
    images = root / MODULE / "images"
    images.mkdir(exist_ok=True)
    path = images / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    for lang, line in (("vi", vi), ("en", en)):
        lesson = root / MODULE / "lessons" / f"01-scan.{lang}.md"
        lesson.write_text(lesson.read_text(encoding="utf-8") + "\n" + line + "\n", encoding="utf-8")
    return path


@pytest.fixture
def content(tmp_path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    return root


def test_a_picture_with_alt_text_in_both_languages_passes(content):
    with_picture(content)
    assert problems_of(content) == []


def test_a_picture_without_alt_text_in_one_language_is_reported_at_its_line(content):
    with_picture(content, en="![](images/scan.svg)")
    lesson = content / MODULE / "lessons" / "01-scan.en.md"
    [problem] = problems_of(content)
    assert problem.startswith(f"{lesson}:{line_of(lesson, '](images/scan.svg)')}:")
    assert "needs alt text in English" in problem


def test_a_picture_shown_in_one_language_only_is_reported(content):
    with_picture(content)
    edit(content / MODULE / "lessons" / "01-scan.en.md", LINE_EN, "")
    [problem] = problems_of(content)
    assert "shows 1 picture(s) in Vietnamese and 0 in English" in problem


def test_an_oversized_picture_is_reported_by_bytes_and_by_pixels(content):
    heavy = with_picture(
        content,
        png(300, 200, padding=400_000),
        name="scan.png",
        vi=LINE_VI.replace("scan.svg", "scan.png"),
        en=LINE_EN.replace("scan.svg", "scan.png"),
    )
    assert len(heavy.read_bytes()) > 100_000
    [problem] = problems_of(content)
    assert problem.startswith(f"{heavy}:1:") and "more than 100,000" in problem
    heavy.write_bytes(png(4000, 300))
    [problem] = problems_of(content)
    assert "4000×300 pixels; each side must be 1 to 2000" in problem


@pytest.mark.parametrize(
    ("extra", "why"),
    [
        ("<script>alert(1)</script>", "may not hold <script>"),
        ('<rect width="1" height="1" onclick="alert(1)"/>', "event handlers (onclick"),
        ('<image href="https://example.com/logo.png" width="9" height="9"/>', "may link only inside itself"),
    ],
)
def test_an_svg_that_could_run_or_load_something_is_refused(content, extra, why):
    with_picture(content, SVG.format(extra=extra))
    assert any(why in p for p in problems_of(content)), problems_of(content)


def test_an_svg_without_a_title_a_gif_and_a_picture_from_elsewhere_are_refused(content):
    with_picture(content, SVG.replace("<title>Quét mã QR</title>", "").format(extra=""))
    assert any("needs a <title>" in p for p in problems_of(content))
    (content / MODULE / "images" / "old.gif").write_bytes(b"GIF89a")
    edit(content / MODULE / "lessons" / "01-scan.vi.md", "images/scan.svg", "https://example.com/scan.svg")
    found = "\n".join(problems_of(content))
    assert "must be SVG, PNG or WebP" in found and "use images/<file>.svg, .png or .webp" in found


@pytest.fixture
def settings(settings, tmp_path):
    root = tmp_path / "pictured"
    shutil.copytree(FIXTURE_CONTENT, root)
    with_picture(root)
    return settings.model_copy(update={"content_dir": root})


def test_the_module_names_its_pictures_and_the_api_serves_them_cacheable_by_hash(client):
    module = client.get("/api/v1/modules/qr-basics?lang=en").json()
    image = module["images"]["images/scan.svg"]
    assert (image["width"], image["height"]) == (360, 200)
    assert LINE_EN in module["lessons"][0]["body"]
    r = client.get(image["url"])
    assert r.status_code == 200 and r.headers["content-type"] == "image/svg+xml"
    assert r.content == SVG.format(extra="").encode()
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "default-src 'none'" in r.headers["content-security-policy"]
    # Without its hash the address may change meaning: revalidated each time, 304 while it holds.
    plain = client.get("/api/v1/modules/qr-basics/images/scan.svg")
    assert plain.headers["cache-control"] == "public, no-cache"
    assert (
        client.get("/api/v1/modules/qr-basics/images/scan.svg", headers={"If-None-Match": plain.headers["etag"]}).status_code
        == 304
    )
    missing = client.get("/api/v1/modules/qr-basics/images/nope.svg", headers={"Accept-Language": "vi"})
    assert missing.status_code == 404 and "không có hình" in missing.json()["detail"]
    assert client.get("/api/v1/modules/no-such/images/scan.svg").status_code == 404
