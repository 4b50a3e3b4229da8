from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "report" / "run"


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """A private copy of the hand-made output folder (tests may modify it)."""
    target = tmp_path / "run"
    shutil.copytree(FIXTURE, target)
    return target


@pytest.fixture(scope="session")
def seeds_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """`dedup clean seeds/ --report` through the library: (output folder, report)."""
    from dedup.api import clean
    from dedup.config import build_config

    base = tmp_path_factory.mktemp("seeds")
    out_dir, html = base / "out", base / "reports" / "seeds.html"
    seeds = Path(__file__).resolve().parents[2] / "seeds"
    result = clean([seeds], out_dir, build_config({"jobs": 1}), report=html)
    assert result.report == html
    return out_dir, html


# An id ending in PDI + RLO: the PDI would close a <bdi> isolate early in Chromium, and the
# RLO after it would then reverse the report's own text that follows ("Log in" -> "ni goL").
HOSTILE_ID = "hanoi-culture\u2069\u202e"
# Raw control characters as a scraped page may carry them (NUL, ESC, BEL, DEL, NEL).
CONTROL_TEXT = "Log in\x00\x1b[31m\x07 now\x7f\x85"


def _rewrite_jsonl(path: Path, change: Any) -> None:
    records = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    path.write_text("".join(json.dumps(change(r)) + "\n" for r in records), "utf-8")


@pytest.fixture
def hostile_run_dir(run_dir: Path) -> Path:
    """The hand-made folder with the id ``hanoi-culture`` renamed to :data:`HOSTILE_ID`
    everywhere it is an id (also as a twin ``id:line``) and its removed "Log in" line
    replaced by :data:`CONTROL_TEXT`; its URL carries a C1 control and a U+2029."""

    def rename(value: Any) -> Any:
        if isinstance(value, str) and value.split(":")[0] == "hanoi-culture":
            return HOSTILE_ID + value[len("hanoi-culture") :]
        return value

    def change(rec: dict[str, Any]) -> dict[str, Any]:
        for key in ("doc_id", "detail", "canonical", "duplicate_of", "representative"):
            if key in rec:
                rec[key] = rename(rec[key])
        if rec.get("text") == "Log in" and rec.get("doc_id") == HOSTILE_ID:
            rec["text"] = CONTROL_TEXT
        if rec.get("url"):
            rec["url"] = rec["url"] + "?q=\x9b1\u2029\u202ex"
        return rec

    for name in ("documents.jsonl", "removed.jsonl", "edits.jsonl", "clusters.jsonl"):
        _rewrite_jsonl(run_dir / name, change)
    return run_dir
