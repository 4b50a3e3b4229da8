"""Benchmark of ``dedup clean`` and the near-duplicate stages (not a timed test).

Prints, for a scaled corpus of ``--size`` MB (built once by ``benchmarks/corpus.py`` under
``build/bench/``):

* end-to-end ``dedup clean`` (rules + near-dup stages + writing; ``--jobs``), run as a
  subprocess under ``/usr/bin/time -v``: wall time, MB/s, documents/s, peak RSS;
* per stage, in this process on the first ``--stage-mb`` MB: seconds and MB/s (one core);
* the naive datasketch baseline (``MinHash()`` + ``update()`` per shingle) and the
  engine's numpy signatures on the same ``--baseline-mb`` MB;
* near-duplicate precision and recall on the known perturbed pairs at the default
  threshold (truth: exact shingle Jaccard of the cleaned texts).

Usage: ``python benchmarks/run.py --size 100 [--jobs 2]``
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from datasketch import MinHash

from dedup.config import DedupConfig
from dedup.mapping import BATCH_DOCUMENTS, build_corpus_stages, build_document_stages
from dedup.model import Document
from dedup.neardup import shingles, verify_documents
from dedup.neardup.signatures import Signer
from dedup.pipeline import BatchDocumentStage, Corpus
from dedup.text import normalize, segment

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
from corpus import build  # noqa: E402


def _items(path: Path, limit_bytes: float) -> list[dict[str, str]]:
    out, size = [], 0
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            item = json.loads(line)
            out.append(item)
            size += len(item["text"].encode())
            if size >= limit_bytes:
                break
    return out


def _mb(items: list[dict[str, str]]) -> float:
    return sum(len(i["text"].encode()) for i in items) / 1e6


def end_to_end(corpus: Path, out: Path, jobs: int, mb: float, docs: int) -> dict[str, float]:
    shutil.rmtree(out, ignore_errors=True)
    dedup = str(Path(sys.executable).parent / "dedup")
    cmd = ["/usr/bin/time", "-v", dedup, "clean", str(corpus), "--out", str(out)]
    cmd += ["--jobs", str(jobs), "--no-validate", "-q"]
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    if proc.returncode not in (0, 1):
        print(proc.stderr[-2000:])
    return {
        "seconds": round(wall, 2),
        "mb_per_s": round(mb / wall, 2),
        "docs_per_s": round(docs / wall, 1),
        "peak_rss_mb": round(int(rss.group(1)) / 1024, 1) if rss else -1.0,
        "exit": proc.returncode,
    }


def per_stage(items: list[dict[str, str]]) -> dict[str, float]:
    """Seconds per stage, one core: the map stages exactly as ``dedup clean`` chains them
    (``mapping.build_document_stages``, batches of ``mapping.BATCH_DOCUMENTS``), then the reduce."""
    config = DedupConfig()
    maps, _ = build_document_stages(config)
    reduces = build_corpus_stages(config)
    spent: dict[str, float] = defaultdict(float)
    docs: list[Document] = []
    for start in range(0, len(items), BATCH_DOCUMENTS):
        t = time.perf_counter()
        batch = [
            Document(doc_id=i["id"], source=i["id"], paragraphs=segment(i["text"]))
            for i in items[start : start + BATCH_DOCUMENTS]
        ]
        spent["segment"] += time.perf_counter() - t
        for stage in maps:
            t = time.perf_counter()
            if isinstance(stage, BatchDocumentStage):
                batch = stage.process_batch(batch)
            else:
                batch = [stage.process(d) for d in batch]
            spent[stage.name] += time.perf_counter() - t
        docs.extend(batch)
    corpus = Corpus(docs)
    for reduce in reduces:
        t = time.perf_counter()
        reduce.run(corpus)
        spent[reduce.name] += time.perf_counter() - t
    return dict(spent)


def baseline(items: list[dict[str, str]]) -> dict[str, float]:
    norms = [[normalize(x) for x in i["text"].split("\n") if x.strip()] for i in items]
    t = time.perf_counter()
    for doc in norms:
        m = MinHash(num_perm=128)
        for line in doc:
            for sh in shingles(line):
                m.update(sh)
    naive = time.perf_counter() - t
    signer = Signer()
    t = time.perf_counter()
    for doc in norms:
        signer.document_signature(signer.paragraph_signatures(doc))
    ours = time.perf_counter() - t
    return {"datasketch_update_s": naive, "engine_numpy_s": ours}


def quality(corpus: Path, out: Path, threshold: float) -> dict[str, float]:
    """Precision/recall of document clusters against the exact shingle Jaccard of the
    cleaned texts (what the engine is asked to compare: a perturbed copy whose swapped
    paragraph moved site chrome up can lose most of its text to the rules)."""
    kept: dict[str, list[str]] = {}
    with (out / "documents.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            if d["status"] != "rejected":
                body = [d["title"], *d["text"].split("\n\n")]
                kept[d["doc_id"]] = [normalize(x) for x in body if x.strip()]

    found = set()
    for line in (out / "clusters.jsonl").read_text().splitlines():
        c = json.loads(line)
        ids = sorted([c["canonical"], *(m["doc_id"] for m in c["members"])])
        found.update(itertools.combinations(ids, 2))
    known = set()
    for line in (corpus.parent / "pairs.jsonl").read_text().splitlines():
        p = json.loads(line)
        pair = tuple(sorted((p["a"], p["b"])))
        if pair[0] in kept and pair[1] in kept:
            known.add(pair)
    sims = {pair: verify_documents(kept[pair[0]], kept[pair[1]]) for pair in found | known}
    truth = {pair for pair in known | found if sims[pair] >= threshold}
    tp = len(found & truth)
    return {
        "pairs_true": len(truth),
        "pairs_found": len(found),
        "precision": round(tp / len(found), 4) if found else 1.0,
        "recall": round(tp / len(truth), 4) if truth else 1.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=float, default=10, help="corpus size, MB")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--stage-mb", type=float, default=10)
    parser.add_argument("--baseline-mb", type=float, default=5)
    parser.add_argument("--work", type=Path, default=REPO / "build" / "bench")
    args = parser.parse_args()

    folder = args.work / f"{args.size:g}mb"
    corpus = folder / "corpus.jsonl"
    if not corpus.is_file():
        print(f"building {args.size:g} MB corpus in {folder} ...", flush=True)
        build(args.size, folder)
    stats = json.loads((folder / "stats.json").read_text())
    mb, docs = stats["bytes"] / 1e6, stats["documents"]
    print(
        f"corpus: {mb:.1f} MB, {docs} documents ({stats['exact']} exact, "
        f"{stats['near']} near copies)"
    )

    e2e = end_to_end(corpus, folder / "out", args.jobs, mb, docs)
    print(
        f"dedup clean --jobs {args.jobs}: {e2e['seconds']} s, {e2e['mb_per_s']} MB/s, "
        f"{e2e['docs_per_s']} docs/s, peak RSS {e2e['peak_rss_mb']} MB (exit {e2e['exit']})"
    )
    manifest = json.loads((folder / "out" / "manifest.json").read_text())
    print(f"  manifest timings: {manifest.get('timings')}")

    sample = _items(corpus, args.stage_mb * 1e6)
    smb = _mb(sample)
    print(f"per stage, one core, first {smb:.1f} MB ({len(sample)} documents):")
    for name, seconds in per_stage(sample).items():
        print(
            f"  {name:22s} {seconds:7.2f} s {smb / seconds:8.1f} MB/s "
            f"{len(sample) / seconds:9.0f} docs/s"
        )

    base_items = _items(corpus, args.baseline_mb * 1e6)
    bmb = _mb(base_items)
    b = baseline(base_items)
    print(
        f"signatures on the first {bmb:.1f} MB, one core: naive datasketch MinHash.update() "
        f"{bmb / b['datasketch_update_s']:.2f} MB/s; engine (numpy, same scheme) "
        f"{bmb / b['engine_numpy_s']:.2f} MB/s"
    )

    q = quality(corpus, folder / "out", DedupConfig().neardup.doc_threshold)
    print(
        f"near-duplicate documents at J >= {DedupConfig().neardup.doc_threshold}: "
        f"precision {q['precision']}, recall {q['recall']} "
        f"({q['pairs_true']} true pairs, {q['pairs_found']} found)"
    )


if __name__ == "__main__":
    main()
