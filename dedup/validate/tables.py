"""Validate in-memory output tables: pandera models, then the corpus-level checks.

``validate_tables`` is what ``dedup clean`` calls before it writes the manifest;
``validate_output`` (in :mod:`dedup.validate.output`) loads a folder and calls it.
The frames' index is the record's position (0-based line in its JSONL file).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from dedup.validate import textchecks as tc
from dedup.validate.corpus import (
    KeptDoc,
    NearDupFinder,
    RuleMatcher,
    check_near_duplicates,
    check_repeated_paragraphs,
    check_rule_leftovers,
    minhash_near_duplicates,
)
from dedup.validate.findings import Finding, ValidationResult

if TYPE_CHECKING:
    import pandas as pd

    from dedup.config import DedupConfig
    from dedup.validate.schemas import TableSchema

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
    "reject_reason",
)
REMOVAL_COLUMNS = ("doc_id", "line", "text", "reason", "detail", "similarity")


def validate_tables(
    documents: pd.DataFrame,
    removals: pd.DataFrame,
    config: DedupConfig,
    ruleset: RuleMatcher | None = None,
    neardup: NearDupFinder | None = None,
) -> ValidationResult:
    """Run every check on the documents and removals tables; collect all findings.

    ``ruleset`` enables the rule-leftover check (skipped with a note when None);
    ``neardup`` replaces the built-in MinHash near-duplicate finder.
    """
    from dedup.validate import schemas

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

    _run(schemas.documents_schema(cfg, kept_ids), docs, result.findings)
    kept_frame = docs.loc[kept_mask]
    _run(schemas.kept_documents_schema(cfg), kept_frame, result.findings)
    _run(schemas.removals_schema(cfg, known_ids, kept_lines), rems, result.findings)

    kept = _kept_docs(kept_frame)
    if ruleset is None:
        result.notes.append("rule_leftover: skipped, no rule set loaded")
    else:
        result.findings.extend(check_rule_leftovers(kept, ruleset))
    result.findings.extend(
        check_repeated_paragraphs(
            kept, cfg.paragraph_repeat_threshold, cfg.paragraph_repeat_min_chars
        )
    )
    if cfg.neardup_check:
        finder = neardup or partial(
            minhash_near_duplicates,
            num_perm=config.neardup.num_perm,
            seed=config.neardup.seed,
            shingle_size=config.neardup.shingle_size,
        )
        result.findings.extend(check_near_duplicates(kept, config.neardup.doc_threshold, finder))
    else:
        result.notes.append("near_duplicate_kept: skipped (--no-neardup-check)")

    result.findings.sort(key=Finding.sort_key)
    log.info("validation %s: %d findings", result.status, len(result.findings))
    return result


def validate_records(
    documents: Sequence[Mapping[str, Any]],
    removals: Sequence[Mapping[str, Any]],
    config: DedupConfig,
    ruleset: RuleMatcher | None = None,
    neardup: NearDupFinder | None = None,
    corpus: Any = None,
) -> ValidationResult:
    """:func:`validate_tables` on records as written to the JSONL files (``dedup clean``).

    ``corpus`` is accepted for the pipeline's convenience and not needed: every check
    reads only what the output files contain, so `dedup validate DIR` agrees with it.
    """
    docs = _frame(documents, DOCUMENT_COLUMNS)
    rems = _frame(removals, REMOVAL_COLUMNS)
    return validate_tables(docs, rems, config, ruleset=ruleset, neardup=neardup)


def _frame(rows: Sequence[Mapping[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    import pandas as pd

    if not rows:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    return pd.DataFrame([dict(r) for r in rows], dtype=object)


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


def _kept_docs(kept: pd.DataFrame) -> list[KeptDoc]:
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
        out.append(
            KeptDoc(
                doc_id=str(doc_id),
                row=_row(idx),
                source=source if isinstance(source, str) else "",
                url=url if isinstance(url, str) else None,
                title=title,
                text=text,
                lines=lines if isinstance(lines, list) else None,
            )
        )
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
