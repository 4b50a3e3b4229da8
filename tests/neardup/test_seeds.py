"""Rules + near-duplicate stages on the five seeds against the gold labels."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from dedup.model import REASON_CAPTION, REASON_REPEATED
from dedup.pipeline import Corpus
from tests.neardup.helpers import DATA, REPO, run

SEED_004 = "004_1a6ee8431759ad64.txt"
SEED_000 = "000_696bed363dc6c5d1.txt"
SEED_001 = "001_ed95b58e70d554b5.txt"


def _gold() -> dict[tuple[str, int], str]:
    with (DATA / "seeds.labels.tsv").open(encoding="utf-8") as fh:
        return {(r["file"], int(r["line"])): r["label"] for r in csv.DictReader(fh, delimiter="\t")}


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    from dedup.ruleset import load_rules

    rules = load_rules([REPO / "rules"]).stage()
    seeds = sorted((REPO / "seeds").glob("*.txt"))
    return run([(p.name, p.read_text(encoding="utf-8")) for p in seeds], extra_map=[rules])


def _removal(corpus: Corpus, doc_id: str, line: int):  # type: ignore[no-untyped-def]
    doc = next(d for d in corpus.documents if d.doc_id == doc_id)
    return next(p for p in doc.paragraphs if p.line == line).removal


def test_no_gold_keep_line_removed_and_every_drop_removed(corpus: Corpus) -> None:
    gold = _gold()
    wrong = []
    for doc in corpus.documents:
        for p in doc.paragraphs:
            label = gold.get((doc.doc_id, p.line))
            if label in (None, "either"):
                continue
            if (label == "drop") != (p.removal is not None):
                wrong.append((doc.doc_id, p.line, label, p.removal))
    assert wrong == []


def test_seed_004_repeats_point_to_their_first_occurrence(corpus: Corpus) -> None:
    for line, twin in zip((11, 12, 13, 14), (5, 6, 7, 8), strict=True):
        removal = _removal(corpus, SEED_004, line)
        assert removal is not None
        assert removal.reason == REASON_REPEATED
        assert removal.detail == f"{SEED_004}:{twin}"
        assert removal.similarity == 1.0


def test_caption_echoes_removed_and_subheading_kept(corpus: Corpus) -> None:
    assert _removal(corpus, SEED_000, 11).reason == REASON_CAPTION  # type: ignore[union-attr]
    r19 = _removal(corpus, SEED_000, 19)
    assert r19 is not None and r19.reason == REASON_CAPTION
    assert r19.detail == f"{SEED_000}:20"
    assert _removal(corpus, SEED_001, 30) is None  # "Pushing for Moscow House in Hanoi"


def test_facts_published(corpus: Corpus) -> None:
    facts = corpus.facts
    assert facts["clusters"] == [] and facts["boilerplate"] == []
    scheme = facts["neardup_scheme"]
    assert scheme["num_perm"] == 128 and scheme["datasketch_scheme"] == "affine32"
    assert scheme["normalization"]
    counts = facts["stage_counts"]
    assert counts["neardup-repeated"]["removed"] >= 4
    assert counts["neardup-caption"]["removed"] == 2
    assert "skipped" in counts["neardup-boilerplate"]  # 5 documents < minimum corpus
    assert all(isinstance(Path(d.doc_id).name, str) for d in corpus.documents)
