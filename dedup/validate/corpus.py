"""Per-document checks on kept documents: rule leftovers, repeated paragraphs; and the
kept document itself (:class:`KeptDoc`), shared with the near-duplicate check
(:mod:`dedup.validate.neardups`).

These need more than one row or an engine, so they run outside pandera; they produce the
same :class:`Finding` records. Heavy imports (rapidfuzz, numpy) are local.

A kept document's paragraphs come either from re-segmenting title + body as written
(``dedup validate DIR``) or, in ``dedup clean``, from the in-memory document whose kept
paragraphs were written (:func:`memory_paragraphs`): the same lines, without segmenting
and normalising every line again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from dedup.model import Document, Paragraph
from dedup.text import normalize, segment
from dedup.text.normalize import is_stage_direction, word_count
from dedup.validate.findings import Finding
from dedup.validate.repeats import SCORE_BUDGET, near_repeats

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Signature = npt.NDArray[np.uint32]
else:
    Signature = Any

SCHEMA = "documents.jsonl"


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
    repeats: RepeatScan  # scan_repeats, asked with repeat_params
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
    """``doc``'s kept lines as validation reads them back from its record (text = raw =
    the output text: the document's own paragraph where it is one already, else a fresh
    one; callers only read them), or None when segmenting the record would not give them
    back one for one (an empty, untrimmed or multi-line text). ``p.norm`` is reused only
    for unedited lines: an edit (e.g. the output form) can leave it out of date.
    """
    kept = doc.kept_paragraphs() if kept is None else kept
    if not kept:
        return None
    out: list[Paragraph] = []
    for p in kept:
        t = p.text
        if not t or t != t.strip() or "\n" in t or "\r" in t:
            return None
        if p.raw == t and not p.edits:
            out.append(p)  # already what the record gives back; the checks only read it
        else:
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
    kept: Sequence[KeptDoc],
    threshold: float,
    min_chars: int,
    min_words: int = 0,
    notes: list[str] | None = None,
) -> list[Finding]:
    """No kept document repeats a paragraph: exactly (normalised), or near when threshold < 1.
    A document whose near-repeat check ran out of its budget is named in ``notes``."""
    params = (threshold, min_chars, min_words)
    findings: list[Finding] = []
    partial: list[str] = []
    for kd in kept:
        if kd.probed is not None and kd.probed.repeat_params == params:
            scan = kd.probed.repeats
        else:
            scan = scan_repeats(kd.norms(), *params)
        paras = kd.paragraphs()
        findings.extend(_repeat(kd, paras, i, j, sim) for i, j, sim in scan.pairs)
        if scan.scanned is not None:
            partial.append(f"{kd.doc_id} (from line {paras[scan.scanned].line})")
    if partial and notes is not None:
        shown = ", ".join(partial[:5]) + (
            f" and {len(partial) - 5} more" if len(partial) > 5 else ""
        )
        notes.append(
            f"paragraph_repeated: near repeats checked in part in {len(partial)} "
            f"document(s), their lines too alike to filter (over {SCORE_BUDGET:,} pair "
            "scores); exact "
            f"repeats checked in full: {shown}"
        )
    return findings


class RepeatScan(NamedTuple):
    """A document's repeats, and where its near-repeat check stopped for its budget: the
    first paragraph (position among all) not compared with every earlier one, or None."""

    pairs: list[RepeatPair]
    scanned: int | None = None


def repeated_pairs(
    norms: Sequence[str], threshold: float, min_chars: int, min_words: int = 0
) -> list[RepeatPair]:
    """The pairs of :func:`scan_repeats`."""
    return scan_repeats(norms, threshold, min_chars, min_words).pairs


def scan_repeats(
    norms: Sequence[str], threshold: float, min_chars: int, min_words: int = 0
) -> RepeatScan:
    """The repeats among one document's normalised paragraphs: each later exact copy with
    its first occurrence, then near repeats (rapidfuzz ratio >= ``threshold`` < 1; see
    :mod:`dedup.validate.repeats`)."""
    pairs: list[RepeatPair] = []
    first: dict[str, int] = {}
    repeated: set[int] = set()
    for j, norm in enumerate(norms):
        i = first.setdefault(norm, j)
        if i != j and not is_stage_direction(norm):
            repeated.add(j)
            pairs.append((i, j, None))
    if threshold >= 1:
        return RepeatScan(pairs)
    # Near repeats: only long paragraphs (short lines like "Photo" match by accident, and
    # short list lines that differ in one name are lists, as the engine decides too),
    # with the same numbers (other quantities state other facts, as for the engine).
    idx = [
        k
        for k, n in enumerate(norms)
        if n and len(n) >= min_chars and word_count(n) >= min_words and k not in repeated
    ]
    near = near_repeats([norms[k] for k in idx], threshold)
    pairs.extend((idx[a], idx[b], sim) for a, b, sim in near.pairs)
    return RepeatScan(pairs, None if near.scanned is None else idx[near.scanned])


def _repeat(kd: KeptDoc, paras: list[Paragraph], i: int, j: int, sim: float | None) -> Finding:
    how = "repeats" if sim is None else f"nearly repeats (similarity {sim:.2f})"
    return kd.finding(
        "paragraph_repeated",
        "title" if j == 0 else "text",
        paras[j].text,
        f"line {paras[j].line} {how} line {paras[i].line}: {_short(paras[j].text, 60)!r}",
    )
