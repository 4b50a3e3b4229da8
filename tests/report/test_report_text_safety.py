"""Document text cannot reorder the report (bidi isolation) nor smuggle raw control bytes.

The folder is ``hostile_run_dir`` (conftest): an id ending in PDI + RLO, a removed line with
NUL, ESC, BEL, DEL and NEL, a URL with a C1 control, a paragraph separator and an RLO.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from dedup.report import render_html, render_report
from dedup.report.visible import visible

# C0 controls but tab, newline (the page's own line breaks), DEL and C1 controls.
RAW_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Explicit bidi formatting characters and the line/paragraph separators.
RAW_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u2028\u2029]")
VOID = {"meta", "input", "br", "hr", "img", "link", "col", "wbr", "source", "area"}


class _TextPlaces(HTMLParser):
    """Every text node with the open elements around it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.texts: list[tuple[str, tuple[str, ...]]] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        self.texts.append((data, tuple(self.stack)))


def _texts(html: str) -> list[tuple[str, tuple[str, ...]]]:
    parser = _TextPlaces()
    parser.feed(html)
    parser.close()
    return parser.texts


def _first(path: Path) -> dict[str, object]:
    return dict(json.loads(path.read_text("utf-8").splitlines()[0]))


def test_no_raw_control_or_bidi_characters_reach_the_page(
    hostile_run_dir: Path, tmp_path: Path
) -> None:
    removed = str(_first(hostile_run_dir / "removed.jsonl")["text"])
    assert "\x00" in removed and "\x1b" in removed and "\x85" in removed
    target = render_report(hostile_run_dir, tmp_path / "r.html")
    raw = target.read_bytes()
    assert b"\x00" not in raw  # what makes grep call the file binary
    html = raw.decode("utf-8")
    assert RAW_CONTROLS.search(html) is None, RAW_CONTROLS.findall(html)
    assert RAW_BIDI.search(html) is None, RAW_BIDI.findall(html)
    # Shown, not dropped: the removed line and the URL with their controls written out.
    assert r"<del>Log in\x00\x1b[31m\x07 now\x7f\x85</del>" in html
    assert r"?q=\x9b1\u2029\u202ex" in html
    assert r"hanoi-culture\u2069\u202e" in html
    # The page's own line breaks and the parameters' JSON layout are untouched.
    params = html[html.index('data-testid="parameters">') :]
    assert "{\n  &#34;jobs&#34;: 2,\n" in params[: params.index("</pre>")]


def test_visible_writes_out_controls_and_keeps_tabs_and_text() -> None:
    assert visible("a\tb") == "a\tb"
    assert (
        visible("plain text, Tiếng Việt, العربية\u200f") == "plain text, Tiếng Việt, العربية\u200f"
    )
    assert visible("\x00\x07\x1b\n\r\x7f\x80\x9f") == r"\x00\x07\x1b\x0a\x0d\x7f\x80\x9f"
    assert visible("\u202a\u202e\u2066\u2069\u2028\u2029") == (
        r"\u202a\u202e\u2066\u2069\u2028\u2029"
    )


def test_document_text_is_bidi_isolated(hostile_run_dir: Path) -> None:
    html = render_html(hostile_run_dir)
    doc = _first(hostile_run_dir / "documents.jsonl")
    shown_id = visible(str(doc["doc_id"]))
    assert shown_id == r"hanoi-culture\u2069\u202e"
    removed = [
        json.loads(line)
        for line in (hostile_run_dir / "removed.jsonl").read_text("utf-8").splitlines()
    ]
    pieces = {
        "id": shown_id,  # as a heading, list entry, cluster member, twin, example location
        "url": visible(str(doc["url"])),
        "source": str(doc["source"]),
        "title": str(doc["title"]),
        "kept line": "Dung said cooperation in tourism would further boost economic growth.",
        "edited line": "THE HANOI TIMES — Hanoi and Moscow aim",
        **{f"removed line {r['line']}": visible(r["text"]) for r in removed[:4]},
    }
    texts = _texts(html)
    for name, piece in pieces.items():
        places = [stack for text, stack in texts if piece in text]
        assert places, name
        for stack in places:
            assert "bdi" in stack, (name, stack)
    # The rule example that QA saw reversed: the location and the text, each isolated.
    login = html[html.index('data-rule="hanoitimes/login"') :]
    login = login[: login.index("</tr>")]
    assert f'<span class="where mono"><bdi>{shown_id}</bdi>:1</span> <bdi>Log in' in login
    # Twins in badges, cluster members, boilerplate's first-seen, findings' documents.
    assert f"repeated · <bdi>{shown_id}:6</bdi> · 1.00" in html
    assert '<td class="mono"><bdi>hanoi-pact-copy</bdi></td>' in html
    assert '<td class="mono"><bdi>hanoi-pact:4</bdi></td>' in html
    assert '<td class="mono"><bdi>../../x&lt;b&gt;</bdi></td>' in html
