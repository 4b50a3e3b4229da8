"""The report in a real headless Chromium (Debian's ``chromium``, driven by Playwright).

Proves what a reviewer relies on: the page loads offline with no console error and no
network request, the numbers match manifest.json, the reason filters and the search box
work, and hostile document content is shown as text without any of it running.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dedup.report import render_report

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("chromium not installed (run `make browser-deps`, needs root + apt-get)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright not installed (pip install -e '.[dev]')"
    )
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Page:
    """A loaded report with everything the page did recorded."""

    def __init__(self, browser: Any, html: Path) -> None:
        self.url = html.resolve().as_uri()
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.page.on(
            "console",
            lambda m: self.console_errors.append(m.text) if m.type == "error" else None,
        )
        self.page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))

        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        self.page.on("dialog", on_dialog)
        # A trap any content script would hit before a dialog could even open.
        self.page.add_init_script(
            "window.__alerts = [];window.alert = function (m) { window.__alerts.push(String(m)); };"
        )
        self.page.goto(self.url, wait_until="load")

    def value(self, testid: str) -> str:
        value = self.page.get_attribute(f'[data-testid="{testid}"]', "data-value")
        assert value is not None, testid
        return str(value)

    def visible_lines(self, cat: str) -> int:
        return int(
            self.page.evaluate(
                "c => Array.from(document.querySelectorAll('.line[data-cat]'))"
                ".filter(l => l.dataset.cat === c && l.offsetParent !== null).length",
                cat,
            )
        )


def search(page: Any, query: str) -> None:
    """Type a query and wait until the page has applied exactly that query."""
    page.fill('[data-testid="search"]', query)
    page.press('[data-testid="search"]', "Enter")
    page.wait_for_function(
        "q => { const s = document.getElementById('search-status').textContent;"
        " return q === '' ? s === '' : s.endsWith('\u201c' + q.toLowerCase() + '\u201d'); }",
        arg=query,
    )


@pytest.fixture
def report(browser: Any, run_dir: Path, tmp_path: Path) -> Iterator[Page]:
    html = render_report(run_dir, tmp_path / "report.html")
    page = Page(browser, html)
    try:
        yield page
    finally:
        page.context.close()


def test_loads_offline_without_errors_and_counts_match_manifest(
    report: Page, run_dir: Path
) -> None:
    manifest = json.loads((run_dir / "manifest.json").read_text("utf-8"))
    counts = manifest["counts"]
    page = report.page
    page.wait_for_selector('[data-testid="verdict-status"]')

    assert report.console_errors == []
    assert report.page_errors == []
    assert report.requests == [report.url], "the page must make no request but itself"

    assert report.value("verdict-status") == manifest["validation"]["status"] == "failed"
    for key in ("in", "kept", "duplicate", "rejected"):
        assert int(report.value(f"docs-{key}")) == counts["documents"][key]
    assert int(report.value("paragraphs-in")) == counts["paragraphs"]["in"]
    assert int(report.value("paragraphs-removed")) == counts["paragraphs"]["removed"]
    assert int(report.value("chars-in")) == counts["characters"]["in"]
    assert int(report.value("chars-removed")) == counts["characters"]["removed"]
    for reason, n in counts["removed_by_reason"].items():
        assert int(report.value(f"removed-{reason}")) == n
    assert int(report.value("findings-count")) == manifest["validation"]["findings"]
    # What the reader sees, not only attributes: the formatted number is on screen.
    assert page.inner_text('[data-testid="docs-in"]') == str(counts["documents"]["in"])
    assert page.is_visible('[data-testid="findings-table"]')
    assert page.is_visible('[data-testid="chart-reasons"]')

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-fixture.png"), full_page=True)
    page.screenshot(path=str(ARTIFACTS / "report-fixture-top.png"))


def test_reason_filter_hides_and_shows_lines(report: Page) -> None:
    page = report.page
    rule_lines = page.locator('.line[data-cat="rule"]').count()
    kept_lines = page.locator('.line[data-cat="kept"]').count()
    assert rule_lines > 0 and kept_lines > 0
    assert report.visible_lines("rule") == rule_lines

    page.uncheck('[data-testid="filter-rule"]')
    assert report.visible_lines("rule") == 0
    assert report.visible_lines("kept") == kept_lines  # other reasons untouched
    assert (
        report.visible_lines("boilerplate") == page.locator('.line[data-cat="boilerplate"]').count()
    )

    page.check('[data-testid="filter-rule"]')
    assert report.visible_lines("rule") == rule_lines

    page.uncheck('[data-testid="filter-kept"]')
    assert report.visible_lines("kept") == 0
    assert report.visible_lines("rule") == rule_lines
    assert report.console_errors == [] and report.page_errors == []


def test_search_filters_documents_and_id_list(report: Page) -> None:
    page = report.page
    docs = page.locator('[data-testid="doc"]')
    total = docs.count()
    assert total == 5

    def shown() -> list[str]:
        return [str(d.get_attribute("data-id")) for d in docs.all() if d.is_visible()]

    # By text: only the document containing this line.
    search(page, "moscow house")
    assert shown() == ["hanoi-culture"]
    # By id (hostile id, typed as text); the id list filters too.
    search(page, "x<b>")
    assert shown() == ["../../x<b>"]
    rows = page.locator("#doc-list tbody tr")
    assert [r.get_attribute("data-id") for r in rows.all() if r.is_visible()] == ["../../x<b>"]
    # By status, in the id list.
    search(page, "duplicate")
    assert [r.get_attribute("data-id") for r in rows.all() if r.is_visible()] == ["hanoi-pact-copy"]
    # Cleared: everything back.
    search(page, "")
    assert len(shown()) == total
    assert all(r.is_visible() for r in rows.all())


def test_hostile_content_is_text_and_never_runs(report: Page) -> None:
    page = report.page
    hostile = page.locator('[data-testid="doc"][data-id="../../x<b>"]')
    assert hostile.count() == 1
    text = hostile.inner_text()
    assert "<script>alert(1)</script> Breaking: city opens new park" in text
    assert "<img src=x onerror=alert(1)>" in text
    assert 'Click <a href="javascript:alert(1)">here</a>' in text
    assert "<script>alert(2)</script></li></ol><b>bold?</b>" in text
    assert "{{ 7*7 }}" in text  # not evaluated by the template engine either

    # Only our own single script exists; no element came from content.
    assert page.evaluate("document.querySelectorAll('script').length") == 1
    assert page.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert page.evaluate("document.querySelectorAll('#details b, #details a').length") == 0
    hrefs = page.evaluate(
        "Array.from(document.querySelectorAll('[href]')).map(a => a.getAttribute('href'))"
    )
    assert all(h.startswith("#") for h in hrefs), hrefs
    # Interact so lazy handlers would fire, then check nothing ran.
    hostile.hover()
    page.fill('[data-testid="search"]', "alert")
    page.wait_for_function("() => document.getElementById('search-status').textContent !== ''")
    assert page.evaluate("window.__alerts") == []
    assert report.dialogs == []
    assert report.requests == [report.url]
    assert report.console_errors == [] and report.page_errors == []


def test_seeds_report_in_chromium(browser: Any, seeds_run: tuple[Path, Path]) -> None:
    """The README's main command's report: loads offline, numbers and removed lines agree."""
    out_dir, html = seeds_run
    manifest = json.loads((out_dir / "manifest.json").read_text("utf-8"))
    report = Page(browser, html)
    try:
        page = report.page
        assert report.console_errors == [] and report.page_errors == []
        assert report.requests == [report.url]
        assert report.value("verdict-status") == manifest["validation"]["status"]
        counts = manifest["counts"]
        for key in ("in", "kept", "duplicate", "rejected"):
            assert int(report.value(f"docs-{key}")) == counts["documents"][key]
        assert int(report.value("paragraphs-removed")) == counts["paragraphs"]["removed"]
        for reason, n in counts["removed_by_reason"].items():
            assert int(report.value(f"removed-{reason}")) == n
        # Every removed paragraph is on the page, struck through, with a badge.
        removed = page.locator(".line.removed")
        assert removed.count() == counts["paragraphs"]["removed"]
        assert page.locator(".line.removed del").count() == removed.count()
        assert page.locator(".line.removed .badge").count() == removed.count()
        decoration = page.eval_on_selector(
            ".line.removed del", "e => getComputedStyle(e).textDecorationLine"
        )
        assert decoration == "line-through"
        # Filter one reason off and on again.
        page.uncheck('[data-testid="filter-rule"]')
        assert report.visible_lines("rule") == 0
        assert report.visible_lines("kept") == page.locator('.line[data-cat="kept"]').count()
        ARTIFACTS.mkdir(exist_ok=True)
        page.check('[data-testid="filter-rule"]')
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    finally:
        report.context.close()


# Left edges of the first and the last character of ``text`` where it occurs in a text node
# under the first element matching ``selector``: in reading order the first is left of the
# last; text reversed by a bidi override shows the opposite.
_EDGES = """([selector, text]) => {
  const root = document.querySelector(selector);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const i = node.data.indexOf(text);
    if (i < 0) continue;
    const range = document.createRange();
    const left = (at) => { range.setStart(node, at); range.setEnd(node, at + 1);
                           return range.getBoundingClientRect().left; };
    return [left(i), left(i + text.length - 1)];
  }
  return null;
}"""


def test_bidi_controls_in_ids_cannot_reverse_the_page(
    browser: Any, hostile_run_dir: Path, tmp_path: Path
) -> None:
    """An id ending in PDI + RLO (``hostile_run_dir``) once turned the rule example after it
    into "ni goL" and a twin badge's similarity into "00.1"."""
    report = Page(browser, render_report(hostile_run_dir, tmp_path / "report.html"))
    try:
        page = report.page
        assert report.console_errors == [] and report.page_errors == []
        example = page.evaluate(_EDGES, ['tr[data-rule="hanoitimes/login"] .example', "Log in"])
        assert example is not None and example[0] < example[1], example
        badge = page.evaluate(_EDGES, ['.line[data-cat="repeated"] .badge', "1.00"])
        assert badge is not None and badge[0] < badge[1], badge
        # The id itself is shown with its controls written out, in the heading and the list.
        heading = page.inner_text('[data-testid="doc"] h3')
        assert heading == "hanoi-culture\\u2069\\u202e"
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator('tr[data-rule="hanoitimes/login"]').screenshot(
            path=str(ARTIFACTS / "report-bidi-rule.png")
        )
    finally:
        report.context.close()
