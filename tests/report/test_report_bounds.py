"""Lists that grow with the corpus are capped, say how many were left out, and the counts a
reviewer relies on stay exact (100,000 one-line documents once made a 21 MB page)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from dedup.report import render_html

EXTRA = 12_000  # duplicates of hanoi-pact added to the hand-made folder


def _append_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in records)


def _edit_manifest(run_dir: Path, change: Any) -> None:
    path = run_dir / "manifest.json"
    manifest = json.loads(path.read_text("utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest), "utf-8")


@pytest.fixture
def big_run(run_dir: Path) -> Path:
    """The hand-made folder plus 12,000 exact duplicates of hanoi-pact, all in its cluster."""
    ids = [f"copy-{i}" for i in range(EXTRA)]
    _append_jsonl(
        run_dir / "documents.jsonl",
        [
            {"doc_id": i, "source": "site/copies.txt", "title": "Copy", "text": "", "lines": [1],
             "status": "duplicate", "duplicate_of": "hanoi-pact", "similarity": 1.0}
            for i in ids
        ],
    )  # fmt: skip
    path = run_dir / "clusters.jsonl"
    cluster = json.loads(path.read_text("utf-8"))
    cluster["members"] += [{"doc_id": i, "similarity": 1.0} for i in ids]
    path.write_text(json.dumps(cluster) + "\n", "utf-8")

    def counts(manifest: dict[str, Any]) -> None:
        manifest["counts"]["documents"]["in"] += EXTRA
        manifest["counts"]["documents"]["duplicate"] += EXTRA

    _edit_manifest(run_dir, counts)
    return run_dir


def _section(html: str, start: str, end: str) -> str:
    i = html.index(start)
    return html[i : html.index(end, i)]


def test_big_cluster_lists_50_members_and_counts_all(big_run: Path) -> None:
    html = render_html(big_run)
    table = _section(html, 'data-testid="clusters-table"', "</table>")
    members = EXTRA + 1  # hanoi-pact-copy and the copies
    assert 'rowspan="51"' in table  # 50 members and the "more" row, not rowspan="12001"
    assert len(re.findall(r'<td class="mono"><bdi>(?:copy-\d+|hanoi-pact-copy)</bdi>', table)) == 50
    assert f'data-testid="cluster-size" data-value="{members}">12,001 members' in table
    assert 'data-testid="cluster-more" data-value="11951">… and 11,951 more members' in table
    assert "(all in clusters.jsonl)" in table
    assert f'data-testid="cluster-members-count" data-value="{members}"' in html
    assert 'data-testid="clusters-count" data-value="1"' in html


def test_id_list_is_capped_with_a_note_and_keeps_the_worst(big_run: Path) -> None:
    html = render_html(big_run)
    total = 5 + EXTRA
    listed = re.findall(r'<tr data-id="([^"]*)" data-status', html)
    assert len(listed) == 10_000
    assert f'data-testid="rows-count" data-value="{total}"' in html
    assert "Listing 10,000 of 12,005 documents" in html
    assert "2,005 more are not listed here" in html
    assert "every document is in the list below" not in html
    assert "the list below holds 10,000 of them" in html
    # Every detailed document is listed (and linked), and so is every document with removals.
    details = re.findall(r'<article class="doc" id="doc-(\d+)"', html)
    assert details and all(f'href="#doc-{i}"' in html for i in details)
    for doc_id in ("hanoi-culture", "hanoi-pact", "hanoi-pact-copy", "../../x&lt;b&gt;"):
        assert doc_id in listed
    # The counts stay exact: documents by status and every removal reason.
    assert f'data-testid="docs-in" data-value="{total}"' in html
    assert f'data-testid="docs-duplicate" data-value="{EXTRA + 1}"' in html
    for reason, n in (("rule", 4), ("boilerplate", 3), ("repeated", 1), ("caption-echo", 1)):
        assert f'data-testid="removed-{reason}" data-value="{n}"' in html
    assert "manifest and the output files disagree" not in html
    # 12,005 documents and a 12,001-member cluster: well under what the full lists made.
    assert len(html.encode()) < 2_500_000


def test_cluster_table_stops_at_its_row_budget(run_dir: Path) -> None:
    # 300 clusters of 40 members: 12,000 member rows, over the 5,000-row budget.
    _append_jsonl(
        run_dir / "clusters.jsonl",
        [
            {"canonical": f"c{c}", "members": [{"doc_id": f"c{c}-{m}", "similarity": 0.9}
                                               for m in range(40)]}
            for c in range(300)
        ],
    )  # fmt: skip
    html = render_html(run_dir)
    table = _section(html, 'data-testid="clusters-table"', "</table>")
    assert len(re.findall(r'data-testid="cluster-size"', table)) == 125  # 1 + 124 * 40 rows
    assert "c123-39" in table and "c124-0" not in table
    assert 'data-testid="clusters-count" data-value="301"' in html
    assert 'data-testid="cluster-members-count" data-value="12001"' in html
    assert "Showing 125 of 301 clusters" in html


def test_inputs_command_and_notes_are_capped(run_dir: Path) -> None:
    # A shell glob can hand the command thousands of files.
    files = [f"pages/page-{i:05d}.html" for i in range(5_000)]

    def change(manifest: dict[str, Any]) -> None:
        manifest["command"] = ["dedup", "clean", *files, "--out", "build"]
        manifest["inputs"] = [{"path": f, "kind": "html", "files": []} for f in files]

    _edit_manifest(run_dir, change)
    validation = json.loads((run_dir / "validation.json").read_text("utf-8"))
    validation["notes"] = [f"note {i}" for i in range(250)]
    (run_dir / "validation.json").write_text(json.dumps(validation), "utf-8")
    html = render_html(run_dir)
    inputs = _section(html, 'data-testid="inputs"', "</dd>")
    assert inputs.count("<bdi>pages/page-") == 20
    assert "… and 4,980 more inputs (all in manifest.json)" in inputs
    command = _section(html, 'data-testid="command"', "</dd>")
    full = len(" ".join(["dedup", "clean", *files, "--out", "build"]))
    assert f"… {full - 2000:,} more characters" in command
    assert "page-04999" not in html
    assert len(re.findall(r"<li>note \d+</li>", html)) == 100
    assert "Showing the first 100 of 250 notes; all are in validation.json." in html


def test_boilerplate_groups_are_capped_most_widespread_first(run_dir: Path) -> None:
    _append_jsonl(
        run_dir / "boilerplate.jsonl",
        [
            {"text": f"Shared line {i}", "representative": f"d{i}:1", "documents": 2 + i % 7,
             "paragraphs": 2 + i % 7}
            for i in range(700)
        ],
    )  # fmt: skip
    html = render_html(run_dir)
    table = _section(html, 'data-testid="boilerplate-table"', "</table>")
    counts = [int(n) for n in re.findall(r'<td class="r">([\d,]+)</td><td class="r">', table)]
    assert len(counts) == 500 and counts == sorted(counts, reverse=True)
    assert 'data-testid="boilerplate-count" data-value="701"' in html
    assert "Showing the 500 most widespread of 701 groups" in html
