"""Corpus-level checks on kept documents: rule leftovers, repeated paragraphs, near-dups.

These need more than one row or an engine, so they run outside pandera; they produce the
same :class:`Finding` records. Heavy imports (rapidfuzz, datasketch) are local.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from dedup.model import Document, Paragraph
from dedup.text import normalize, segment
from dedup.validate.findings import Finding

log = logging.getLogger(__name__)

SCHEMA = "documents.jsonl"

# (doc_id, text) pairs and a threshold -> (earlier doc_id, later doc_id, similarity)
NearDupFinder = Callable[[Sequence[tuple[str, str]], float], Iterable[tuple[str, str, float]]]


class RuleMatcher(Protocol):
    """What validation needs from ``dedup.ruleset.RuleSet``."""

    def would_remove(self, doc: Document) -> list[tuple[int, str]]: ...


@dataclass(frozen=True, slots=True)
class KeptDoc:
    doc_id: str
    row: int | None  # 1-based line in documents.jsonl
    source: str
    url: str | None
    title: str
    text: str
    lines: list[int] | None

    def paragraphs(self) -> list[Paragraph]:
        """Title + body paragraphs, numbered with their raw line numbers when known."""
        paras = segment(self.title + "\n" + self.text)
        if self.lines is not None and len(self.lines) == len(paras):
            for p, raw_line in zip(paras, self.lines, strict=True):
                p.line = raw_line
        return paras

    def document(self) -> Document:
        return Document(self.doc_id, self.source, self.paragraphs(), url=self.url)

    def finding(self, check: str, column: str, case: str, message: str) -> Finding:
        return Finding(SCHEMA, check, column, self.doc_id, self.row, _short(case), message)


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_rule_leftovers(kept: Sequence[KeptDoc], ruleset: RuleMatcher) -> list[Finding]:
    """Cleaning is idempotent: no rule may still match a kept paragraph."""
    findings: list[Finding] = []
    for kd in kept:
        doc = kd.document()
        by_line = {p.line: (i, p) for i, p in enumerate(doc.paragraphs)}
        for line, rule_id in ruleset.would_remove(doc):
            index, para = by_line.get(line, (-1, None))
            text = para.text if para is not None else ""
            column = "title" if index == 0 else "text"
            findings.append(
                kd.finding(
                    "rule_leftover",
                    column,
                    text,
                    f"line {line} would still be removed by rule {rule_id}: {_short(text, 60)!r}",
                )
            )
    return findings


def check_repeated_paragraphs(
    kept: Sequence[KeptDoc], threshold: float, min_chars: int
) -> list[Finding]:
    """No kept document repeats a paragraph: exactly (normalised), or near when threshold < 1."""
    from rapidfuzz import fuzz, process

    findings: list[Finding] = []
    for kd in kept:
        paras = kd.paragraphs()
        norms = [normalize(p.text) for p in paras]
        first: dict[str, int] = {}
        repeated: set[int] = set()
        for j, norm in enumerate(norms):
            i = first.setdefault(norm, j)
            if i != j:
                repeated.add(j)
                findings.append(_repeat(kd, paras, i, j, None))
        if threshold >= 1:
            continue
        # Near repeats: only long paragraphs (short lines like "Photo" match by accident).
        idx = [k for k, n in enumerate(norms) if len(n) >= min_chars and k not in repeated]
        if len(idx) < 2:
            continue
        texts = [norms[k] for k in idx]
        scores = process.cdist(texts, texts, scorer=fuzz.ratio, score_cutoff=threshold * 100)
        flagged: set[int] = set()
        for b in range(len(idx)):
            for a in range(b):
                score = float(scores[a][b])
                if score and idx[a] not in flagged and norms[idx[a]] != norms[idx[b]]:
                    flagged.add(idx[b])
                    findings.append(_repeat(kd, paras, idx[a], idx[b], score / 100))
                    break
    return findings


def _repeat(kd: KeptDoc, paras: list[Paragraph], i: int, j: int, sim: float | None) -> Finding:
    how = "repeats" if sim is None else f"nearly repeats (similarity {sim:.2f})"
    return kd.finding(
        "paragraph_repeated",
        "title" if j == 0 else "text",
        paras[j].text,
        f"line {paras[j].line} {how} line {paras[i].line}: {_short(paras[j].text, 60)!r}",
    )


def check_near_duplicates(
    kept: Sequence[KeptDoc], threshold: float, finder: NearDupFinder
) -> list[Finding]:
    """No two kept documents are near-duplicates at or above ``threshold``."""
    by_id = {kd.doc_id: kd for kd in kept}
    order = {kd.doc_id: n for n, kd in enumerate(kept)}
    pairs = finder([(kd.doc_id, kd.title + "\n" + kd.text) for kd in kept], threshold)
    findings: list[Finding] = []
    for a, b, sim in sorted(pairs, key=lambda t: (order.get(t[1], 0), order.get(t[0], 0))):
        # report on the later document: the earlier one is the natural canonical
        first, later = (a, b) if order.get(a, 0) <= order.get(b, 0) else (b, a)
        kd = by_id[later]
        findings.append(
            kd.finding(
                "near_duplicate_kept",
                "text",
                first,
                f"kept document is a near-duplicate of kept {first!r} "
                f"(similarity {sim:.2f} >= {threshold:.2f})",
            )
        )
    return findings


def _doc_norms(text: str) -> list[str]:
    return [normalize(line) for line in text.split("\n") if line.strip()]


def _shingle_set(norms: list[str], size: int) -> set[int]:
    """Word-shingle hashes; the near-dup engine's own when present (same measure)."""
    try:
        from dedup.neardup.verification import shingle_set
    except ImportError:  # engine absent: an equivalent, slower definition
        import zlib

        words = " ".join(norms).lower().split()
        grams = [words[i : i + size] for i in range(max(1, len(words) - size + 1))]
        return {zlib.crc32(" ".join(g).encode()) for g in grams if g}
    return shingle_set(norms, size)


def minhash_near_duplicates(
    docs: Sequence[tuple[str, str]],
    threshold: float,
    *,
    num_perm: int = 128,
    seed: int = 1,
    shingle_size: int = 3,
) -> list[tuple[str, str, float]]:
    """Built-in finder: MinHash LSH candidates, verified by exact shingle Jaccard.

    Jaccard of word shingles of the kept paragraphs is the quantity ``--doc-threshold`` is
    defined on by the near-dup engine, so a pair it would have clustered is found here and
    a pair it rightly kept apart is not. LSH is tuned a little below the threshold (recall).
    """
    from datasketch import MinHash, MinHashLSH

    if len(docs) < 2:
        return []
    lsh = MinHashLSH(threshold=max(0.05, threshold - 0.15), num_perm=num_perm)
    # permutations are drawn once: drawing them per MinHash dominates the run time
    template = MinHash(num_perm=num_perm, seed=seed)
    perms, scheme = template.permutations, template.scheme
    sets: list[set[int]] = []
    pairs: list[tuple[str, str, float]] = []
    for n, (doc_id, text) in enumerate(docs):
        shingles = _shingle_set(_doc_norms(text), shingle_size)
        sets.append(shingles)
        mh = MinHash(num_perm=num_perm, seed=seed, hashfunc=int, permutations=perms, scheme=scheme)
        mh.update_batch(list(shingles))
        # keys are positions: doc ids may repeat in a broken table
        for other in sorted(int(k) for k in lsh.query(mh)):
            a = sets[other]
            sim = len(a & shingles) / len(a | shingles) if (a or shingles) else 1.0
            if sim >= threshold:
                pairs.append((docs[other][0], doc_id, sim))
        lsh.insert(str(n), mh)
    log.debug("near-duplicate check: %d documents, %d pairs", len(docs), len(pairs))
    return pairs
