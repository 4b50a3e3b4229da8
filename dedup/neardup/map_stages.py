"""The per-document (map) stages: pure functions of one document and the parameters.

Order: ``neardup-sign`` (paragraph signatures of the kept paragraphs), ``neardup-repeated``
(repeats inside the document), ``neardup-caption`` (caption echoes), ``neardup-docsign``
(document signature of what is left, LSH band keys). Repeats and caption echoes only look
inside one document, so they run here, in parallel, rather than in the reduce phase.
"""

from __future__ import annotations

import numpy as np

from dedup.model import REASON_CAPTION, REASON_REPEATED, Document, Paragraph
from dedup.neardup.lsh import band_keys, candidate_pairs
from dedup.neardup.params import Params
from dedup.neardup.signatures import exact_hash, tokens
from dedup.neardup.sketch import META_KEY, DocSketch, get_sketch
from dedup.neardup.verify import UnionFind, verify

# A caption is a label, not a sentence: it does not end like one.
_TERMINAL = tuple(".!?:;…\"'")


def twin(doc: Document, p: Paragraph) -> str:
    return f"{doc.doc_id}:{p.line}"


class SignStage:
    """Signatures, exact hashes and paragraph band keys of the kept paragraphs."""

    name = "neardup-sign"

    def __init__(self, params: Params) -> None:
        self.params = params

    def process(self, doc: Document) -> Document:
        index = np.array([i for i, p in enumerate(doc.paragraphs) if p.removal is None], np.int32)
        norms = [doc.paragraphs[i].norm for i in index.tolist()]
        sigs = self.params.signer.paragraph_signatures(norms)
        exact = np.fromiter(map(exact_hash, norms), dtype=np.uint64, count=len(norms))
        keys = band_keys(sigs, self.params.para_bands, self.params.para_rows)
        sketch = DocSketch(index=index, exact=exact, sigs=sigs, para_keys=keys)
        sketch.count(self.name, "paragraphs", len(norms))
        doc.meta[META_KEY] = sketch
        return doc


class RepeatStage:
    """Exact and near repeats of a paragraph inside one document; the first one stays."""

    name = "neardup-repeated"

    def __init__(self, params: Params) -> None:
        self.params = params

    def process(self, doc: Document) -> Document:
        sketch = get_sketch(doc)
        if sketch is None or len(sketch.index) < 2:
            return doc
        n = len(sketch.index)
        keys = np.concatenate([sketch.para_keys, sketch.exact.reshape(-1, 1)], axis=1)
        pairs = candidate_pairs(keys)
        if len(pairs) == 0:
            return doc
        cutoff = self.params.config.paragraph_similarity
        paras = [doc.paragraphs[i] for i in sketch.index.tolist()]
        uf = UnionFind(n)
        for a, b in pairs.tolist():  # sorted by (a, b): earlier rows link first
            if sketch.exact[a] == sketch.exact[b] or verify(paras[a].norm, paras[b].norm, cutoff):
                uf.union(a, b)
        removed = np.zeros(n, dtype=bool)
        for root, members in uf.groups().items():
            first = paras[root]
            for m in members[1:]:
                same = sketch.exact[m] == sketch.exact[root]
                sim = 1.0 if same else verify(first.norm, paras[m].norm)
                if paras[m].remove(REASON_REPEATED, twin(doc, first), round(sim, 4)):
                    removed[m] = True
        if removed.any():
            sketch.select(~removed)
            sketch.count(self.name, "removed", int(removed.sum()))
        return doc


class CaptionStage:
    """Caption echoes: a short line, not ending like a sentence, whose words reappear in a
    longer paragraph a few kept paragraphs before or after it (photo captions naming the
    person the next paragraph quotes). A subheading rarely has all its words in one
    neighbouring paragraph; ``--caption-similarity`` sets how many must reappear.
    """

    name = "neardup-caption"

    def __init__(self, params: Params) -> None:
        self.params = params

    def process(self, doc: Document) -> Document:
        cfg = self.params.config
        kept = [p for p in doc.paragraphs if p.removal is None]
        if len(kept) < 2:
            return doc
        token_sets = [set(tokens(p.norm)) for p in kept]
        word_counts = [len(tokens(p.norm)) for p in kept]
        echoes: list[tuple[int, int, float]] = []
        for k, p in enumerate(kept):
            if not cfg.caption_min_words <= word_counts[k] <= cfg.caption_max_words:
                continue
            if p.norm.endswith(_TERMINAL):
                continue
            lo, hi = max(0, k - cfg.caption_window), min(len(kept), k + cfg.caption_window + 1)
            found: list[tuple[float, int, bool, int]] = []
            for j in range(lo, hi):
                if j == k or word_counts[j] <= word_counts[k]:
                    continue
                cover = len(token_sets[k] & token_sets[j]) / len(token_sets[k])
                if cover >= cfg.caption_similarity:
                    # best coverage, then the nearest, then the one after the caption
                    found.append((cover, -abs(j - k), j > k, j))
            if found:
                cover, _, _, j = max(found)
                echoes.append((k, j, cover))
        removed = 0
        for k, j, cover in echoes:
            if kept[k].remove(REASON_CAPTION, twin(doc, kept[j]), round(cover, 4)):
                removed += 1
        sketch = get_sketch(doc)
        if sketch is not None and removed:
            keep = np.array([doc.paragraphs[i].removal is None for i in sketch.index.tolist()])
            sketch.select(keep)
            sketch.count(self.name, "removed", removed)
        return doc


class DocSignStage:
    """Document signature (element-wise minimum of the kept paragraphs') and band keys."""

    name = "neardup-docsign"

    def __init__(self, params: Params, keep_paragraph_signatures: bool = False) -> None:
        self.params = params
        self.keep_paragraph_signatures = keep_paragraph_signatures

    def process(self, doc: Document) -> Document:
        sketch = get_sketch(doc)
        if sketch is None:
            return doc
        signer = self.params.signer
        sigs = sketch.sigs if sketch.sigs is not None else signer.empty.reshape(1, -1)[:0]
        sketch.doc_sig = signer.document_signature(sigs)
        sketch.doc_keys = band_keys(sketch.doc_sig, self.params.doc_bands, self.params.doc_rows)
        sketch.kept_chars = sum(len(doc.paragraphs[i].norm) for i in sketch.index.tolist())
        if not self.keep_paragraph_signatures:
            sketch.sigs = None
        return doc
