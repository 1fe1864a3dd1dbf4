"""Every relative link in the docs names a file of the repository, and every anchor a heading.

The pages are read as GitHub renders them: links and headings inside code are
not links or headings, and a heading's anchor is its text in lower case, without
punctuation, with spaces as hyphens (a repeated one gets `-1`, `-2`, ...).
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(
    [ROOT / "README.md", ROOT / "SECURITY.md", ROOT / "bench" / "README.md"]
    + list((ROOT / "docs").glob("*.md"))
)

FENCE = re.compile(r"^(```|~~~)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
CODE_SPAN = re.compile(r"`[^`]*`")
EXTERNAL = re.compile(r"^(https?:|mailto:)")


def prose_lines(text: str) -> list[str]:
    """The page's lines outside fenced code."""
    lines, in_fence = [], False
    for line in text.splitlines():
        if FENCE.match(line.lstrip()):
            in_fence = not in_fence
            continue
        if not in_fence:
            lines.append(line)
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor for a heading's text."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")


def anchors(text: str) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for line in prose_lines(text):
        match = HEADING.match(line)
        if not match:
            continue
        base = slug(match.group(1))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(text: str) -> list[str]:
    return [
        target for line in prose_lines(text) for target in LINK.findall(CODE_SPAN.sub("", line))
    ]


def broken_links(page: Path) -> list[str]:
    """The links of `page` that leave the repository or name nothing in it."""
    problems = []
    for target in links(page.read_text()):
        if EXTERNAL.match(target):
            continue
        path_part, _, anchor = target.partition("#")
        linked = (page.parent / path_part).resolve() if path_part else page
        if ROOT not in linked.parents and linked != ROOT:
            problems.append(f"{target}: outside the repository")
        elif not linked.exists():
            problems.append(f"{target}: no such file")
        elif anchor and (linked.suffix != ".md" or anchor not in anchors(linked.read_text())):
            problems.append(f"{target}: no such heading")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_link_resolves_inside_the_repository(page):
    assert broken_links(page) == []


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_no_page_points_outside_the_repository(page):
    assert "../shared" not in page.read_text()


def test_anchors_are_those_github_makes():
    text = "# API\n\n## Browser `EventSource`\n\n```\n# no heading\n```\n\n## Limits\n## Limits\n"
    assert anchors(text) == {"api", "browser-eventsource", "limits", "limits-1"}
    assert slug("@microsoft/fetch-event-source") == "microsoftfetch-event-source"
    assert slug("Vercel AI SDK: `useChat` and `useCompletion`") == (
        "vercel-ai-sdk-usechat-and-usecompletion"
    )


def test_a_broken_link_or_anchor_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "api.md").write_text("# API\n\n## Errors\n")
    page = tmp_path / "README.md"
    page.write_text(
        "[ok](docs/api.md#errors) [self](#readme) `[code](nowhere.md)`\n"
        "# Readme\n"
        "[gone](docs/gone.md) [anchor](docs/api.md#limits) [out](../elsewhere/README.md)\n"
        "[web](https://example.org/x)\n"
    )
    assert broken_links(page) == [
        "docs/gone.md: no such file",
        "docs/api.md#limits: no such heading",
        "../elsewhere/README.md: outside the repository",
    ]
