"""pandera models of the output tables (``documents.jsonl``, ``removed.jsonl``).

The models are built per run by factories because their checks close over the configured
thresholds and over facts from the other table (known ids, kept ids, kept lines): that
keeps every check, cross-table ones included, inside pandera's lazy validation.

Columns are typed ``Any`` and every check tests types itself, so one bad value yields
one finding on its row instead of a column-wide dtype failure without a doc id.

Each check has a stable name (the ``check`` of a finding) and a message function that
turns the failing record into words. Imported lazily: pandera/pandas cost ~0.5 s.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from dedup.model import DUPLICATE_REASONS, REASONS, STATUSES
from dedup.validate import textchecks as tc
from dedup.validate.config import ValidationConfig

Record = Mapping[str, Any]
_NO_LINES: frozenset[int] = frozenset()
MessageFn = Callable[[Record, str | None], str]


@dataclass(frozen=True, slots=True)
class TableSchema:
    name: str  # the file the table is written to
    model: type[pa.DataFrameModel]
    messages: dict[str, MessageFn]
    # dataframe-level checks report every column; the one a finding names
    frame_check_columns: dict[str, str]


def _elementwise(series: pd.Series[Any], pred: Callable[[Any], bool]) -> pd.Series[bool]:
    return series.map(pred).astype(bool)


def _all_true(df: pd.DataFrame) -> pd.Series[bool]:
    return pd.Series(True, index=df.index, dtype=bool)


def _has(df: pd.DataFrame, *cols: str) -> bool:
    return all(c in df.columns for c in cols)


def _finder_message(find: Callable[[Any], str | None]) -> MessageFn:
    return lambda rec, col: find(rec.get(col or "")) or "invalid value"


def _distinct_ints(values: list[Any]) -> bool:
    ints = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    return len(set(ints)) == len(ints)


def _missing(value: Any) -> bool:
    """A field the record lacks: pandas fills it with NaN, a value JSON cannot hold."""
    return isinstance(value, float) and value != value


def _shown(rec: Record, key: str) -> str:
    """A field's value for a message: its repr, or "missing" (not "nan")."""
    value = rec.get(key)
    return "missing" if _missing(value) else repr(value)


def _present(key: str, message: MessageFn) -> MessageFn:
    """``message``, or "KEY is missing" for a record that lacks the field."""
    return lambda rec, col: f"{key} is missing" if _missing(rec.get(key)) else message(rec, col)


def documents_schema(cfg: ValidationConfig, kept_ids: frozenset[str]) -> TableSchema:
    """All documents: ids, source, status and the duplicate_of link."""

    class Documents(pa.DataFrameModel):
        doc_id: Series[Any] = pa.Field(nullable=True)
        source: Series[Any] = pa.Field(nullable=True)
        status: Series[Any] = pa.Field(nullable=True)
        duplicate_of: Series[Any] = pa.Field(nullable=True)
        similarity: Series[Any] = pa.Field(nullable=True)

        class Config:
            strict = False
            coerce = False

        @pa.check("doc_id", name="doc_id_not_empty", ignore_na=False)
        def _doc_id_not_empty(cls, s: Series[Any]) -> Series[bool]:
            return _elementwise(s, tc.is_nonblank_str)  # type: ignore[return-value]

        @pa.check("doc_id", name="doc_id_unique", ignore_na=False)
        def _doc_id_unique(cls, s: Series[Any]) -> Series[bool]:
            # first occurrence is fine; every later one is a finding
            usable = s.map(tc.is_nonblank_str).astype(bool)
            return ~(s.duplicated(keep="first") & usable)  # type: ignore[return-value]

        @pa.check("source", name="source_not_empty", ignore_na=False)
        def _source_not_empty(cls, s: Series[Any]) -> Series[bool]:
            return _elementwise(s, tc.is_nonblank_str)  # type: ignore[return-value]

        @pa.check("status", name="status_allowed", ignore_na=False)
        def _status_allowed(cls, s: Series[Any]) -> Series[bool]:
            return _elementwise(s, lambda v: isinstance(v, str) and v in STATUSES)  # type: ignore[return-value]

        @pa.check("similarity", name="similarity_range", ignore_na=False)
        def _similarity_range(cls, s: Series[Any]) -> Series[bool]:
            return _elementwise(s, lambda v: tc.is_null(v) or (tc.is_number(v) and 0 <= v <= 1))  # type: ignore[return-value]

        @pa.dataframe_check(name="duplicate_of_consistent")
        def _duplicate_of_consistent(cls, df: pd.DataFrame) -> Series[bool]:
            # duplicate_of is set exactly when status == "duplicate"
            if not _has(df, "status", "duplicate_of"):
                return _all_true(df)  # type: ignore[return-value]
            is_dup = df["status"] == "duplicate"
            has_target = df["duplicate_of"].map(tc.is_nonblank_str).astype(bool)
            return is_dup == has_target  # type: ignore[return-value]

        @pa.dataframe_check(name="duplicate_of_target")
        def _duplicate_of_target(cls, df: pd.DataFrame) -> Series[bool]:
            if not _has(df, "status", "duplicate_of"):
                return _all_true(df)  # type: ignore[return-value]
            is_dup = df["status"] == "duplicate"
            points_to_kept = df["duplicate_of"].map(lambda v: v in kept_ids).astype(bool)
            has_target = df["duplicate_of"].map(tc.is_nonblank_str).astype(bool)
            # an earlier run's document (dedup clean --index) is not in this output
            in_index = (
                df["duplicate_scope"] == "index"
                if "duplicate_scope" in df.columns
                else pd.Series(False, index=df.index, dtype=bool)
            )
            # a missing target is duplicate_of_consistent's finding, not this one
            return ~is_dup | ~has_target | points_to_kept | in_index  # type: ignore[return-value]

        @pa.dataframe_check(name="lines_unique")
        def _lines_unique(cls, df: pd.DataFrame) -> Series[bool]:
            # a raw line is kept once; for kept documents lines_match_paragraphs says it
            if not _has(df, "lines"):
                return _all_true(df)  # type: ignore[return-value]
            status = df["status"] if "status" in df.columns else pd.Series(None, index=df.index)
            ok = [
                st == "kept" or not isinstance(lines, list) or _distinct_ints(lines)
                for st, lines in zip(status, df["lines"], strict=True)
            ]
            return pd.Series(ok, index=df.index, dtype=bool)  # type: ignore[return-value]

        @pa.dataframe_check(name="duplicate_scope_consistent")
        def _duplicate_scope_consistent(cls, df: pd.DataFrame) -> Series[bool]:
            # "run" or "index" for duplicates, null otherwise; absent in older folders
            if not _has(df, "status", "duplicate_scope"):
                return _all_true(df)  # type: ignore[return-value]
            is_dup = df["status"] == "duplicate"
            scope = df["duplicate_scope"]
            allowed = scope.map(lambda v: v in ("run", "index")).astype(bool)
            null = scope.map(tc.is_null).astype(bool)
            return (is_dup & (allowed | null)) | (~is_dup & null)  # type: ignore[return-value]

    messages: dict[str, MessageFn] = {
        "doc_id_not_empty": _present(
            "doc_id", lambda r, c: f"doc_id must be a non-empty string, got {r.get('doc_id')!r}"
        ),
        "doc_id_unique": lambda r, c: f"doc_id {r.get('doc_id')!r} appears on an earlier line",
        "source_not_empty": _present(
            "source", lambda r, c: f"source must be a non-empty string, got {r.get('source')!r}"
        ),
        "status_allowed": _present(
            "status", lambda r, c: f"status {r.get('status')!r} is not one of {', '.join(STATUSES)}"
        ),
        "similarity_range": lambda r, c: (
            f"similarity {r.get('similarity')!r} is not a number in [0, 1]"
        ),
        "duplicate_of_consistent": lambda r, c: (
            f"status is {_shown(r, 'status')} but duplicate_of is {_shown(r, 'duplicate_of')}: "
            "duplicate_of must be set exactly when status is 'duplicate'"
        ),
        "duplicate_of_target": lambda r, c: (
            f"duplicate_of {r.get('duplicate_of')!r} is not the doc_id of a kept document"
        ),
        "lines_unique": lambda r, c: f"lines {r.get('lines')!r} list a line number twice",
        "duplicate_scope_consistent": lambda r, c: (
            f"status is {_shown(r, 'status')} but duplicate_scope is "
            f"{_shown(r, 'duplicate_scope')}: it must be 'run' or 'index' for a duplicate "
            "and null otherwise"
        ),
    }
    frame_cols = {
        "duplicate_of_consistent": "duplicate_of",
        "duplicate_of_target": "duplicate_of",
        "duplicate_scope_consistent": "duplicate_scope",
        "lines_unique": "lines",
    }
    return TableSchema("documents.jsonl", Documents, messages, frame_cols)


def kept_documents_schema(cfg: ValidationConfig) -> TableSchema:
    """Kept documents only: title, body and their normalisation."""
    max_title = cfg.max_title_chars
    min_words = cfg.min_words
    min_paras = cfg.min_paragraphs

    def lines_ok(lines: Any, text: Any) -> bool:
        if not isinstance(lines, list):
            return False
        if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in lines):
            return False
        increasing = all(a < b for a, b in itertools.pairwise(lines))
        return increasing and len(lines) == 1 + len(tc.body_paragraphs(text))

    class KeptDocuments(pa.DataFrameModel):
        title: Series[Any] = pa.Field(nullable=True)
        text: Series[Any] = pa.Field(nullable=True)
        lines: Series[Any] = pa.Field(nullable=True)

        class Config:
            strict = False
            coerce = False

        @pa.check("title", name="title_not_empty", ignore_na=False)
        def _title_not_empty(cls, s: Series[Any]) -> Series[bool]:
            return _elementwise(s, tc.is_nonblank_str)  # type: ignore[return-value]

        @pa.check("title", name="title_one_line", ignore_na=False)
        def _title_one_line(cls, s: Series[Any]) -> Series[bool]:
            return _elementwise(s, lambda v: not isinstance(v, str) or "\n" not in v)  # type: ignore[return-value]

        @pa.check("title", name="title_max_chars", ignore_na=False)
        def _title_max_chars(cls, s: Series[Any]) -> Series[bool]:
            return _elementwise(s, lambda v: not isinstance(v, str) or len(v) <= max_title)  # type: ignore[return-value]

        @pa.check("text", name="text_is_string", ignore_na=False)
        def _text_is_string(cls, s: Series[Any]) -> Series[bool]:
            return _elementwise(s, lambda v: isinstance(v, str))  # type: ignore[return-value]

        @pa.check("text", name="text_min_words", ignore_na=False)
        def _text_min_words(cls, s: Series[Any]) -> Series[bool]:
            return _elementwise(s, lambda v: tc.has_min_words(v, min_words))  # type: ignore[return-value]

        @pa.check("text", name="text_min_paragraphs", ignore_na=False)
        def _text_min_paragraphs(cls, s: Series[Any]) -> Series[bool]:
            return _elementwise(s, lambda v: len(tc.body_paragraphs(v)) >= min_paras)  # type: ignore[return-value]

        @pa.check("title", "text", name="no_nbsp", ignore_na=False)
        def _no_nbsp(cls, s: Series[Any]) -> Series[bool]:
            return _elementwise(s, lambda v: tc.find_nbsp(v) is None)  # type: ignore[return-value]

        @pa.check("title", "text", name="no_control_chars", ignore_na=False)
        def _no_control(cls, s: Series[Any]) -> Series[bool]:
            return _elementwise(s, lambda v: tc.find_control(v) is None)  # type: ignore[return-value]

        @pa.check("title", "text", name="no_cr", ignore_na=False)
        def _no_cr(cls, s: Series[Any]) -> Series[bool]:
            return _elementwise(s, lambda v: tc.find_cr(v) is None)  # type: ignore[return-value]

        @pa.check("title", "text", name="no_trailing_spaces", ignore_na=False)
        def _no_trailing(cls, s: Series[Any]) -> Series[bool]:
            return _elementwise(s, lambda v: tc.find_trailing(v) is None)  # type: ignore[return-value]

        @pa.check("text", name="no_blank_runs", ignore_na=False)
        def _no_blank_runs(cls, s: Series[Any]) -> Series[bool]:
            return _elementwise(s, lambda v: tc.find_blank_run(v) is None)  # type: ignore[return-value]

        @pa.dataframe_check(name="lines_match_paragraphs")
        def _lines_match(cls, df: pd.DataFrame) -> Series[bool]:
            if not _has(df, "lines", "text"):
                return _all_true(df)  # type: ignore[return-value]
            # zip over the two columns: DataFrame.apply(axis=1) builds a Series per row
            ok = [
                lines_ok(lines, text) for lines, text in zip(df["lines"], df["text"], strict=True)
            ]
            return pd.Series(ok, index=df.index, dtype=bool)  # type: ignore[return-value]

    def title_len(r: Record, c: str | None) -> str:
        n = len(r.get("title") or "")
        return f"title has {n} characters (at most {max_title})"

    messages: dict[str, MessageFn] = {
        "title_not_empty": _present(
            "title", lambda r, c: f"a kept document needs a title, got {r.get('title')!r}"
        ),
        "title_one_line": lambda r, c: "title spans several lines",
        "title_max_chars": title_len,
        "text_is_string": _present(
            "text", lambda r, c: f"text must be a string, got {type(r.get('text')).__name__}"
        ),
        "text_min_words": lambda r, c: (
            f"body has {tc.word_count(r.get('text'))} words (at least {min_words})"
        ),
        "text_min_paragraphs": lambda r, c: (
            f"body has {len(tc.body_paragraphs(r.get('text')))} paragraphs (at least {min_paras})"
        ),
        "no_nbsp": _finder_message(tc.find_nbsp),
        "no_control_chars": _finder_message(tc.find_control),
        "no_cr": _finder_message(tc.find_cr),
        "no_trailing_spaces": _finder_message(tc.find_trailing),
        "no_blank_runs": _finder_message(tc.find_blank_run),
        "lines_match_paragraphs": lambda r, c: (
            f"lines {_shown(r, 'lines')} must be increasing line numbers >= 1, "
            f"one for the title and one per body paragraph "
            f"({1 + len(tc.body_paragraphs(r.get('text')))})"
        ),
    }
    return TableSchema(
        "documents.jsonl", KeptDocuments, messages, {"lines_match_paragraphs": "lines"}
    )


def _is_line(v: Any) -> bool:
    """A line number as the records write it: an int >= 1 (a bool is no number here)."""
    return isinstance(v, int) and not isinstance(v, bool) and v >= 1


def _link_messages() -> dict[str, MessageFn]:
    """Messages of the checks every line record shares (removed.jsonl, edits.jsonl)."""
    return {
        "doc_id_exists": _present(
            "doc_id", lambda r, c: f"doc_id {r.get('doc_id')!r} is not in documents.jsonl"
        ),
        "line_positive": _present(
            "line", lambda r, c: f"line must be an integer >= 1, got {r.get('line')!r}"
        ),
    }


def removals_schema(
    cfg: ValidationConfig, known_ids: frozenset[str], kept_lines: Mapping[str, frozenset[int]]
) -> TableSchema:
    """Removed paragraphs: link to a document, line, reason, detail, similarity."""

    class Removals(pa.DataFrameModel):
        doc_id: Series[Any] = pa.Field(nullable=True)
        line: Series[Any] = pa.Field(nullable=True)
        reason: Series[Any] = pa.Field(nullable=True)
        detail: Series[Any] = pa.Field(nullable=True)
        similarity: Series[Any] = pa.Field(nullable=True)

        class Config:
            strict = False
            coerce = False

        @pa.check("doc_id", name="doc_id_exists", ignore_na=False)
        def _doc_id_exists(cls, s: Series[Any]) -> Series[bool]:
            return _elementwise(s, lambda v: isinstance(v, str) and v in known_ids)  # type: ignore[return-value]

        @pa.check("line", name="line_positive", ignore_na=False)
        def _line_positive(cls, s: Series[Any]) -> Series[bool]:
            return _elementwise(s, _is_line)  # type: ignore[return-value]

        @pa.check("reason", name="reason_allowed", ignore_na=False)
        def _reason_allowed(cls, s: Series[Any]) -> Series[bool]:
            return _elementwise(s, lambda v: isinstance(v, str) and v in REASONS)  # type: ignore[return-value]

        @pa.check("detail", name="detail_present", ignore_na=False)
        def _detail_present(cls, s: Series[Any]) -> Series[bool]:
            return _elementwise(s, tc.is_nonblank_str)  # type: ignore[return-value]

        @pa.check("similarity", name="similarity_range", ignore_na=False)
        def _similarity_range(cls, s: Series[Any]) -> Series[bool]:
            return _elementwise(s, lambda v: tc.is_null(v) or (tc.is_number(v) and 0 <= v <= 1))  # type: ignore[return-value]

        @pa.dataframe_check(name="similarity_missing")
        def _similarity_missing(cls, df: pd.DataFrame) -> Series[bool]:
            if not _has(df, "reason", "similarity"):
                return _all_true(df)  # type: ignore[return-value]
            dup_kind = df["reason"].map(lambda v: v in DUPLICATE_REASONS).astype(bool)
            return ~dup_kind | ~df["similarity"].map(tc.is_null).astype(bool)  # type: ignore[return-value]

        @pa.dataframe_check(name="line_unique_per_doc")
        def _line_unique(cls, df: pd.DataFrame) -> Series[bool]:
            if not _has(df, "doc_id", "line"):
                return _all_true(df)  # type: ignore[return-value]
            # a missing line is line_positive's finding, however often
            missing = df["line"].map(tc.is_null).astype(bool)
            try:
                # factorised column by column: no key string per row (+100 MB of peak
                # memory at 395,000 removals)
                return ~df.duplicated(subset=["doc_id", "line"], keep="first") | missing  # type: ignore[return-value]
            except TypeError:  # an unhashable value (a list for a line): compare as text
                keys = df["doc_id"].astype(str) + "\x00" + df["line"].astype(str)
                return ~keys.duplicated(keep="first") | missing  # type: ignore[return-value]

        @pa.dataframe_check(name="line_not_kept")
        def _line_not_kept(cls, df: pd.DataFrame) -> Series[bool]:
            # a raw line is either kept or removed, never both
            if not _has(df, "doc_id", "line"):
                return _all_true(df)  # type: ignore[return-value]
            # same test per row, over the two columns (DataFrame.apply builds a Series per row)
            ok = [
                line not in kept_lines.get(doc_id, _NO_LINES)
                for doc_id, line in zip(df["doc_id"], df["line"], strict=True)
            ]
            return pd.Series(ok, index=df.index, dtype=bool)  # type: ignore[return-value]

    messages: dict[str, MessageFn] = {
        **_link_messages(),
        "reason_allowed": _present(
            "reason", lambda r, c: f"reason {r.get('reason')!r} is not one of {', '.join(REASONS)}"
        ),
        "detail_present": _present(
            "detail", lambda r, c: f"detail must name the rule or the twin, got {r.get('detail')!r}"
        ),
        "similarity_range": lambda r, c: (
            f"similarity {r.get('similarity')!r} is not a number in [0, 1]"
        ),
        "similarity_missing": lambda r, c: f"reason {r.get('reason')!r} needs a similarity",
        "line_unique_per_doc": lambda r, c: (
            f"line {_shown(r, 'line')} of {_shown(r, 'doc_id')} is removed twice"
        ),
        "line_not_kept": lambda r, c: (
            f"line {r.get('line')!r} is both removed and kept (listed in the document's lines)"
        ),
    }
    frame_cols = {
        "similarity_missing": "similarity",
        "line_unique_per_doc": "line",
        "line_not_kept": "line",
    }
    return TableSchema("removed.jsonl", Removals, messages, frame_cols)


def edits_schema(
    known_ids: frozenset[str], kept_lines: Mapping[str, frozenset[int]]
) -> TableSchema:
    """Edited kept paragraphs (``edits.jsonl``): link to a document and one of its kept lines."""

    class Edits(pa.DataFrameModel):
        doc_id: Series[Any] = pa.Field(nullable=True)
        line: Series[Any] = pa.Field(nullable=True)

        class Config:
            strict = False
            coerce = False

        @pa.check("doc_id", name="doc_id_exists", ignore_na=False)
        def _doc_id_exists(cls, s: Series[Any]) -> Series[bool]:
            return _elementwise(s, lambda v: isinstance(v, str) and v in known_ids)  # type: ignore[return-value]

        @pa.check("line", name="line_positive", ignore_na=False)
        def _line_positive(cls, s: Series[Any]) -> Series[bool]:
            return _elementwise(s, _is_line)  # type: ignore[return-value]

        @pa.dataframe_check(name="line_unique_per_doc")
        def _line_unique(cls, df: pd.DataFrame) -> Series[bool]:
            if not _has(df, "doc_id", "line"):
                return _all_true(df)  # type: ignore[return-value]
            # a line that is no line number is line_positive's finding
            keys = [
                (d, n) if isinstance(d, str) and _is_line(n) else (None, i)
                for i, (d, n) in enumerate(zip(df["doc_id"], df["line"], strict=True))
            ]
            return ~pd.Series(keys, index=df.index, dtype=object).duplicated(keep="first")  # type: ignore[return-value]

        @pa.dataframe_check(name="line_kept")
        def _line_kept(cls, df: pd.DataFrame) -> Series[bool]:
            # an edit changes a kept line (restore puts its raw form back at that line)
            if not _has(df, "doc_id", "line"):
                return _all_true(df)  # type: ignore[return-value]
            ok = [
                d not in known_ids or not _is_line(n) or n in kept_lines.get(d, _NO_LINES)
                for d, n in zip(df["doc_id"], df["line"], strict=True)
            ]
            return pd.Series(ok, index=df.index, dtype=bool)  # type: ignore[return-value]

    messages: dict[str, MessageFn] = {
        **_link_messages(),
        "line_unique_per_doc": lambda r, c: (
            f"line {r.get('line')!r} of {r.get('doc_id')!r} is edited twice"
        ),
        "line_kept": lambda r, c: (
            f"line {r.get('line')!r} is not one of the document's kept lines "
            "(its lines in documents.jsonl)"
        ),
    }
    frame_cols = {"line_unique_per_doc": "line", "line_kept": "line"}
    return TableSchema("edits.jsonl", Edits, messages, frame_cols)
