"""Size and render time of the HTML report for a fabricated 10,000-document run.

Not a test: prints numbers. The acceptance bar (issue 5) is a report under 10 MB that
loads in a few seconds. Usage::

    .venv/bin/python benchmarks/report_size.py [--docs 10000] [--sample 200] [--browser]

``--browser`` also times loading the page in headless Chromium (if installed).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import tempfile
import time
from pathlib import Path

from dedup.report import render_report

REASONS = ["rule", "rule", "rule", "repeated", "boilerplate", "caption-echo"]
RULES = [f"site/rule-{i}" for i in range(40)]
WORDS = [
    "hanoi",
    "city",
    "council",
    "plan",
    "traffic",
    "river",
    "bridge",
    "market",
    "school",
    "hospital",
    "budget",
    "tourism",
    "culture",
    "festival",
    "metro",
    "housing",
    "policy",
    "investment",
    "province",
    "minister",
    "report",
    "growth",
]


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def fabricate(out_dir: Path, docs: int, seed: int = 7) -> None:
    """An output folder in format 1 with realistic shapes: ~25 lines a document."""
    rng = random.Random(seed)
    counts = {"in": 0, "removed": 0, "chars_in": 0, "chars_removed": 0}
    by_reason: dict[str, int] = {}
    by_rule: dict[str, int] = {}
    status_counts = {"kept": 0, "duplicate": 0, "rejected": 0}
    with (
        (out_dir / "documents.jsonl").open("w", encoding="utf-8") as fd,
        (out_dir / "removed.jsonl").open("w", encoding="utf-8") as fr,
        (out_dir / "edits.jsonl").open("w", encoding="utf-8") as fe,
    ):
        for d in range(docs):
            doc_id = f"site/{d:06d}.txt"
            kept: list[tuple[int, str]] = []
            for line in range(1, rng.randint(12, 40) + 1):
                text = sentence(rng, rng.randint(4, 40))
                counts["in"] += 1
                counts["chars_in"] += len(text)
                roll = rng.random()
                if roll < 0.25:
                    reason = rng.choice(REASONS)
                    detail = rng.choice(RULES) if reason == "rule" else f"site/{d:06d}.txt:1"
                    sim = None if reason == "rule" else round(rng.uniform(0.8, 1.0), 3)
                    rec = {
                        "doc_id": doc_id,
                        "line": line,
                        "text": text,
                        "reason": reason,
                        "detail": detail,
                        "similarity": sim,
                    }
                    fr.write(json.dumps(rec) + "\n")
                    counts["removed"] += 1
                    counts["chars_removed"] += len(text)
                    by_reason[reason] = by_reason.get(reason, 0) + 1
                    if reason == "rule":
                        by_rule[detail] = by_rule.get(detail, 0) + 1
                elif roll < 0.28:
                    after = text[10:] or text
                    rec = {
                        "doc_id": doc_id,
                        "line": line,
                        "rule": rng.choice(RULES),
                        "before": text,
                        "after": after,
                    }
                    fe.write(json.dumps(rec) + "\n")
                    kept.append((line, after))
                else:
                    kept.append((line, text))
            status = rng.choices(["kept", "duplicate", "rejected"], [90, 7, 3])[0]
            status_counts[status] += 1
            fd.write(
                json.dumps(
                    {
                        "doc_id": doc_id,
                        "source": doc_id,
                        "url": None,
                        "title": kept[0][1] if kept else "",
                        "text": "\n\n".join(t for _, t in kept[1:]),
                        "lines": [n for n, _ in kept],
                        "status": status,
                        "duplicate_of": "site/000000.txt" if status == "duplicate" else None,
                        "similarity": 0.9 if status == "duplicate" else None,
                        "reject_reason": "min-words" if status == "rejected" else None,
                    }
                )
                + "\n"
            )
    with (out_dir / "clusters.jsonl").open("w", encoding="utf-8") as fc:
        for c in range(docs // 20):
            members = [{"doc_id": f"site/{c * 20 + k:06d}.txt", "similarity": 0.9} for k in (1, 2)]
            fc.write(json.dumps({"canonical": f"site/{c * 20:06d}.txt", "members": members}) + "\n")
    with (out_dir / "boilerplate.jsonl").open("w", encoding="utf-8") as fb:
        for b in range(200):
            fb.write(
                json.dumps(
                    {
                        "text": sentence(rng, 8),
                        "representative": f"site/{b:06d}.txt:2",
                        "documents": rng.randint(2, 500),
                        "paragraphs": 600,
                    }
                )
                + "\n"
            )
    (out_dir / "validation.json").write_text(json.dumps({"status": "passed", "findings": []}))
    manifest = {
        "tool": "dedup",
        "version": "0.1.0",
        "format": 1,
        "created": "2025-01-01T00:00:00Z",
        "command": ["dedup", "clean", "fabricated/"],
        "parameters": {},
        "rules": [
            {
                "path": "rules/site.yaml",
                "pack": "site",
                "sha256": hashlib.sha256(b"site").hexdigest(),
                "rules": [{"id": r, "kind": "drop", "why": "fabricated"} for r in RULES],
            }
        ],
        "inputs": [],
        "counts": {
            "documents": {"in": docs, **status_counts},
            "paragraphs": {
                "in": counts["in"],
                "kept": counts["in"] - counts["removed"],
                "removed": counts["removed"],
            },
            "characters": {"in": counts["chars_in"], "removed": counts["chars_removed"]},
            "removed_by_reason": by_reason,
            "removed_by_rule": by_rule,
        },
        "timings": {"total": 0.0},
        "validation": {"status": "passed", "findings": 0, "by_check": {}},
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest))


def browser_load_seconds(html: Path) -> float | None:
    executable = shutil.which("chromium")
    if executable is None:
        return None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=executable, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        started = time.perf_counter()
        page.goto(html.resolve().as_uri(), wait_until="load")
        elapsed = time.perf_counter() - started
        browser.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--browser", action="store_true", help="also time loading in Chromium")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = Path(tmp) / "run"
        out_dir.mkdir()
        started = time.perf_counter()
        fabricate(out_dir, args.docs)
        fabricated = time.perf_counter() - started
        inputs = sum(p.stat().st_size for p in out_dir.iterdir())
        html = Path(tmp) / "report.html"
        started = time.perf_counter()
        render_report(out_dir, html, sample_limit=args.sample)
        render_s = time.perf_counter() - started
        size = html.stat().st_size
        print(
            f"documents:       {args.docs:,} "
            f"(fabricated in {fabricated:.1f}s, output folder {inputs / 1e6:.1f} MB)"
        )
        print(f"detail sample:   {args.sample:,}")
        print(f"report size:     {size / 1e6:.2f} MB ({'under' if size < 10e6 else 'OVER'} 10 MB)")
        print(f"render time:     {render_s:.2f}s")
        if args.browser:
            load = browser_load_seconds(html)
            print(
                "chromium load:   "
                + (f"{load:.2f}s" if load is not None else "skipped (no chromium/playwright)")
            )


if __name__ == "__main__":
    main()
