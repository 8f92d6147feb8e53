"""Every number and address on the help page is one that Hocso's own content teaches, and every source it names is
one the content cites: people act on these, so none may be made up or drift from the lessons."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HELP = ROOT / "frontend" / "src" / "pages" / "help.jsx"
CONTENT = ROOT / "content"


def _lessons() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in CONTENT.rglob("*.md"))


def _cited_sources() -> str:
    return "\n".join(p.read_text(encoding="utf-8").split("\nsources:", 1)[-1] for p in CONTENT.rglob("module.yaml"))


def test_every_number_on_the_help_page_is_taught_in_a_lesson_beside_a_cited_number():
    page = HELP.read_text(encoding="utf-8")
    lessons, sources = _lessons(), _cited_sources()
    called = set(re.findall(r"call: '(\d+)'", page))
    texted = set(re.findall(r"(?:nhắn tin đến|text) (\d+)", page))
    assert called and texted
    for number in called:
        assert re.search(rf"\*\*{number}\*\*", lessons), f"no lesson gives {number}"
        assert re.search(rf"\b{number}\b", sources), f"no module cites a source for {number}"
    for number in texted:
        # Taught in the same sentence as a number whose source is cited (the carriers' reporting line).
        line = next(line for line in lessons.splitlines() if f"**{number}**" in line)
        assert any(f"**{n}**" in line for n in called), f"{number} is not taught beside a cited number"


def test_every_address_and_source_on_the_help_page_is_cited_in_the_content():
    page = HELP.read_text(encoding="utf-8")
    sources = _cited_sources()
    urls = set(re.findall(r"web: '(https://[^']+)'", page))
    assert len(urls) >= 3
    for url in urls:
        assert f"url: {url}\n" in sources, f"{url} is not an address a module cites"
    named = re.findall(r"^  \w+: \['([^']+)', '([^']+)'\],$", page, flags=re.M)
    assert len(named) >= 5
    for title, publisher in named:
        assert f"title: {title}" in sources, f"'{title}' is not a source a module cites"
        assert publisher in sources, f"'{publisher}' publishes no source a module cites"
