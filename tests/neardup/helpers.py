"""Shared helpers: run rules + near-duplicate stages the way the pipeline does."""

from __future__ import annotations

import gzip
import json
import random
import re
from collections.abc import Iterable
from pathlib import Path

from dedup.config import DedupConfig, build_config
from dedup.model import Document
from dedup.neardup import build_stages
from dedup.pipeline import Corpus, DocumentStage, apply_document_stages
from dedup.text import segment

DATA = Path(__file__).resolve().parent.parent / "data"
NEARDUP_DATA = DATA / "neardup"
REPO = Path(__file__).resolve().parent.parent.parent


def make_doc(doc_id: str, text: str) -> Document:
    return Document(doc_id=doc_id, source=doc_id, paragraphs=segment(text))


def run(
    items: Iterable[tuple[str, str]],
    config: DedupConfig | None = None,
    extra_map: list[DocumentStage] | None = None,
) -> Corpus:
    config = config or DedupConfig()
    maps, reduces = build_stages(config)
    stages = [*(extra_map or []), *maps]
    docs = [apply_document_stages(make_doc(i, t), stages) for i, t in items]
    corpus = Corpus(docs)
    for stage in reduces:
        stage.run(corpus)
    return corpus


def bbc_sample() -> list[tuple[str, str]]:
    with gzip.open(NEARDUP_DATA / "bbc_sample.jsonl.gz", "rt", encoding="utf-8") as fh:
        return [(r["id"], r["text"]) for r in map(json.loads, fh)]


def bbc_exact_groups() -> list[list[str]]:
    groups: list[list[str]] = json.loads((NEARDUP_DATA / "bbc_exact_groups.json").read_text())
    return groups


def aeb_ground_truth() -> dict[str, str]:
    with gzip.open(NEARDUP_DATA / "aeb-ground-truth.json.gz", "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    return {k: v["articleBody"] for k, v in data.items()}


def config(**neardup: object) -> DedupConfig:
    return build_config({"neardup": neardup})


def perturb(text: str, rate: float, rng: random.Random) -> str:
    """Delete or substitute about ``rate`` of the words; swap two body paragraphs."""
    paras = [p for p in text.split("\n") if p.strip()]
    out = []
    for p in paras:
        words = p.split(" ")
        new = []
        for w in words:
            r = rng.random()
            if r < rate / 2:
                continue
            if r < rate:
                new.append(re.sub(r"\w", "x", w) + "q")
            else:
                new.append(w)
        out.append(" ".join(new) if new else p)
    if len(out) > 3:
        i, j = rng.sample(range(1, len(out)), 2)
        out[i], out[j] = out[j], out[i]
    return "\n\n".join(out)
