"""Corpus-level checks on kept documents: rule leftovers, repeated paragraphs, near-dups.

These need more than one row or an engine, so they run outside pandera; they produce the
same :class:`Finding` records. Heavy imports (rapidfuzz, numpy, the near-dup engine) are
local.

A kept document's paragraphs come either from re-segmenting title + body as written
(``dedup validate DIR``) or, in ``dedup clean``, from the in-memory document whose kept
paragraphs were written (:func:`memory_paragraphs`): the same lines, without segmenting
and normalising every line again.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from dedup.model import Document, Paragraph
from dedup.text import normalize, segment
from dedup.text.normalize import word_count
from dedup.validate.findings import Finding

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from dedup.neardup.signatures import Signer

    Signature = npt.NDArray[np.uint32]
    U32 = npt.NDArray[np.uint32]
else:
    Signature = U32 = Any

log = logging.getLogger(__name__)

SCHEMA = "documents.jsonl"

# (doc_id, text) pairs and a threshold -> (earlier doc_id, later doc_id, similarity)
NearDupFinder = Callable[[Sequence[tuple[str, str]], float], Iterable[tuple[str, str, float]]]


class RuleMatcher(Protocol):
    """What validation needs from ``dedup.ruleset.RuleSet``."""

    def would_remove(self, doc: Document) -> list[tuple[int, str]]: ...


# (i, j, similarity): paragraph j repeats paragraph i, exactly (None) or nearly.
RepeatPair = tuple[int, int, float | None]


@dataclass(slots=True, frozen=True)
class Probed:
    """Answers of the per-document checks asked ahead by the map workers for exactly a
    document's kept lines (:mod:`dedup.validate.probe`)."""

    leftovers: list[tuple[int, str]]  # RuleSet.would_remove
    repeats: list[RepeatPair]  # repeated_pairs, asked with repeat_params
    repeat_params: tuple[float, int, int]  # (threshold, min_chars, min_words)
    # For a document that later lost lines: the raw line numbers asked about, and the rule
    # bank's answers for their texts (those that found a pattern), to prime the bank with.
    lines: tuple[int, ...] = ()
    pattern_hits: dict[str, tuple[int, ...]] = field(default_factory=dict)
    bank: int = 0  # PatternBank.fingerprint of the bank that answered


@dataclass(slots=True)
class KeptDoc:
    doc_id: str
    row: int | None  # 1-based line in documents.jsonl
    source: str
    url: str | None
    title: str
    text: str
    lines: list[int] | None
    # Title + body as paragraphs, when known without segmenting (see memory_paragraphs).
    known: list[Paragraph] | None = None
    # The engine's document signature of exactly these paragraphs, when it can be reused.
    signature: Signature | None = None
    # The map workers' answers for exactly these paragraphs, when they can be reused, else
    # their answers for an earlier superset of them (the corpus step removed lines).
    probed: Probed | None = None
    earlier: Probed | None = None
    _paras: list[Paragraph] | None = field(default=None, repr=False, compare=False)

    def paragraphs(self) -> list[Paragraph]:
        """Title + body paragraphs, numbered with their raw line numbers when known.

        Built once and shared by the checks, which only read them (``would_remove``
        works on a copy).
        """
        if self._paras is None:
            self._paras = self.known if self.known is not None else self._segmented()
        return self._paras

    def _segmented(self) -> list[Paragraph]:
        paras = segment(self.title + "\n" + self.text)
        if self.lines is not None and len(self.lines) == len(paras):
            for p, raw_line in zip(paras, self.lines, strict=True):
                p.line = raw_line
        return paras

    def norms(self) -> list[str]:
        return [p.norm for p in self.paragraphs()]

    def document(self) -> Document:
        return Document(self.doc_id, self.source, self.paragraphs(), url=self.url)

    def finding(self, check: str, column: str, case: str, message: str) -> Finding:
        return Finding(SCHEMA, check, column, self.doc_id, self.row, _short(case), message)


def memory_paragraphs(doc: Document, title: str, text: str, lines: Any) -> list[Paragraph] | None:
    """What :meth:`KeptDoc.paragraphs` would build from a record, from ``doc``'s kept lines.

    None unless the record (title, text, lines) is exactly what ``doc`` writes and every
    kept line survives segmentation unchanged (see :func:`written_paragraphs`): then the
    file-based path would find the same lines, numbers and normalised forms.
    """
    kept = doc.kept_paragraphs()
    texts = [p.text for p in kept]
    if not kept or texts[0] != title or "\n\n".join(texts[1:]) != text:
        return None
    if lines != [p.line for p in kept]:
        return None
    return written_paragraphs(doc, kept)


def written_paragraphs(
    doc: Document, kept: Sequence[Paragraph] | None = None
) -> list[Paragraph] | None:
    """``doc``'s kept lines as validation reads them back from its record (fresh
    paragraphs: text = raw = the output text), or None when segmenting the record would
    not give them back one for one (an empty, untrimmed or multi-line text). ``p.norm`` is
    reused only for unedited lines: an edit (e.g. the output form) can leave it out of date.
    """
    kept = doc.kept_paragraphs() if kept is None else kept
    if not kept:
        return None
    out: list[Paragraph] = []
    for p in kept:
        t = p.text
        if not t or t != t.strip() or "\n" in t or "\r" in t:
            return None
        out.append(Paragraph(p.line, t, t, normalize(t) if p.edits else p.norm))
    return out


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_rule_leftovers(kept: Sequence[KeptDoc], ruleset: RuleMatcher) -> list[Finding]:
    """Cleaning is idempotent: no rule may still match a kept paragraph."""
    findings: list[Finding] = []
    for kd in kept:
        doc = kd.document()
        by_line = {p.line: (i, p) for i, p in enumerate(doc.paragraphs)}
        if kd.probed is not None:
            hits = kd.probed.leftovers
        else:
            if kd.earlier is not None:
                _prime(ruleset, kd.earlier, doc)
            hits = ruleset.would_remove(doc)
        for line, rule_id in hits:
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


def _prime(ruleset: RuleMatcher, earlier: Probed, doc: Document) -> None:
    """Give ``ruleset``'s pattern bank the map workers' answers for ``doc``'s texts, when
    they asked about every one of its lines with an identical bank: the rules then run as
    usual, without matching those texts again."""
    bank = getattr(ruleset, "bank", None)
    if bank is None or bank.fingerprint != earlier.bank:
        return
    asked = set(earlier.lines)
    if not all(p.line in asked for p in doc.paragraphs):
        return
    from dedup.ruleset.matching import line_forms

    bank.prime(earlier.pattern_hits, line_forms(doc.paragraphs))


def check_repeated_paragraphs(
    kept: Sequence[KeptDoc], threshold: float, min_chars: int, min_words: int = 0
) -> list[Finding]:
    """No kept document repeats a paragraph: exactly (normalised), or near when threshold < 1."""
    params = (threshold, min_chars, min_words)
    findings: list[Finding] = []
    for kd in kept:
        if kd.probed is not None and kd.probed.repeat_params == params:
            pairs = kd.probed.repeats
        else:
            pairs = repeated_pairs(kd.norms(), *params)
        paras = kd.paragraphs()
        findings.extend(_repeat(kd, paras, i, j, sim) for i, j, sim in pairs)
    return findings


def repeated_pairs(
    norms: Sequence[str], threshold: float, min_chars: int, min_words: int = 0
) -> list[RepeatPair]:
    """The repeats among one document's normalised paragraphs: each later exact copy with
    its first occurrence, then near repeats (rapidfuzz ratio >= ``threshold`` < 1)."""
    import numpy as np
    from rapidfuzz import fuzz, process

    from dedup.neardup.verification import same_numbers

    pairs: list[RepeatPair] = []
    first: dict[str, int] = {}
    repeated: set[int] = set()
    for j, norm in enumerate(norms):
        i = first.setdefault(norm, j)
        if i != j:
            repeated.add(j)
            pairs.append((i, j, None))
    if threshold >= 1:
        return pairs
    # Near repeats: only long paragraphs (short lines like "Photo" match by accident, and
    # short list lines that differ in one name are lists, as the engine decides too),
    # with the same numbers (other quantities state other facts, as for the engine).
    idx = [
        k
        for k, n in enumerate(norms)
        if n and len(n) >= min_chars and word_count(n) >= min_words and k not in repeated
    ]
    if len(idx) < 2:
        return pairs
    texts = [norms[k] for k in idx]
    scores = process.cdist(texts, texts, scorer=fuzz.ratio, score_cutoff=threshold * 100)
    # Pairs (a, b), a < b, over the cutoff, in the order "each b, its earliest a": numpy
    # finds the few of them instead of a Python loop over every pair (~0.6 s at 100 MB).
    hits = np.argwhere(np.triu(scores, k=1) > 0)
    flagged: set[int] = set()
    for a, b in hits[np.lexsort((hits[:, 0], hits[:, 1]))].tolist():
        if idx[b] in flagged:
            continue  # b already reported as a repeat of an earlier a
        x, y = norms[idx[a]], norms[idx[b]]
        if idx[a] not in flagged and x != y and same_numbers(x, y):
            flagged.add(idx[b])
            pairs.append((idx[a], idx[b], float(scores[a][b]) / 100))
    return pairs


def _repeat(kd: KeptDoc, paras: list[Paragraph], i: int, j: int, sim: float | None) -> Finding:
    how = "repeats" if sim is None else f"nearly repeats (similarity {sim:.2f})"
    return kd.finding(
        "paragraph_repeated",
        "title" if j == 0 else "text",
        paras[j].text,
        f"line {paras[j].line} {how} line {paras[i].line}: {_short(paras[j].text, 60)!r}",
    )


def check_near_duplicates(
    kept: Sequence[KeptDoc],
    threshold: float,
    finder: NearDupFinder | None = None,
    *,
    num_perm: int = 128,
    seed: int = 1,
    shingle_size: int = 3,
) -> list[Finding]:
    """No two kept documents are near-duplicates at or above ``threshold``.

    ``finder`` None: the built-in engine-based finder on the documents' paragraphs,
    reusing their ``signature`` where present; else ``finder`` on (doc_id, text) pairs.
    """
    by_id = {kd.doc_id: kd for kd in kept}
    order = {kd.doc_id: n for n, kd in enumerate(kept)}
    if finder is None:
        pairs: Iterable[tuple[str, str, float]] = engine_near_duplicates(
            [kd.doc_id for kd in kept],
            [kd.norms() for kd in kept],
            threshold,
            signatures=[kd.signature for kd in kept],
            num_perm=num_perm,
            seed=seed,
            shingle_size=shingle_size,
        )
    else:
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


def minhash_near_duplicates(
    docs: Sequence[tuple[str, str]],
    threshold: float,
    *,
    num_perm: int = 128,
    seed: int = 1,
    shingle_size: int = 3,
) -> list[tuple[str, str, float]]:
    """Built-in finder on (doc_id, text) pairs: :func:`engine_near_duplicates` of their
    normalised non-blank lines."""
    return engine_near_duplicates(
        [doc_id for doc_id, _ in docs],
        [_doc_norms(text) for _, text in docs],
        threshold,
        num_perm=num_perm,
        seed=seed,
        shingle_size=shingle_size,
    )


def engine_near_duplicates(
    ids: Sequence[str],
    norms: Sequence[Sequence[str]],
    threshold: float,
    *,
    signatures: Sequence[Signature | None] | None = None,
    num_perm: int = 128,
    seed: int = 1,
    shingle_size: int = 3,
) -> list[tuple[str, str, float]]:
    """(earlier id, later id, similarity) of documents with shingle Jaccard >= threshold.

    The near-dup engine's measure and machinery: its vectorised MinHash document
    signatures (``signatures[i]`` reused when given: the engine's own for exactly these
    lines), LSH band keys tuned 0.15 below the threshold for recall, then every pair
    sharing a band verified by exact word-shingle Jaccard. Unlike the engine's clustering
    (a star per bucket suffices for union-find), *all* pairs in a bucket are verified.
    Positions, not ids, identify documents: ids may repeat in a broken table.
    """
    import numpy as np

    from dedup.neardup.lsh import band_keys, lsh_params
    from dedup.neardup.signatures import shingle_batch

    n = len(ids)
    if n < 2:
        return []
    signer = _signer(num_perm, seed, shingle_size)
    sigs = np.empty((n, num_perm), dtype=np.uint32)
    todo = []
    for i in range(n):
        given = signatures[i] if signatures is not None else None
        if given is not None and given.shape == (num_perm,):
            sigs[i] = given
        else:
            todo.append(i)
    # Shingle hashes of the documents signed here, kept for verification (hashed once).
    hashed: dict[int, U32] = {}
    if todo:
        sigs[todo], hashes = _document_signatures(signer, [norms[i] for i in todo])
        hashed = dict(zip(todo, hashes, strict=True))
    bands, rows = lsh_params(max(0.05, threshold - 0.15), num_perm)
    candidates = _bucket_pairs(band_keys(sigs, bands, rows))
    # Sorted unique uint32 arrays, not Python sets: 4 bytes a shingle instead of ~60, which
    # kept validation of a 100 MB corpus within its memory budget (sets took +440 MB).
    arrays: dict[int, U32] = {}

    def shingles_of(i: int) -> U32:
        found = arrays.get(i)
        if found is None:
            known = hashed.get(i)
            if known is None:
                known = shingle_batch(list(norms[i]), shingle_size).hashes
            found = arrays[i] = np.unique(known)
        return found

    pairs: list[tuple[str, str, float]] = []
    for a, b in candidates.tolist():
        sa, sb = shingles_of(a), shingles_of(b)
        union = sa.size + sb.size
        if union == 0:
            sim = 1.0  # two empty documents are identical, as ``jaccard`` says
        else:
            inter = np.intersect1d(sa, sb, assume_unique=True).size
            sim = inter / (union - inter)
        if sim >= threshold:
            pairs.append((ids[a], ids[b], sim))
    log.debug(
        "near-duplicate check: %d documents (%d signed here), %d candidates, %d pairs",
        n,
        len(todo),
        len(candidates),
        len(pairs),
    )
    return pairs


@lru_cache(maxsize=4)
def _signer(num_perm: int, seed: int, shingle_size: int) -> Signer:
    from dedup.neardup.signatures import Signer

    return Signer(num_perm, seed, shingle_size)


def _document_signatures(
    signer: Signer, docs: Sequence[Sequence[str]], chunk: int = 512
) -> tuple[Signature, list[U32]]:
    """Document signatures (element-wise minimum over the paragraphs) and each document's
    shingle hashes (what ``shingle_set`` collects), one shingle batch per ``chunk``
    documents: a single batch over a whole corpus tokenises all of it into Python objects
    at once (+440 MB at 100 MB of text)."""
    import numpy as np

    from dedup.neardup.signatures import shingle_batch

    out = np.tile(signer.empty, (len(docs), 1))
    hashes: list[U32] = []
    for lo in range(0, len(docs), chunk):
        part = docs[lo : lo + chunk]
        flat = [norm for doc in part for norm in doc]
        counts = np.array([len(doc) for doc in part], dtype=np.int64)
        bounds = np.zeros(len(part) + 1, dtype=np.int64)
        np.cumsum(counts, out=bounds[1:])
        batch = shingle_batch(flat, signer.shingle_size)
        if flat:
            paragraph_sigs = signer.minhash_batch(batch)
            has = counts > 0  # reduceat misreads empty segments: empty documents stay empty
            out[lo : lo + len(part)][has] = np.minimum.reduceat(
                paragraph_sigs, bounds[:-1][has], axis=0
            )
        cuts = batch.offsets[bounds]
        hashes.extend(batch.hashes[a:b] for a, b in itertools.pairwise(cuts.tolist()))
    return out, hashes


def _bucket_pairs(keys: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
    """All pairs (i < j) of rows sharing a band key, unique, sorted.

    Band keys mix in the band number, so all bands are sorted together, once.
    """
    import numpy as np

    n = len(keys)
    flat = keys.ravel()
    rows = np.repeat(np.arange(n, dtype=np.int64), keys.shape[1])
    order = np.argsort(flat, kind="stable")
    sorted_keys = flat[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    sizes = np.diff(np.r_[starts, len(flat)])
    codes = [np.empty(0, dtype=np.int64)]
    for start, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist(), strict=True):
        members = np.unique(rows[order[start : start + size]])
        lo, hi = np.triu_indices(len(members), 1)
        codes.append(members[lo] * n + members[hi])
    unique = np.unique(np.concatenate(codes))
    return np.stack([unique // n, unique % n], axis=1)
