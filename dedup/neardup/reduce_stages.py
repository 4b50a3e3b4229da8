"""The corpus-wide (reduce) stages: near-duplicate documents, then boilerplate.

They read only the signature data in ``doc.meta`` and document ids, plus the normalised
text of the candidate pairs they verify. Documents are in input order, so every decision
(the canonical document, the representative paragraph) is deterministic whatever the
number of worker processes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from dedup.model import REASON_BOILERPLATE, Document
from dedup.neardup.lsh import candidate_pairs, candidate_pairs_in_blocks
from dedup.neardup.params import Params
from dedup.neardup.signatures import estimate_jaccard
from dedup.neardup.sketch import DocSketch, get_sketch
from dedup.neardup.verification import UnionFind, jaccard, same_numbers, shingle_set, verify
from dedup.pipeline import Corpus

log = logging.getLogger(__name__)

# LSH candidates whose MinHash estimate is this far below the threshold are not verified
# (the estimate's standard deviation at J=0.8 with 128 permutations is 0.035).
_ESTIMATE_SLACK = 0.15
# doc.meta flag: the boilerplate stage removed lines of this document (the caption test
# runs again on it after the reduce phase; see :func:`dedup.neardup.api.caption_recheck`).
BOILERPLATE_TOUCHED = "boilerplate_touched"
# Paragraph bands sorted at a time by the boilerplate stage (memory, not speed: see
# candidate_pairs_in_blocks).
_BANDS_PER_BLOCK = 5


def _stage_counts(corpus: Corpus) -> dict[str, dict[str, Any]]:
    counts: dict[str, dict[str, Any]] = corpus.facts.setdefault("stage_counts", {})
    return counts


def _signed(corpus: Corpus) -> list[tuple[Document, DocSketch]]:
    out = []
    for doc in corpus.documents:
        sketch = get_sketch(doc)
        if doc.status == "kept" and sketch is not None and sketch.doc_keys is not None:
            out.append((doc, sketch))
    return out


class DocumentClusterStage:
    """Near-duplicate documents: LSH on document signatures, exact shingle-Jaccard
    verification, union-find. The canonical document of a cluster is the one with the most
    kept (normalised) characters, ties broken by input order; the others become
    ``duplicate`` with ``duplicate_of`` and their similarity to the canonical one.
    """

    name = "neardup-documents"

    def __init__(self, params: Params) -> None:
        self.params = params

    def run(self, corpus: Corpus) -> None:
        self._publish_map_counts(corpus)
        cfg = self.params.config
        signed = [(d, s) for d, s in _signed(corpus) if len(s.index) > 0]
        counts = {"documents": len(signed), "candidates": 0, "verified": 0, "duplicates": 0}
        clusters: list[tuple[int, dict[str, Any]]] = []
        if len(signed) >= 2:
            keys = np.stack([s.doc_keys for _, s in signed if s.doc_keys is not None])
            pairs = candidate_pairs(keys)
            counts["candidates"] = len(pairs)
            sets: dict[int, set[int]] = {}

            def shingles_of(i: int) -> set[int]:
                if i not in sets:
                    doc, sk = signed[i]
                    norms = [doc.paragraphs[j].norm for j in sk.index.tolist()]
                    sets[i] = shingle_set(norms, cfg.shingle_size)
                return sets[i]

            def similarity(a: int, b: int) -> float:
                # Same kept paragraphs (their exact hashes, in order): the same shingle set,
                # without shingling either (exact copies are most clusters' members).
                if np.array_equal(signed[a][1].exact, signed[b][1].exact):
                    return 1.0
                return jaccard(shingles_of(a), shingles_of(b))

            uf = UnionFind(len(signed))
            for a, b in pairs.tolist():
                sig_a, sig_b = signed[a][1].doc_sig, signed[b][1].doc_sig
                assert sig_a is not None and sig_b is not None
                if estimate_jaccard(sig_a, sig_b) < cfg.doc_threshold - _ESTIMATE_SLACK:
                    continue
                if similarity(a, b) >= cfg.doc_threshold:
                    counts["verified"] += 1
                    uf.union(a, b)
            for members in uf.groups().values():
                canonical = max(members, key=lambda i: (signed[i][1].kept_chars, -i))
                canon_doc = signed[canonical][0]
                entry: dict[str, Any] = {"canonical": canon_doc.doc_id, "members": []}
                for i in members:
                    if i == canonical:
                        continue
                    sim = round(similarity(canonical, i), 4)
                    doc = signed[i][0]
                    doc.status = "duplicate"
                    doc.duplicate_of = canon_doc.doc_id
                    doc.similarity = sim
                    entry["members"].append({"doc_id": doc.doc_id, "similarity": sim})
                    counts["duplicates"] += 1
                clusters.append((min(members), entry))
        clusters.sort(key=lambda item: item[0])
        corpus.facts["clusters"] = [entry for _, entry in clusters]
        counts["clusters"] = len(clusters)
        _stage_counts(corpus)[self.name] = counts
        log.info("near-duplicate documents: %s", counts)

    def _publish_map_counts(self, corpus: Corpus) -> None:
        corpus.facts["neardup_scheme"] = self.params.scheme()
        totals = _stage_counts(corpus)
        for doc in corpus.documents:
            sketch = get_sketch(doc)
            if sketch is None:
                continue
            for stage, bucket in sketch.counts.items():
                into = totals.setdefault(stage, {})
                for key, value in bucket.items():
                    into[key] = into.get(key, 0) + value


class BoilerplateStage:
    """Paragraphs whose near-duplicates occur in at least ``--boilerplate-min-docs``
    distinct documents (duplicates of one article count once: only kept documents take
    part). Every occurrence is removed; the representative is the first in input order.

    One exception: a headline that other pages list ("Most read", "Related") is still the
    title of its own article. When exactly one occurrence is its document's first kept
    line, that one stays and is the representative (the kept twin); a line that opens
    many documents (a site name, "Log in") has no such owner and goes everywhere.
    """

    name = "neardup-boilerplate"

    def __init__(self, params: Params) -> None:
        self.params = params

    def run(self, corpus: Corpus) -> None:
        cfg = self.params.config
        signed = _signed(corpus)
        counts: dict[str, Any] = {"documents": len(signed), "candidates": 0, "groups": 0}
        groups: list[dict[str, Any]] = []
        if len(signed) < cfg.boilerplate_min_corpus:
            counts["skipped"] = f"fewer than {cfg.boilerplate_min_corpus} documents"
        else:
            groups = self._find(signed, counts)
        corpus.facts["boilerplate"] = groups
        counts["groups"] = len(groups)
        _stage_counts(corpus)[self.name] = counts

    def _find(
        self, signed: list[tuple[Document, DocSketch]], counts: dict[str, Any]
    ) -> list[dict[str, Any]]:
        cfg = self.params.config
        doc_of = np.concatenate(
            [np.full(len(s.index), d, dtype=np.int64) for d, (_, s) in enumerate(signed)]
        )
        para_of = np.concatenate([s.index.astype(np.int64) for _, s in signed])
        exact = np.concatenate([s.exact for _, s in signed])

        def key_blocks() -> Iterator[npt.NDArray[np.uint64]]:
            # A few bands at a time, then the exact hashes (see candidate_pairs_in_blocks).
            bands = self.params.para_bands
            for lo in range(0, bands, _BANDS_PER_BLOCK):
                yield np.concatenate(
                    [s.para_keys[:, lo : lo + _BANDS_PER_BLOCK] for _, s in signed]
                )
            yield exact.reshape(-1, 1)

        pairs = candidate_pairs_in_blocks(key_blocks())
        pairs = pairs[doc_of[pairs[:, 0]] != doc_of[pairs[:, 1]]]
        counts["candidates"] = len(pairs)

        # Python lists for the per-pair loop: numpy scalar indexing costs ~100 ns a time.
        doc_rows, para_rows, exact_rows = doc_of.tolist(), para_of.tolist(), exact.tolist()

        def para(row: int) -> Any:
            return signed[doc_rows[row]][0].paragraphs[para_rows[row]]

        uf = UnionFind(len(doc_of))
        same = (exact[pairs[:, 0]] == exact[pairs[:, 1]]).tolist()
        for (a, b), identical in zip(pairs.tolist(), same, strict=True):
            # Near, not equal: the same numbers too. Templated stories (earnings, scores,
            # a dated morning briefing's title) differ only in their numbers, and those
            # are their facts: 197 of 200 earnings reports lost every paragraph without it.
            if identical or (
                verify(para(a).norm, para(b).norm, cfg.paragraph_similarity)
                and same_numbers(para(a).norm, para(b).norm)
            ):
                uf.union(a, b)
        first_kept: dict[int, int] = {}

        def opens_document(row: int) -> bool:
            d = doc_rows[row]
            if d not in first_kept:
                paragraphs = signed[d][0].paragraphs
                first_kept[d] = next((i for i, p in enumerate(paragraphs) if p.kept), -1)
            return bool(first_kept[d] == para_rows[row])

        out: list[dict[str, Any]] = []
        removed = 0
        for root, members in sorted(uf.groups().items()):
            n_docs = len({doc_rows[m] for m in members})
            if n_docs < cfg.boilerplate_min_docs:
                continue
            titles = [m for m in members if opens_document(m)]
            owner = titles[0] if len(titles) == 1 else None
            kept_twin = root if owner is None else owner
            rep = para(kept_twin)
            rep_id = f"{signed[doc_rows[kept_twin]][0].doc_id}:{rep.line}"
            for m in members:
                if m == owner:
                    continue
                p = para(m)
                same = exact_rows[m] == exact_rows[kept_twin]
                sim = 1.0 if same else verify(rep.norm, p.norm)
                if p.remove(REASON_BOILERPLATE, rep_id, round(sim, 4)):
                    removed += 1
                    signed[doc_rows[m]][0].meta[BOILERPLATE_TOUCHED] = True
            out.append(
                {
                    "text": rep.text,
                    "representative": rep_id,
                    "documents": n_docs,
                    "paragraphs": len(members),
                }
            )
        counts["removed"] = removed
        return out


class ReleaseParagraphKeysStage:
    """Drops the per-paragraph arrays once the paragraph stages have used them.

    Paragraph band keys are the bulk of the sketches (26 uint64 per kept paragraph, ~110 MB
    at 100 MB of text); what runs after (validation, the index lookup) needs only the
    document signature and keys. Freeing them keeps validation within the memory budget.
    """

    name = "neardup-release"

    def run(self, corpus: Corpus) -> None:
        empty_keys = np.empty((0, 0), dtype=np.uint64)
        empty_exact = np.empty(0, dtype=np.uint64)
        for doc in corpus.documents:
            sketch = get_sketch(doc)
            if sketch is not None:
                sketch.para_keys = empty_keys
                sketch.exact = empty_exact
                sketch.sigs = None
