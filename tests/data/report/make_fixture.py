"""Regenerate the hand-made output folder ``run/`` (format 1, docs/architecture.md).

Run from the repo root: ``.venv/bin/python tests/data/report/make_fixture.py``. The files
are committed; this script only keeps their counts consistent when the fixture changes.
Each document is written as raw lines with what happened to each line, exactly as
``dedup clean`` would record it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

HERE = Path(__file__).parent / "run"

# (line, raw, action) where action is None (kept), ("edit", rule, after) or
# ("remove", reason, detail, similarity).
DOCS = [
    {
        "doc_id": "hanoi-culture",
        "source": "site/hanoi-culture.txt",
        "url": "https://example.test/hanoi-culture",
        "status": "kept",
        "lines": [
            (1, "Log in", ("remove", "rule", "hanoitimes/login", None)),
            (3, "Hanoi seeks culture, tourism cooperation with Moscow", None),
            (
                5,
                "THE HANOI TIMES — Hanoi and Moscow aim to build a Moscow House in the capital.",
                (
                    "edit",
                    "hanoitimes/dateline",
                    "Hanoi and Moscow aim to build a Moscow House in the capital.",
                ),
            ),
            (6, "According to Dung, Hanoi is home to 5,922 cultural and historical sites.", None),
            (7, "Photo: Thanh Hai", ("remove", "rule", "hanoitimes/photo-credit", None)),
            (8, "Read more: Hanoi tourism news", ("remove", "boilerplate", "hanoi-pact:4", 1.0)),
            (
                9,
                "According to Dung, Hanoi is home to 5,922 cultural and historical sites.",
                ("remove", "repeated", "hanoi-culture:6", 1.0),
            ),
            (10, "Dung said cooperation in tourism would further boost economic growth.", None),
        ],
    },
    {
        "doc_id": "hanoi-pact",
        "source": "site/hanoi-pact.txt",
        "url": None,
        "status": "kept",
        "lines": [
            (1, "Hanoi and Moscow sign new cooperation pact", None),
            (2, "The two capitals signed a memorandum of understanding on December 1.", None),
            (3, "The pact covers tourism, culture, urban planning and trade.", None),
            (4, "Read more: Hanoi tourism news", ("remove", "boilerplate", "hanoi-pact:4", 1.0)),
            (
                5,
                "Overview of the meeting. Photo: Tung Lam",
                ("remove", "caption-echo", "hanoi-pact:2", 0.82),
            ),
        ],
    },
    {
        "doc_id": "hanoi-pact-copy",
        "source": "site/hanoi-pact-copy.txt",
        "url": None,
        "status": "duplicate",
        "duplicate_of": "hanoi-pact",
        "similarity": 0.93,
        "lines": [
            (1, "Hanoi and Moscow sign new cooperation pact", None),
            (2, "The two capitals signed a memorandum of understanding on 1 December.", None),
            (3, "The pact covers tourism, culture, urban planning and trade.", None),
            (4, "Read more: Hanoi tourism news", ("remove", "boilerplate", "hanoi-pact:4", 1.0)),
        ],
    },
    {
        "doc_id": "too-short",
        "source": "site/too-short.txt",
        "url": None,
        "status": "rejected",
        "reject_reason": "min-words: 4 words < 30",
        "lines": [
            (1, "Weather: sunny, 31°C", None),
            (
                2,
                "\u00a0Subscribe to our newsletter",
                ("edit", "generic/nbsp", "Subscribe to our newsletter"),
            ),
        ],
    },
    {
        # Hostile content: must be shown as text, never run, never become a link.
        "doc_id": "../../x<b>",
        "source": "hostile/../../x<b>.txt",
        "url": "javascript:alert(1)",
        "status": "kept",
        "lines": [
            (1, "<script>alert(1)</script> Breaking: city opens new park", None),
            (
                2,
                "<img src=x onerror=alert(1)> \"quoted\" & 'single'",
                ("remove", "rule", "generic/html-tag", None),
            ),
            (3, 'Click <a href="javascript:alert(1)">here</a> to read more', None),
            (
                4,
                "THE HANOI TIMES — <script>alert(2)</script></li></ol><b>bold?</b>",
                ("edit", "hanoitimes/dateline", "<script>alert(2)</script></li></ol><b>bold?</b>"),
            ),
            (5, "javascript:alert(1)", ("remove", "rule", "hanoitimes/login", None)),
            (6, "{{ 7*7 }} {% raw %} ${alert(3)}", None),
        ],
    },
]

RULES = [
    {
        "path": "rules/hanoitimes.yaml",
        "pack": "hanoitimes",
        "rules": [
            {"id": "hanoitimes/login", "kind": "drop", "why": "site chrome: the login link"},
            {
                "id": "hanoitimes/dateline",
                "kind": "edit",
                "why": "strip the THE HANOI TIMES — dateline",
            },
            {
                "id": "hanoitimes/photo-credit",
                "kind": "drop",
                "why": "photo credits are not article text",
            },
            {"id": "hanoitimes/newsletter", "kind": "drop", "why": "newsletter sign-up box"},
        ],
    },
    {
        "path": "rules/generic.yaml",
        "pack": "generic",
        "rules": [
            {
                "id": "generic/html-tag",
                "kind": "drop",
                "why": "<b>raw HTML</b> left by the scraper",
            },
            {"id": "generic/nbsp", "kind": "edit", "why": "normalise non-breaking spaces"},
            {"id": "generic/cookie-banner", "kind": "drop", "why": "cookie consent banner"},
        ],
    },
]

# As ``dedup.validate.findings.Finding.to_dict()`` writes them.
FINDINGS = [
    {
        "schema": "documents.jsonl",
        "check": "min_words",
        "column": "text",
        "doc_id": "too-short",
        "line": 4,
        "failure_case": "4 words",
        "message": "kept document has 4 words, fewer than --min-words 30",
    },
    {
        "schema": "documents.jsonl",
        "check": "no_markup",
        "column": "title",
        "doc_id": "../../x<b>",
        "line": 5,
        "failure_case": "<script>alert(1)</script> Breaking: city opens new park",
        "message": "title contains HTML markup <script>",
    },
]


def dump_jsonl(path: Path, records: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")


def main() -> None:
    HERE.mkdir(exist_ok=True)
    documents, removed, edits = [], [], []
    by_reason: dict[str, int] = {}
    by_rule: dict[str, int] = {}
    para_in = chars_in = chars_removed = 0
    for doc in DOCS:
        kept: list[tuple[int, str]] = []
        for line, raw, action in doc["lines"]:
            para_in += 1
            chars_in += len(raw)
            if action is None:
                kept.append((line, raw.strip()))
            elif action[0] == "edit":
                kept.append((line, action[2]))
                edits.append(
                    {
                        "doc_id": doc["doc_id"],
                        "line": line,
                        "rule": action[1],
                        "before": raw,
                        "after": action[2],
                    }
                )
            else:
                _, reason, detail, sim = action
                removed.append(
                    {
                        "doc_id": doc["doc_id"],
                        "line": line,
                        "text": raw,
                        "reason": reason,
                        "detail": detail,
                        "similarity": sim,
                    }
                )
                by_reason[reason] = by_reason.get(reason, 0) + 1
                chars_removed += len(raw)
                if reason == "rule":
                    by_rule[detail] = by_rule.get(detail, 0) + 1
        documents.append(
            {
                "doc_id": doc["doc_id"],
                "source": doc["source"],
                "url": doc["url"],
                "title": kept[0][1] if kept else "",
                "text": "\n\n".join(t for _, t in kept[1:]),
                "lines": [n for n, _ in kept],
                "status": doc["status"],
                "duplicate_of": doc.get("duplicate_of"),
                "similarity": doc.get("similarity"),
                "reject_reason": doc.get("reject_reason"),
            }
        )
    dump_jsonl(HERE / "documents.jsonl", documents)
    dump_jsonl(HERE / "removed.jsonl", removed)
    dump_jsonl(HERE / "edits.jsonl", edits)
    dump_jsonl(
        HERE / "clusters.jsonl",
        [
            {
                "canonical": "hanoi-pact",
                "members": [{"doc_id": "hanoi-pact-copy", "similarity": 0.93}],
            }
        ],
    )
    dump_jsonl(
        HERE / "boilerplate.jsonl",
        [
            {
                "text": "Read more: Hanoi tourism news",
                "representative": "hanoi-pact:4",
                "documents": 3,
                "paragraphs": 3,
            }
        ],
    )
    (HERE / "validation.json").write_text(
        json.dumps(
            {"status": "failed", "findings": FINDINGS, "notes": []}, indent=2, ensure_ascii=False
        )
        + "\n",
        "utf-8",
    )
    status = [d["status"] for d in DOCS]
    files = {
        name: hashlib.sha256((HERE / name).read_bytes()).hexdigest()
        for name in (
            "documents.jsonl",
            "removed.jsonl",
            "edits.jsonl",
            "clusters.jsonl",
            "boilerplate.jsonl",
            "validation.json",
        )
    }
    manifest = {
        "tool": "dedup",
        "version": "0.1.0",
        "format": 1,
        "created": "2025-01-01T00:00:00Z",
        "command": ["dedup", "clean", "site/", "--out", "run"],
        "parameters": {
            "jobs": 2,
            "neardup": {"num_perm": 128, "threshold": 0.8},
            "validation": {"min_words": 30},
        },
        "rules": [
            {**pack, "sha256": hashlib.sha256(pack["path"].encode()).hexdigest()} for pack in RULES
        ],
        "inputs": [{"path": "site", "kind": "txt-folder", "files": []}],
        "counts": {
            "documents": {
                "in": len(DOCS),
                "kept": status.count("kept"),
                "duplicate": status.count("duplicate"),
                "rejected": status.count("rejected"),
            },
            "paragraphs": {"in": para_in, "kept": para_in - len(removed), "removed": len(removed)},
            "characters": {"in": chars_in, "removed": chars_removed},
            "removed_by_reason": by_reason,
            "removed_by_rule": by_rule,
        },
        "neardup": {"scheme": {"num_perm": 128}, "clusters": 1, "boilerplate_groups": 1},
        "timings": {
            "read": 0.01,
            "map": 0.2,
            "reduce": 0.05,
            "validate": 0.03,
            "write": 0.01,
            "total": 0.3,
        },
        "validation": {
            "status": "failed",
            "findings": len(FINDINGS),
            "by_check": {"min_words": 1, "no_markup": 1},
        },
        "files": files,
    }
    (HERE / "manifest.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "utf-8"
    )


if __name__ == "__main__":
    main()
