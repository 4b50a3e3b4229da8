"""The per-document (map) stages: pure functions of one document and the parameters.

Order: ``neardup-sign`` (paragraph signatures of the kept paragraphs), ``neardup-repeated``
(repeats inside the document), ``neardup-caption`` (caption echoes), ``neardup-docsign``
(document signature of what is left, LSH band keys). Repeats and caption echoes only look
inside one document, so they run here, in parallel, rather than in the reduce phase.
"""

from __future__ import annotations

import numpy as np

from dedup.model import REASON_CAPTION, REASON_REPEATED, Document, Paragraph
from dedup.neardup.caption import TERMINAL, capitalised_share, echo_score, ends_sentence
from dedup.neardup.lsh import band_keys, candidate_pairs
from dedup.neardup.params import Params
from dedup.neardup.signatures import exact_hash, tokens
from dedup.neardup.sketch import META_KEY, DocSketch, get_sketch
from dedup.neardup.verification import UnionFind, same_numbers, verify
from dedup.text.normalize import is_stage_direction, word_count


def twin(doc: Document, p: Paragraph) -> str:
    return f"{doc.doc_id}:{p.line}"


class SignStage:
    """Signatures, exact hashes and paragraph band keys of the kept paragraphs."""

    name = "neardup-sign"

    def __init__(self, params: Params) -> None:
        self.params = params

    def process(self, doc: Document) -> Document:
        return self.process_batch([doc])[0]

    def process_batch(self, docs: list[Document]) -> list[Document]:
        # One signature pass over all the documents' paragraphs: numpy's fixed cost per
        # call was a third of this stage with one document per call (pyinstrument).
        indexes = [
            np.array([i for i, p in enumerate(d.paragraphs) if p.removal is None], np.int32)
            for d in docs
        ]
        norms = [
            d.paragraphs[i].norm
            for d, index in zip(docs, indexes, strict=True)
            for i in index.tolist()
        ]
        sigs = self.params.signer.paragraph_signatures(norms)
        exact = np.fromiter(map(exact_hash, norms), dtype=np.uint64, count=len(norms))
        keys = band_keys(sigs, self.params.para_bands, self.params.para_rows)
        start = 0
        for doc, index in zip(docs, indexes, strict=True):
            end = start + len(index)
            # Copies, not views: a view would pickle (to the main process) fine but keep
            # the whole batch's arrays alive as long as any one document's sketch.
            sketch = DocSketch(
                index=index,
                exact=exact[start:end].copy(),
                sigs=sigs[start:end].copy(),
                para_keys=keys[start:end].copy(),
            )
            sketch.count(self.name, "paragraphs", end - start)
            doc.meta[META_KEY] = sketch
            start = end
        return docs


class RepeatStage:
    """Exact and near repeats of a paragraph inside one document; the first one stays.

    A near repeat has at least ``repeat_near_min_words`` words and the same numbers as its
    twin (:func:`~dedup.neardup.verification.same_numbers`).
    """

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
        min_words = self.params.config.repeat_near_min_words
        uf = UnionFind(n)
        for a, b in pairs.tolist():  # sorted by (a, b): earlier rows link first
            same = sketch.exact[a] == sketch.exact[b]
            if same or (
                min(word_count(paras[a].norm), word_count(paras[b].norm)) >= min_words
                and same_numbers(paras[a].norm, paras[b].norm)
                and verify(paras[a].norm, paras[b].norm, cutoff)
            ):
                uf.union(a, b)
        removed = np.zeros(n, dtype=bool)
        for root, members in uf.groups().items():
            first = paras[root]
            if is_stage_direction(first.norm):
                continue
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
    """Caption echoes: a short label line repeated by a following paragraph (see
    :mod:`dedup.neardup.caption` for the test and why each part of it is there).
    """

    name = "neardup-caption"

    def __init__(self, params: Params) -> None:
        self.params = params

    def process(self, doc: Document) -> Document:
        removed = self.remove_echoed(doc)
        sketch = get_sketch(doc)
        if sketch is not None and removed:
            sketch.drop_removed(doc)
            sketch.count(self.name, "removed", removed)
        return doc

    def remove_echoed(self, doc: Document) -> int:
        """Remove the captions the kept paragraphs echo; return how many went. Also run
        after the reduce phase on the documents whose boilerplate went (a caption can then
        stand within reach of its echo), where the sketch is no longer updated."""
        cfg = self.params.config
        kept = [p for p in doc.paragraphs if p.removal is None]
        if len(kept) < 2:
            return 0
        toks: dict[int, list[bytes]] = {}

        def toks_of(i: int) -> list[bytes]:
            if i not in toks:
                toks[i] = tokens(kept[i].norm)
            return toks[i]

        removed = 0
        # k == 0 is the title: a lead that restates it is no caption echo.
        for k in range(1, len(kept) - 1):
            p = kept[k]
            if p.norm.endswith(TERMINAL) or word_count(p.norm) < cfg.caption_min_words:
                continue  # cheap filters first (a word count never exceeds spaces + 1)
            if not cfg.caption_min_words <= len(toks_of(k)) <= cfg.caption_max_words:
                continue
            if capitalised_share(p.norm) < 0.5:
                continue
            for j in range(k + 1, min(len(kept), k + 1 + cfg.caption_window)):
                if not ends_sentence(kept[j].norm):
                    continue  # the echo is body text: a sentence, not another label
                score = echo_score(
                    toks_of(k), toks_of(j), cfg.caption_similarity, cfg.caption_max_span
                )
                if score is not None:
                    if p.remove(REASON_CAPTION, twin(doc, kept[j]), round(score, 4)):
                        removed += 1
                    break
        return removed


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
        # Stages between signing and here (e.g. the rules settling) may have removed lines.
        sketch.drop_removed(doc)
        signer = self.params.signer
        sigs = sketch.sigs if sketch.sigs is not None else signer.empty.reshape(1, -1)[:0]
        sketch.doc_sig = signer.document_signature(sigs)
        sketch.doc_keys = band_keys(sketch.doc_sig, self.params.doc_bands, self.params.doc_rows)
        sketch.kept_chars = sum(len(doc.paragraphs[i].norm) for i in sketch.index.tolist())
        if not self.keep_paragraph_signatures:
            sketch.sigs = None
        return doc
