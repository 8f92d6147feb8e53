"""Pictures in lessons: `![alt text](images/<file>)` on a line of its own, the file in the module's images/ folder.

Only SVG, PNG and WebP, at most MAX_IMAGE_BYTES and MAX_IMAGE_SIDE pixels a side; alt text in the lesson of each
language; an SVG needs a <title> and may hold no script, event handler, foreign object or outside reference.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

MAX_IMAGE_BYTES = 100_000
MAX_IMAGE_SIDE = 2000
MIN_ALT_CHARS = 10
TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".webp": "image/webp"}
IMAGE_RE = re.compile(r"!\[([^\]]*)\]\(([^)\s]*)\)")
IMAGE_LINE_RE = re.compile(r"^\s*!\[([^\]]*)\]\(([^)\s]*)\)\s*$")
IMAGE_PATH_RE = re.compile(r"^images/[a-z0-9][a-z0-9.-]*\.(svg|png|webp)$")
SVG_NS = "{http://www.w3.org/2000/svg}"
_LENGTH_RE = re.compile(r"^\s*([0-9.]+)\s*(px)?\s*$")


@dataclass(frozen=True)
class Picture:
    """One picture file as stored with a module version."""

    type: str
    sha: str
    width: int
    height: int
    data: bytes

    def to_data(self) -> dict:
        return {
            "type": self.type,
            "sha": self.sha,
            "width": self.width,
            "height": self.height,
            "data": base64.b64encode(self.data).decode(),
        }


def _svg_size(root: ET.Element) -> tuple[int, int]:
    width, height = _LENGTH_RE.match(root.get("width") or ""), _LENGTH_RE.match(root.get("height") or "")
    if width and height:
        return round(float(width.group(1))), round(float(height.group(1)))
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        return round(float(box[2])), round(float(box[3]))
    raise ValueError("an SVG needs a viewBox (or width and height in px) so that it can be scaled to the screen")


def _unsafe_in(element: ET.Element) -> list[str]:
    """What in one SVG element could run code or load from outside the picture."""
    problems = []
    name = element.tag.removeprefix(SVG_NS)
    if name in ("script", "foreignObject", "iframe", "embed", "object"):
        problems.append(f"an SVG may not hold <{name}>")
    for attr, value in element.attrib.items():
        local = attr.rsplit("}", 1)[-1]
        if local.lower().startswith("on"):
            problems.append(f"an SVG may not have event handlers ({local} on <{name}>)")
        elif local == "href" and not value.startswith("#"):
            problems.append(f'an SVG may link only inside itself (href="{value}" on <{name}>)')
    if element.text and re.search(r"url\(\s*['\"]?(?!#)", element.text) and name == "style":
        problems.append("an SVG's styles may not load anything from outside")
    return problems


def _svg_problems(data: bytes) -> tuple[list[str], tuple[int, int] | None]:
    """Checks an SVG is safe to show and readable at any size; returns its problems and its size (None if unknown)."""
    text = data.decode("utf-8", errors="replace")
    if re.search(r"<!DOCTYPE|<!ENTITY", text, re.I):
        return ["an SVG may not declare a DOCTYPE or entities"], None
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        return [f"not a valid SVG file: {exc}"], None
    if root.tag != f"{SVG_NS}svg":
        return ["not an SVG file: the root element must be <svg> in the SVG namespace"], None
    problems = []
    first = next(iter(root), None)
    if first is None or first.tag != f"{SVG_NS}title" or not (first.text or "").strip():
        problems.append("an SVG needs a <title> as its first element, saying what the picture shows")
    for element in root.iter():
        problems += _unsafe_in(element)
    try:
        size = _svg_size(root)
    except ValueError as exc:
        return [*problems, str(exc)], None
    return problems, size


def _png_size(data: bytes) -> tuple[int, int]:
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file, though its name ends in .png")
    return struct.unpack(">II", data[16:24])


def _webp_size(data: bytes) -> tuple[int, int]:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise ValueError("not a WebP file, though its name ends in .webp")
    kind = data[12:16]
    if kind == b"VP8X":
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    if kind == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if kind == b"VP8 ":
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF
    raise ValueError("a WebP file of a kind this check does not know")


def read_picture(path: Path) -> tuple[Picture | None, list[str]]:
    """Reads and checks one picture file; returns it (None if unusable) and what is wrong with it."""
    kind = TYPES.get(path.suffix.lower())
    if kind is None:
        return None, [f"pictures must be SVG, PNG or WebP, not '{path.suffix}'"]
    data = path.read_bytes()
    problems = []
    if len(data) > MAX_IMAGE_BYTES:
        problems.append(
            f"the picture is {len(data):,} bytes, more than {MAX_IMAGE_BYTES:,}; make it smaller (phones pay for every byte)"
        )
    size: tuple[int, int] | None
    if kind == "image/svg+xml":
        svg_problems, size = _svg_problems(data)
        problems += svg_problems
    else:
        try:
            size = _png_size(data) if kind == "image/png" else _webp_size(data)
        except (ValueError, struct.error) as exc:
            problems.append(str(exc))
            size = None
    if size and (max(size) > MAX_IMAGE_SIDE or min(size) < 1):
        problems.append(f"the picture is {size[0]}×{size[1]} pixels; each side must be 1 to {MAX_IMAGE_SIDE}")
    if problems or size is None:
        return None, problems
    return Picture(kind, hashlib.sha256(data).hexdigest()[:16], size[0], size[1], data), []


def references(text: str) -> list[tuple[int, str, str, bool]]:
    """Pictures a lesson shows: (line, alt, target, on a line of its own) for each."""
    found = []
    for n, line in enumerate(text.splitlines(), start=1):
        for match in IMAGE_RE.finditer(line):
            found.append((n, match.group(1).strip(), match.group(2), bool(IMAGE_LINE_RE.match(line))))
    return found
