"""The report of the real pipeline on seeds/: every removed line is shown with its reason."""

from __future__ import annotations

import json
import re
from pathlib import Path

from markupsafe import escape

from dedup.report import render_html


def test_clean_report_equals_report_command(seeds_run: tuple[Path, Path]) -> None:
    out_dir, html_path = seeds_run
    assert html_path.read_text("utf-8") == render_html(out_dir)


def test_every_removed_line_is_shown_with_its_reason(seeds_run: tuple[Path, Path]) -> None:
    out_dir, html_path = seeds_run
    page = html_path.read_text("utf-8")
    removed = [
        json.loads(line) for line in (out_dir / "removed.jsonl").read_text("utf-8").splitlines()
    ]
    assert removed, "the seeds have chrome to remove"
    manifest = json.loads((out_dir / "manifest.json").read_text("utf-8"))
    assert len(removed) == manifest["counts"]["paragraphs"]["removed"]
    for rec in removed:
        doc_id = str(escape(rec["doc_id"]))
        start = page.index(f'data-id="{doc_id}" data-testid="doc"')
        section = page[start : page.index("</article>", start)]
        match = re.search(
            rf'data-cat="{re.escape(rec["reason"])}" data-line="{rec["line"]}">(.*?)</li>',
            section,
            re.S,
        )
        assert match, (rec["doc_id"], rec["line"])
        body = match.group(1)
        assert f"<del>{escape(rec['text'][:2000])!s}" in body
        assert str(escape(rec["detail"])) in body
