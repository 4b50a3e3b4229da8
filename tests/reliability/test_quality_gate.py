"""Quality gate (trafilatura's eval-gate pattern): the seeds' gold score is pinned as a
floor in tests/data/quality_floor.json, so a change that lowers it fails CI.

Scored lines are those labelled ``keep`` or ``drop`` (``either`` is free). Drop recall =
gold drops removed / gold drops; drop precision = gold drops removed / scored lines
removed."""

from __future__ import annotations

import json
from pathlib import Path

from helpers_reliability import DATA, SEEDS, jsonl

from dedup.api import clean
from dedup.config import build_config

FLOOR = json.loads((DATA / "quality_floor.json").read_text(encoding="utf-8"))


def _gold() -> dict[tuple[str, int], str]:
    rows = (DATA / "seeds.labels.tsv").read_text(encoding="utf-8").splitlines()[1:]
    out = {}
    for row in rows:
        name, line, label, *_ = row.split("\t")
        if label in ("keep", "drop"):
            out[(name, int(line))] = label
    return out


def test_seeds_gold_score_is_at_least_the_pinned_floor(tmp_path: Path) -> None:
    clean([SEEDS], tmp_path / "out", build_config({"jobs": 1}), validate=False)
    removed = {(r["doc_id"], r["line"]) for r in jsonl(tmp_path / "out" / "removed.jsonl")}
    gold = _gold()
    drops = {k for k, label in gold.items() if label == "drop"}
    removed_scored = removed & gold.keys()
    true_pos = len(drops & removed)
    recall = true_pos / len(drops)
    precision = true_pos / len(removed_scored) if removed_scored else 1.0
    print(
        f"seeds gold: drop recall {recall:.3f} (floor {FLOOR['drop_recall']:.3f}), "
        f"drop precision {precision:.3f} (floor {FLOOR['drop_precision']:.3f}); "
        f"{len(gold)} scored lines, {len(drops)} drops"
    )
    assert len(gold) > 100 and drops  # the gold file is really there
    assert recall >= FLOOR["drop_recall"], sorted(drops - removed)
    assert precision >= FLOOR["drop_precision"], sorted(removed_scored - drops)
