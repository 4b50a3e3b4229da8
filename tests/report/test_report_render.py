"""render_report on the hand-made output folder: content, escaping, bounds, errors."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from dedup.errors import InputError, OutputError
from dedup.report import render_html, render_report


def _doc_section(html: str, doc_id_escaped: str) -> str:
    start = html.index(f'data-id="{doc_id_escaped}" data-testid="doc"')
    return html[start : html.index("</article>", start)]


def _lines(section: str) -> list[tuple[int, str]]:
    return [
        (int(n), cat) for cat, n in re.findall(r'data-cat="([^"]+)" data-line="(\d+)"', section)
    ]


def test_writes_one_self_contained_file(run_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "nested" / "report.html"
    assert render_report(run_dir, target) == target
    html = target.read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]  # no temp file left
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0o600
    # Nothing that could fetch: no external src/href, no @import or url() in the CSS.
    assert re.findall(r'\s(?:src|href)="(?!#)', html) == []
    assert "@import" not in html
    assert "url(" not in html
    assert 'http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;' in html


def test_verdict_first_and_counts_from_manifest(run_dir: Path) -> None:
    html = render_html(run_dir)
    manifest = json.loads((run_dir / "manifest.json").read_text("utf-8"))
    # The verdict is the first section of the page.
    assert html.index('id="verdict"') < html.index('id="findings"') < html.index('id="removals"')
    assert 'data-testid="verdict-status" data-value="failed"' in html
    docs = manifest["counts"]["documents"]
    assert f'data-testid="docs-in" data-value="{docs["in"]}"' in html
    assert f'data-testid="docs-duplicate" data-value="{docs["duplicate"]}"' in html
    assert 'data-testid="paragraphs-share">36.0%' in html  # 9 of 25
    for pack in manifest["rules"]:
        assert pack["sha256"][:16] in html
    assert "manifest and the output files disagree" not in html


def test_every_rule_listed_with_hits_and_dead_rules(run_dir: Path) -> None:
    html = render_html(run_dir)
    rules_table = html[html.index('data-testid="rules-table"') : html.index("Dead rules")]
    for rule in ("hanoitimes/login", "hanoitimes/dateline", "generic/html-tag", "generic/nbsp"):
        assert f'data-rule="{rule}"' in rules_table
    login = rules_table[rules_table.index('data-rule="hanoitimes/login"') :]
    login = login[: login.index("</tr>")]
    assert re.findall(r'<td class="r">(\d+)</td>', login) == ["2", "0"]  # removed, edited
    dead = html[html.index('data-testid="dead-rules"') :]
    dead = dead[: dead.index("</ul>")]
    assert re.findall(r'<li class="mono">([^<]+)</li>', dead) == [
        "hanoitimes/newsletter",
        "generic/cookie-banner",
    ]


def test_document_lines_rebuilt_in_order_with_reasons(run_dir: Path) -> None:
    section = _doc_section(render_html(run_dir), "hanoi-culture")
    assert _lines(section) == [
        (1, "rule"),
        (3, "kept"),
        (5, "edited"),
        (6, "kept"),
        (7, "rule"),
        (8, "boilerplate"),
        (9, "repeated"),
        (10, "kept"),
    ]
    assert "<del>Log in</del>" in section
    assert "rule · hanoitimes/login" in section
    assert "repeated · hanoi-culture:6 · 1.00" in section
    # The edited line shows the raw form struck and the cleaned form.
    assert "<del>THE HANOI TIMES — Hanoi and Moscow" in section
    assert "<ins>Hanoi and Moscow aim" in section


def test_clusters_boilerplate_and_findings(run_dir: Path) -> None:
    html = render_html(run_dir)
    clusters = html[html.index('data-testid="clusters-table"') :]
    assert "hanoi-pact-copy" in clusters[: clusters.index("</table>")]
    assert "0.93" in clusters[: clusters.index("</table>")]
    boiler = html[html.index('data-testid="boilerplate-table"') :]
    assert re.search(r"Read more: Hanoi tourism news.*?>3</td>", boiler, re.S)
    findings = html[html.index('data-testid="findings-table"') :]
    assert "min_words (text)" in findings and "documents.jsonl:4" in findings


def test_hostile_content_is_escaped(run_dir: Path) -> None:
    html = render_html(run_dir)
    assert html.count("<script") == 1  # ours
    for raw in ("<img", "<b>", '<a href="javascript', "onerror=alert(1)>", "</li></ol><b>"):
        assert raw not in html, raw
    assert 'href="javascript' not in html
    assert "../../x&lt;b&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html  # content is never evaluated as a template
    # Links point at in-page anchors built from indexes, never at ids.
    assert set(re.findall(r'href="([^"]*)"', html)) <= {
        "#verdict", "#findings", "#removals", "#rules", "#duplicates", "#boilerplate",
        "#documents", *(f"#doc-{i}" for i in range(5)),
    }  # fmt: skip


def test_large_run_shows_worst_sample_and_lists_every_id(run_dir: Path) -> None:
    html = render_html(run_dir, sample_limit=3)
    details = re.findall(r'<article class="doc" id="doc-(\d+)"', html)
    # Worst first: hanoi-culture (4 removed), hanoi-pact (2 removed, 69 characters),
    # ../../x<b> (2 removed, 67 characters); the duplicate with 1 removal is left out.
    assert details == ["0", "1", "4"]
    assert "Detail for the 3 worst of 5 documents" in html
    listed = re.findall(r'<tr data-id="([^"]*)" data-status', html)
    assert listed == [
        "hanoi-culture",
        "hanoi-pact",
        "hanoi-pact-copy",
        "too-short",
        "../../x&lt;b&gt;",
    ]


def test_detail_stops_at_the_line_budget_and_says_so(
    run_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dedup.report import build, documents

    rows = build._rows(run_dir, build._first_pass(run_dir))
    sample, _ = documents.pick_sample(rows, 200)
    full = documents.document_details(run_dir, sample)
    sizes = [len(d.lines) for d in full]
    # A budget that fits the first two documents' lines but not the third's.
    budget = sizes[0] + sizes[1] + sizes[2] - 1
    for row in rows:
        row.in_sample = False
    cut = documents.document_details(run_dir, sample, max_lines=budget)
    assert [d.row.index for d in cut] == [d.row.index for d in full[:2]]
    assert [r.in_sample for r in rows] == [True, True] + [False] * (len(rows) - 2)
    # One document larger than the budget is still shown: the page is never empty.
    assert len(documents.document_details(run_dir, sample, max_lines=1)) == 1

    monkeypatch.setattr(documents, "MAX_DETAIL_LINES", budget)
    html = render_html(run_dir)
    assert re.findall(r'<article class="doc" id="doc-(\d+)"', html) == ["0", "1"]
    assert f"Detail for the first 2 of {len(rows)} documents in input order" in html


def test_mismatch_between_manifest_and_files_is_flagged(run_dir: Path) -> None:
    manifest_path = run_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8"))
    manifest["counts"]["paragraphs"]["removed"] = 99
    manifest_path.write_text(json.dumps(manifest), "utf-8")
    html = render_html(run_dir)
    assert 'data-testid="mismatches"' in html
    assert "manifest says paragraphs removed = 99, the files hold 9" in html


def test_missing_manifest_is_a_clear_error(run_dir: Path, tmp_path: Path) -> None:
    (run_dir / "manifest.json").unlink()
    with pytest.raises(InputError, match=r"manifest\.json: missing"):
        render_report(run_dir, tmp_path / "r.html")
    assert not (tmp_path / "r.html").exists()


def test_broken_jsonl_names_file_and_line(run_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    target.write_text("previous report", "utf-8")
    with (run_dir / "removed.jsonl").open("a", encoding="utf-8") as fh:
        fh.write("{not json\n")
    with pytest.raises(InputError) as info:
        render_report(run_dir, target)
    assert info.value.path is not None and info.value.path.endswith("removed.jsonl")
    assert info.value.line == 10
    assert target.read_text("utf-8") == "previous report"  # untouched on failure


def test_unsupported_format_is_refused(run_dir: Path) -> None:
    manifest_path = run_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8"))
    manifest["format"] = 2
    manifest_path.write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(InputError, match="format 2 is not supported"):
        render_html(run_dir)


def test_unwritable_target_is_an_output_error(run_dir: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", "utf-8")
    with pytest.raises((OutputError, InputError)):
        render_report(run_dir, blocker / "report.html")


def test_long_lines_are_cut(run_dir: Path) -> None:
    path = run_dir / "removed.jsonl"
    records = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    records[0]["text"] = "x" * 5000
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    html = render_html(run_dir)
    assert "x" * 2000 in html and "x" * 2001 not in html
    assert "3,000 more characters" in html


def test_missing_optional_files_leave_sections_empty(run_dir: Path) -> None:
    for name in ("edits.jsonl", "clusters.jsonl", "boilerplate.jsonl", "validation.json"):
        (run_dir / name).unlink()
    html = render_html(run_dir)
    assert "No near-duplicate documents." in html
    assert "No boilerplate shared across documents." in html
    # Without validation.json the verdict falls back to the manifest's summary.
    assert 'data-testid="verdict-status" data-value="failed"' in html
    assert 'data-cat="edited"' not in html
