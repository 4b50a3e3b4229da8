"""``dedup check``: is a new seed file usable, and is it new? (the pre-commit hook)

For each file: readable, decodable, non-empty text within the size limit; after cleaning
with the rule packs it passes the document checks (a title, enough body, no chrome the
rules would still remove); it is not a near-duplicate of a corpus document (looked up in
the persistent index by LSH band keys, verified by the exact Jaccard similarity of word
shingles, the measure ``dedup clean`` uses) nor of another file of the same call. Lines
that many corpus documents share but no rule removes are reported as warnings, each with
a rule to paste into a pack.

Findings print as ``path:line: CODE message``, sorted. Error codes: MISSING, UNREADABLE,
TOO_LARGE, DECODE, BINARY, EMPTY, SCHEMA-TITLE, SCHEMA-LENGTH, SCHEMA-CHROME, DUPLICATE.
Warning codes (errors only with ``strict``): W-BOILERPLATE.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from dedup.config import DedupConfig
from dedup.errors import InputError
from dedup.index.documents import Signed, clean, read_text, sign
from dedup.index.scheme import Scheme
from dedup.index.signing import document_shingles, jaccard
from dedup.index.store import IndexStore
from dedup.index.sync import SyncReport, open_index, update
from dedup.io.readers import printable
from dedup.model import Document, Paragraph
from dedup.text.normalize import unspaced_words
from dedup.validate.corpus import repeated_pairs

log = logging.getLogger(__name__)

DEFAULT_CORPUS = Path("seeds")
DEFAULT_INDEX = Path(".dedup/index.sqlite")

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class CheckFinding:
    path: str
    line: int
    code: str
    message: str
    severity: Severity = "error"
    twin: str | None = None  # DUPLICATE: the other document (corpus path or checked file)
    similarity: float | None = None  # DUPLICATE: Jaccard similarity of word shingles
    rule: str | None = None  # W-BOILERPLATE: a rule pack entry, one YAML line

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.code} {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.path, self.line, self.code, self.message)


@dataclass(slots=True)
class CheckResult:
    findings: list[CheckFinding]
    index: SyncReport | None = None
    files: int = 0
    notes: list[str] = field(default_factory=list)

    def errors(self, strict: bool = False) -> list[CheckFinding]:
        return [f for f in self.findings if strict or f.severity == "error"]

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors(strict))

    def to_json(self, strict: bool = False) -> str:
        data = {
            "status": "failed" if self.failed(strict) else "passed",
            "files": self.files,
            "findings": [f.to_dict() for f in self.findings],
            "index": asdict(self.index) if self.index is not None else None,
            "notes": self.notes,
        }
        return json.dumps(data, indent=2, ensure_ascii=False)


# --- document checks ----------------------------------------------------------------------


def _schema_findings(
    shown: str, doc: Document, config: DedupConfig, ruleset: Any
) -> list[CheckFinding]:
    cfg = config.validation
    kept = doc.kept_paragraphs()
    if not kept:
        first = doc.paragraphs[0].line if doc.paragraphs else 1
        msg = "no title: every line is removed by the rules"
        return [CheckFinding(shown, first, "SCHEMA-TITLE", msg)]
    out: list[CheckFinding] = []
    title = kept[0]
    # `dedup clean` removes a paragraph's exact repeats (a body written out twice) before
    # validation counts words: count as it will (near repeats need the engine: not here).
    repeats = {j for _, j, _ in repeated_pairs([p.norm for p in kept], 1.0, 0)}
    body = [p for k, p in enumerate(kept) if k and k not in repeats]
    if len(title.text) > cfg.max_title_chars:
        out.append(
            CheckFinding(
                shown,
                title.line,
                "SCHEMA-TITLE",
                f"title is {len(title.text)} characters, over {cfg.max_title_chars} "
                "(validation.max_title_chars); is the first kept line really the headline?",
            )
        )
    # counted as validation counts them (two Chinese or Japanese characters a word)
    words = sum(len(p.text.split()) + unspaced_words(p.text) for p in body)
    where = body[0].line if body else title.line
    if words < cfg.min_words:
        out.append(
            CheckFinding(
                shown,
                where,
                "SCHEMA-LENGTH",
                f"body has {words} words after cleaning, fewer than {cfg.min_words} "
                "(validation.min_words)",
            )
        )
    if len(body) < cfg.min_paragraphs:
        out.append(
            CheckFinding(
                shown,
                where,
                "SCHEMA-LENGTH",
                f"body has {len(body)} paragraphs after the title, fewer than "
                f"{cfg.min_paragraphs} (validation.min_paragraphs)",
            )
        )
    # Leftover chrome: cleaning is idempotent, so the cleaned text run through the rules
    # again (as `dedup validate` does on the output) must lose nothing.
    again = Document(
        doc.doc_id,
        doc.source,
        [Paragraph(p.line, p.raw, p.text, p.norm) for p in kept],
        text_path=doc.text_path,
    )
    texts = {p.line: p.text for p in kept}
    for line, rule_id in ruleset.would_remove(again):
        out.append(
            CheckFinding(
                shown,
                line,
                "SCHEMA-CHROME",
                f"chrome left after cleaning: rule {rule_id} would still remove "
                f"{_short(texts.get(line, ''))!r}",
            )
        )
    return out


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- near-duplicates ---------------------------------------------------------------------


@dataclass(slots=True)
class _Checked:
    shown: str
    rel: str | None  # path inside the corpus folder, when the file is in it
    signed: Signed


def _twin_finding(item: _Checked, twins: list[tuple[float, str]], threshold: float) -> CheckFinding:
    twins.sort(key=lambda t: (-t[0], t[1]))
    similarity, twin = twins[0]
    more = f"; {len(twins) - 1} more above the threshold" if len(twins) > 1 else ""
    kept = item.signed.doc.kept_paragraphs()
    return CheckFinding(
        item.shown,
        kept[0].line if kept else 1,
        "DUPLICATE",
        f"near-duplicate of {twin} (similarity {similarity:.2f}, threshold {threshold:.2f}){more}",
        twin=twin,
        similarity=round(similarity, 4),
    )


def _duplicates(
    items: list[_Checked], store: IndexStore, corpus_shown: str, scheme: Scheme
) -> list[CheckFinding]:
    threshold = scheme.doc_threshold
    in_call = {it.rel for it in items if it.rel is not None}
    twins: dict[int, list[tuple[float, str]]] = {i: [] for i in range(len(items))}
    for i, it in enumerate(items):
        if not it.signed.keys:
            continue
        # Other checked files that live in the corpus are compared below, in the call.
        for cand in store.candidates(it.signed.keys, exclude=sorted(in_call)):
            sim = jaccard(it.signed.shingles, document_shingles(cand.norms, scheme.shingle_size))
            if sim >= threshold:
                twins[i].append((sim, _join(corpus_shown, cand.path)))
    # As `dedup clean` picks a cluster's canonical document: the most kept characters
    # first, then input (here path) order; the other of a pair is the duplicate.
    order = sorted(range(len(items)), key=lambda k: (-_kept_chars(items[k]), items[k].shown))
    rank = {k: pos for pos, k in enumerate(order)}
    # Candidate pairs share an LSH band key: every pair of files was tested before (5,000
    # files: 12.5 million set intersections, 31 s).
    by_key: dict[int, list[int]] = defaultdict(list)
    for k in order:
        for key in set(items[k].signed.keys):
            by_key[key].append(k)
    pairs = {(a, b) for ks in by_key.values() for a in ks for b in ks if rank[a] < rank[b]}
    for i, j in sorted(pairs, key=lambda p: (rank[p[1]], rank[p[0]])):
        sim = jaccard(items[i].signed.shingles, items[j].signed.shingles)
        if sim >= threshold:
            twins[j].append((sim, items[i].shown))  # the later in canonical order
    return [_twin_finding(items[i], t, threshold) for i, t in twins.items() if t]


def _kept_chars(item: _Checked) -> int:
    return sum(len(norm) for norm in item.signed.norms)


def _join(corpus_shown: str, rel: str) -> str:
    return f"{corpus_shown.rstrip('/')}/{rel}" if corpus_shown not in ("", ".") else rel


# --- candidate boilerplate -----------------------------------------------------------------


def _rule_snippet(norm: str, count: int, total: int) -> str:
    # The line's first words and a short hash of it: two lines that start alike ("Download
    # our app for iOS" / "... for Android") get distinct ids, so both paste into one pack.
    words = "-".join(re.findall(r"[a-z0-9]+", norm.lower())[:4]) or "line"
    slug = f"{words}-{hashlib.sha1(norm.encode('utf-8')).hexdigest()[:6]}"
    why = f"Seen in {count} of {total} corpus documents (dedup check)."
    # JSON strings are valid YAML double-quoted scalars: the line pastes as-is.
    return (
        f"- {{id: boilerplate-{slug}, kind: drop, why: {json.dumps(why)}, "
        f"exact: [{json.dumps(norm, ensure_ascii=False)}]}}"
    )


def min_boilerplate_docs(config: DedupConfig, corpus_docs: int) -> int:
    """Documents a line must occur in to be candidate boilerplate.

    ``neardup.boilerplate_min_docs``, lowered for small corpora to half of it (at least 2),
    so a handful of seed files from one site still reveals its chrome.
    """
    return min(config.neardup.boilerplate_min_docs, max(2, math.ceil(corpus_docs / 2)))


def _boilerplate(
    item: _Checked, store: IndexStore, config: DedupConfig, corpus_docs: int
) -> list[CheckFinding]:
    others = corpus_docs - (1 if item.rel is not None else 0)
    if others < 2:
        return []
    need = min_boilerplate_docs(config, others)
    from dedup.index.signing import exact_hash

    kept = item.signed.doc.kept_paragraphs()
    hashes = {exact_hash(p.norm): p for p in kept}
    exclude = [item.rel] if item.rel is not None else []
    counts = store.paragraph_counts(list(hashes), exclude=exclude)
    out = []
    for h, p in hashes.items():
        n = counts.get(h, 0)
        if n >= need:
            out.append(
                CheckFinding(
                    item.shown,
                    p.line,
                    "W-BOILERPLATE",
                    f"line also occurs in {n} of {others} corpus documents (copies counted once) "
                    f"and no rule removes it: {_short(p.text)!r}; to remove it everywhere add "
                    "to a rule pack: "
                    f"{_rule_snippet(p.norm, n, others)}",
                    severity="warning",
                    rule=_rule_snippet(p.norm, n, others),
                )
            )
    return out


# --- the check -----------------------------------------------------------------------------


def _inside(path: Path, corpus: Path) -> str | None:
    """``path`` relative to the corpus folder, as the index names it, or None when it is
    not in the folder. A link in the folder is named by where it stands, not by where it
    points (resolving it first made a linked seed the near-duplicate of itself); the
    resolved paths are the fallback for a corpus reached through a link."""
    with contextlib.suppress(ValueError):
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(corpus)).as_posix()
    try:
        return path.resolve().relative_to(corpus.resolve()).as_posix()
    except ValueError:
        return None


def run_check(
    paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str],
    config: DedupConfig | None = None,
    corpus_dir: str | os.PathLike[str] = DEFAULT_CORPUS,
    index_path: str | os.PathLike[str] = DEFAULT_INDEX,
    strict: bool = False,
    *,
    ruleset: Any = None,
) -> CheckResult:
    """Check ``paths`` against the corpus and its index (updated incrementally first).

    ``strict`` turns warnings into errors. Raises :class:`dedup.errors.RuleErrors` for a bad
    rule pack, :class:`dedup.errors.IndexError_` for an unusable index file and
    :class:`dedup.errors.InputError` for a missing corpus folder.
    """
    config = config or DedupConfig()
    corpus_dir, index_path = Path(corpus_dir), Path(index_path)  # str paths too
    if ruleset is None:
        from dedup.ruleset import load_rules

        ruleset = load_rules(config.rules)
    findings: list[CheckFinding] = []
    items: list[_Checked] = []
    with open_index(index_path) as store:
        scheme, report = update(store, corpus_dir, config, ruleset)
        seen: set[Path] = set()
        for path in [paths] if isinstance(paths, str | os.PathLike) else paths:
            shown = printable(Path(path).as_posix())  # a non-UTF-8 name: \xNN escapes
            # One file named two ways (hook runners pass absolute paths) is checked once,
            # not found a duplicate of itself.
            same = Path(path).resolve()
            if same in seen:
                continue
            seen.add(same)
            try:
                text, _ = read_text(Path(path), config.input.max_doc_bytes, shown=shown)
            except InputError as exc:
                findings.append(CheckFinding(shown, exc.line or 1, exc.code, exc.message))
                continue
            doc = clean(text, shown, shown, ruleset)
            if not doc.paragraphs:
                findings.append(CheckFinding(shown, 1, "EMPTY", "no text: every line is blank"))
                continue
            findings.extend(_schema_findings(shown, doc, config, ruleset))
            items.append(_Checked(shown, _inside(Path(path), corpus_dir), sign(doc, scheme)))
        findings.extend(_duplicates(items, store, corpus_dir.as_posix(), scheme))
        for item in items:
            findings.extend(_boilerplate(item, store, config, report.documents))
    if strict:
        findings = [
            CheckFinding(**{**asdict(f), "severity": "error"}) if f.severity == "warning" else f
            for f in findings
        ]
    findings.sort(key=CheckFinding.sort_key)
    return CheckResult(findings, report, len(seen))


def check_files(
    paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str],
    config: DedupConfig | None = None,
    corpus_dir: str | os.PathLike[str] = DEFAULT_CORPUS,
    index_path: str | os.PathLike[str] = DEFAULT_INDEX,
    strict: bool = False,
) -> list[CheckFinding]:
    """The findings of :func:`run_check`, sorted (``strict``: warnings become errors). A
    lone path is one file, not a sequence of one-letter paths."""
    return run_check(paths, config, corpus_dir, index_path, strict).findings
