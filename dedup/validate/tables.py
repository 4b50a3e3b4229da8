"""Validate in-memory output tables: pandera models, then the corpus-level checks.

``validate_tables`` is what ``dedup clean`` calls before it writes the manifest;
``validate_output`` (in :mod:`dedup.validate.output`) loads a folder and calls it.
The frames' index is the record's position (0-based line in its JSONL file).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from dedup.validate import textchecks as tc
from dedup.validate.corpus import (
    KeptDoc,
    Probed,
    RuleMatcher,
    check_repeated_paragraphs,
    check_rule_leftovers,
    memory_paragraphs,
)
from dedup.validate.findings import Finding, ValidationResult
from dedup.validate.neardups import NearDupFinder, check_near_duplicates
from dedup.validate.probe import probed_answers, repeat_params

if TYPE_CHECKING:
    import pandas as pd

    from dedup.config import DedupConfig
    from dedup.model import Document, Paragraph
    from dedup.validate.schema_parts import TableSchema

log = logging.getLogger(__name__)

DOCUMENT_COLUMNS = (
    "doc_id",
    "source",
    "url",
    "title",
    "text",
    "lines",
    "status",
    "duplicate_of",
    "similarity",
    "duplicate_scope",
    "reject_reason",
)
REMOVAL_COLUMNS = ("doc_id", "line", "text", "reason", "detail", "similarity")
EDIT_COLUMNS = ("doc_id", "line", "rule", "before", "after")


def validate_tables(
    documents: pd.DataFrame,
    removals: pd.DataFrame,
    config: DedupConfig,
    ruleset: RuleMatcher | None = None,
    neardup: NearDupFinder | None = None,
    *,
    memory: InMemory | None = None,
    edits: pd.DataFrame | None = None,
) -> ValidationResult:
    """Run every check on the documents and removals tables; collect all findings.

    ``ruleset`` enables the rule-leftover check (skipped with a note when None);
    ``neardup`` replaces the built-in near-duplicate finder. ``memory``: the documents
    the records were made from (``dedup clean``), used only where they match the records.
    ``edits``: the edits table, checked when given (``dedup validate DIR``).
    """
    from dedup.validate import document_schemas, record_schemas

    cfg = config.validation
    docs = _prepared(documents)
    rems = _prepared(removals)
    result = ValidationResult()

    kept_mask = _kept_mask(docs)
    kept_ids = (
        frozenset(v for v in docs.loc[kept_mask, "doc_id"] if tc.is_nonblank_str(v))
        if ("doc_id" in docs.columns)
        else frozenset()
    )
    known_ids = (
        frozenset(v for v in docs["doc_id"] if isinstance(v, str))
        if "doc_id" in docs.columns
        else frozenset()
    )
    kept_lines = _kept_lines(docs)

    _run(document_schemas.documents_schema(cfg, kept_ids), docs, result.findings)
    kept_frame = docs.loc[kept_mask]
    _run(document_schemas.kept_documents_schema(cfg), kept_frame, result.findings)
    _run(record_schemas.removals_schema(cfg, known_ids, kept_lines), rems, result.findings)
    if edits is not None:
        _run(record_schemas.edits_schema(known_ids, kept_lines), _prepared(edits), result.findings)

    kept = _kept_docs(kept_frame, memory)
    result.findings.extend(
        check_repeated_paragraphs(kept, *repeat_params(config), notes=result.notes)
    )
    if cfg.neardup_check:
        nd = config.neardup
        result.findings.extend(
            check_near_duplicates(
                kept,
                nd.doc_threshold,
                neardup,
                num_perm=nd.num_perm,
                seed=nd.seed,
                shingle_size=nd.shingle_size,
            )
        )
    else:
        result.notes.append("near_duplicate_kept: skipped (--no-neardup-check)")
    # last: a RuleMatcher that did not copy the document could not disturb the others
    if ruleset is None:
        result.notes.append("rule_leftover: skipped, no rule set loaded")
    else:
        result.findings.extend(check_rule_leftovers(kept, ruleset))

    result.findings.sort(key=Finding.sort_key)
    log.info("validation %s: %d findings", result.status, len(result.findings))
    return result


def validate_records(
    documents: Sequence[Mapping[str, Any]],
    removals: Iterable[Mapping[str, Any]],
    config: DedupConfig,
    ruleset: RuleMatcher | None = None,
    neardup: NearDupFinder | None = None,
    corpus: Any = None,
) -> ValidationResult:
    """:func:`validate_tables` on records as written to the JSONL files (``dedup clean``).

    ``removals`` may be an iterator: its records are then gathered column by column (the
    schema's columns only), never held as dicts all at once.

    Every check judges what the records contain, so `dedup validate DIR` agrees with it.
    ``corpus`` (``dedup.pipeline.Corpus``) only saves work: a kept document's paragraphs
    are taken from the in-memory document the record was made from (no re-segmenting)
    and its near-dup signature from the engine, where they provably match the record.
    """
    docs = _frame(documents, DOCUMENT_COLUMNS)
    rems = _frame(removals, REMOVAL_COLUMNS)
    memory = InMemory.of(corpus, config) if corpus is not None else None
    return validate_tables(docs, rems, config, ruleset=ruleset, neardup=neardup, memory=memory)


# Scheme entries that determine a document signature (dedup.neardup.Params.scheme()).
_SIGNATURE_SCHEME = (
    "num_perm",
    "seed",
    "datasketch_scheme",
    "hash",
    "shingles",
    "tokenizer",
    "normalization",
)


class InMemory:
    """The pipeline's documents by id, and whether the engine's signatures can be reused."""

    def __init__(self, documents: Mapping[str, Document], signatures_usable: bool) -> None:
        self.documents = documents
        self.signatures_usable = signatures_usable

    @classmethod
    def of(cls, corpus: Any, config: DedupConfig) -> InMemory:
        docs = list(getattr(corpus, "documents", None) or [])
        by_id: dict[str, Document] = {}
        repeated: set[str] = set()
        for doc in docs:
            if doc.doc_id in by_id:
                repeated.add(doc.doc_id)
            by_id[doc.doc_id] = doc
        for doc_id in repeated:  # ambiguous: those records take the file-based path
            del by_id[doc_id]
        facts = getattr(corpus, "facts", None)
        recorded = facts.get("neardup_scheme") if isinstance(facts, dict) else None
        return cls(by_id, _same_signatures(recorded, config))

    def paragraphs(self, doc_id: str, title: str, text: str, lines: Any) -> list[Paragraph] | None:
        doc = self.documents.get(doc_id)
        return memory_paragraphs(doc, title, text, lines) if doc is not None else None

    def probed(self, kd: KeptDoc) -> tuple[Probed | None, Probed | None]:
        """The map workers' check answers for ``kd`` (:mod:`dedup.validate.probe`): for
        exactly these lines, or for the earlier lines of a document the corpus step changed."""
        return probed_answers(self.documents.get(kd.doc_id), kd)

    def signature(self, doc_id: str, paras: list[Paragraph]) -> Any:
        """The engine's document signature, if it covers exactly ``paras`` as they are."""
        doc = self.documents.get(doc_id)
        if not self.signatures_usable or doc is None:
            return None
        from dedup.neardup.sketch import get_sketch

        sketch = get_sketch(doc)
        if sketch is None or sketch.doc_sig is None:
            return None
        # Signed at the end of the map stages: later removals (boilerplate, rules settling
        # after it) make it the signature of other lines.
        kept = [i for i, p in enumerate(doc.paragraphs) if p.removal is None]
        if sketch.index.tolist() != kept:
            return None
        if any(doc.paragraphs[i].norm != q.norm for i, q in zip(kept, paras, strict=True)):
            return None
        return sketch.doc_sig


def _same_signatures(recorded: Any, config: DedupConfig) -> bool:
    if not isinstance(recorded, dict):
        return False
    from dedup.neardup.params import Params

    wanted = Params.from_config(config.neardup).scheme()
    return all(recorded.get(k) == wanted.get(k) for k in _SIGNATURE_SCHEME)


_MISSING = float("nan")


def _frame(rows: Iterable[Mapping[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    import pandas as pd

    if not isinstance(rows, Sequence):
        gathered: dict[str, list[Any]] = {c: [] for c in columns}
        for row in rows:
            for column, values in gathered.items():
                values.append(row.get(column, _MISSING))  # NaN, as pandas fills a list's gaps
        return pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in gathered.items()})
    if not rows:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    # Copy only what is not a dict already: 286,000 removal records copied at once were
    # +100 MB of peak memory at 100 MB of text.
    records = rows if all(type(r) is dict for r in rows) else [dict(r) for r in rows]
    return pd.DataFrame(records, dtype=object)


def _prepared(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns (so ints stay ints and checks see Python values), unique index."""
    out = frame.astype(object)
    if not out.index.is_unique:
        out = out.reset_index(drop=True)
    return out


def _kept_mask(docs: pd.DataFrame) -> pd.Series[bool]:
    import pandas as pd

    if "status" not in docs.columns:
        return pd.Series(False, index=docs.index, dtype=bool)
    return (docs["status"] == "kept").astype(bool)


def _kept_lines(docs: pd.DataFrame) -> dict[str, frozenset[int]]:
    if not {"doc_id", "lines"} <= set(docs.columns):
        return {}
    out: dict[str, frozenset[int]] = {}
    for doc_id, lines in zip(docs["doc_id"], docs["lines"], strict=True):
        if isinstance(doc_id, str) and isinstance(lines, list):
            out[doc_id] = frozenset(n for n in lines if isinstance(n, int))
    return out


def _kept_docs(kept: pd.DataFrame, memory: InMemory | None = None) -> list[KeptDoc]:
    """Kept rows usable by the corpus checks (string id, title and text)."""
    out: list[KeptDoc] = []
    if not {"doc_id", "title", "text"} <= set(kept.columns):
        return out
    for idx, rec in zip(kept.index, kept.to_dict("records"), strict=True):
        doc_id, title, text = rec.get("doc_id"), rec.get("title"), rec.get("text")
        if not (tc.is_nonblank_str(doc_id) and isinstance(title, str) and isinstance(text, str)):
            continue
        lines = rec.get("lines")
        source, url = rec.get("source"), rec.get("url")
        known = signature = None
        if memory is not None:
            known = memory.paragraphs(str(doc_id), title, text, lines)
            if known is not None:
                signature = memory.signature(str(doc_id), known)
        kd = KeptDoc(
            doc_id=str(doc_id),
            row=_row(idx),
            source=source if isinstance(source, str) else "",
            url=url if isinstance(url, str) else None,
            title=title,
            text=text,
            lines=lines if isinstance(lines, list) else None,
            known=known,
            signature=signature,
        )
        if memory is not None:
            kd.probed, kd.earlier = memory.probed(kd)
        out.append(kd)
    return out


def _row(idx: Any) -> int | None:
    try:
        return int(idx) + 1
    except (TypeError, ValueError):
        return None


def _plain(value: Any) -> Any:
    """A JSON-ready, shortened failure case."""
    if hasattr(value, "item") and not isinstance(value, str | bytes | list):
        with contextlib.suppress(ValueError, AttributeError):
            value = value.item()
    if tc.is_null(value):
        return None
    if isinstance(value, str) and len(value) > 120:
        return value[:119] + "…"
    if isinstance(value, int | float | str | bool | list):
        return value
    return str(value)


def _run(schema: TableSchema, frame: pd.DataFrame, findings: list[Finding]) -> None:
    """Validate lazily and turn every failure case into a finding (one per check and row)."""
    import pandera.errors as pa_errors

    try:
        schema.model.validate(frame, lazy=True)
        return
    except pa_errors.SchemaErrors as exc:
        cases = exc.failure_cases
    seen: set[tuple[str, str | None, Any]] = set()
    for case in cases.to_dict("records"):
        check = str(case["check"])
        idx = case.get("index")
        column = schema.frame_check_columns.get(check, case.get("column"))
        column = str(column) if column is not None and not tc.is_null(column) else None
        if check == "column_in_dataframe":
            missing = str(case["failure_case"])
            findings.append(
                Finding(
                    schema.name,
                    "column_present",
                    missing,
                    None,
                    None,
                    missing,
                    f"column {missing!r} is missing",
                )
            )
            continue
        if idx is None or tc.is_null(idx) or idx not in frame.index:
            # a check that failed as a whole (e.g. raised): no row to point at
            findings.append(
                Finding(
                    schema.name,
                    check,
                    column,
                    None,
                    None,
                    _plain(case["failure_case"]),
                    f"check failed: {case['failure_case']}",
                )
            )
            continue
        key = (check, column, idx)
        if key in seen:
            continue
        seen.add(key)
        record = frame.loc[idx].to_dict()
        doc_id = record.get("doc_id")
        value = record.get(column) if column in record else case["failure_case"]
        message_fn = schema.messages.get(check)
        message = message_fn(record, column) if message_fn else f"failed {check}"
        findings.append(
            Finding(
                schema=schema.name,
                check=check,
                column=column,
                doc_id=doc_id if isinstance(doc_id, str) else None,
                line=_row(idx),
                failure_case=_plain(value),
                message=message,
            )
        )
