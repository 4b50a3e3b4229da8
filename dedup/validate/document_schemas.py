"""pandera models of ``documents.jsonl``: every document record, and the kept ones'
text (see ``schema_parts`` for how the models are built and read)."""

from __future__ import annotations

import itertools
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from dedup.model import STATUSES
from dedup.validate import textchecks as tc
from dedup.validate.config import ValidationConfig
from dedup.validate.schema_parts import (
    MessageFn,
    Record,
    TableSchema,
    all_true,
    distinct_ints,
    elementwise,
    finder_message,
    has,
    present,
    shown,
)


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
            return elementwise(s, tc.is_nonblank_str)  # type: ignore[return-value]

        @pa.check("doc_id", name="doc_id_unique", ignore_na=False)
        def _doc_id_unique(cls, s: Series[Any]) -> Series[bool]:
            # first occurrence is fine; every later one is a finding
            usable = s.map(tc.is_nonblank_str).astype(bool)
            return ~(s.duplicated(keep="first") & usable)  # type: ignore[return-value]

        @pa.check("source", name="source_not_empty", ignore_na=False)
        def _source_not_empty(cls, s: Series[Any]) -> Series[bool]:
            return elementwise(s, tc.is_nonblank_str)  # type: ignore[return-value]

        @pa.check("status", name="status_allowed", ignore_na=False)
        def _status_allowed(cls, s: Series[Any]) -> Series[bool]:
            return elementwise(s, lambda v: isinstance(v, str) and v in STATUSES)  # type: ignore[return-value]

        @pa.check("similarity", name="similarity_range", ignore_na=False)
        def _similarity_range(cls, s: Series[Any]) -> Series[bool]:
            return elementwise(s, lambda v: tc.is_null(v) or (tc.is_number(v) and 0 <= v <= 1))  # type: ignore[return-value]

        @pa.dataframe_check(name="duplicate_of_consistent")
        def _duplicate_of_consistent(cls, df: pd.DataFrame) -> Series[bool]:
            # duplicate_of is set exactly when status == "duplicate"
            if not has(df, "status", "duplicate_of"):
                return all_true(df)  # type: ignore[return-value]
            is_dup = df["status"] == "duplicate"
            has_target = df["duplicate_of"].map(tc.is_nonblank_str).astype(bool)
            return is_dup == has_target  # type: ignore[return-value]

        @pa.dataframe_check(name="duplicate_of_target")
        def _duplicate_of_target(cls, df: pd.DataFrame) -> Series[bool]:
            if not has(df, "status", "duplicate_of"):
                return all_true(df)  # type: ignore[return-value]
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
            if not has(df, "lines"):
                return all_true(df)  # type: ignore[return-value]
            status = df["status"] if "status" in df.columns else pd.Series(None, index=df.index)
            ok = [
                st == "kept" or not isinstance(lines, list) or distinct_ints(lines)
                for st, lines in zip(status, df["lines"], strict=True)
            ]
            return pd.Series(ok, index=df.index, dtype=bool)  # type: ignore[return-value]

        @pa.dataframe_check(name="duplicate_scope_consistent")
        def _duplicate_scope_consistent(cls, df: pd.DataFrame) -> Series[bool]:
            # "run" or "index" for duplicates, null otherwise; absent in older folders
            if not has(df, "status", "duplicate_scope"):
                return all_true(df)  # type: ignore[return-value]
            is_dup = df["status"] == "duplicate"
            scope = df["duplicate_scope"]
            allowed = scope.map(lambda v: v in ("run", "index")).astype(bool)
            null = scope.map(tc.is_null).astype(bool)
            return (is_dup & (allowed | null)) | (~is_dup & null)  # type: ignore[return-value]

    messages: dict[str, MessageFn] = {
        "doc_id_not_empty": present(
            "doc_id", lambda r, c: f"doc_id must be a non-empty string, got {r.get('doc_id')!r}"
        ),
        "doc_id_unique": lambda r, c: f"doc_id {r.get('doc_id')!r} appears on an earlier line",
        "source_not_empty": present(
            "source", lambda r, c: f"source must be a non-empty string, got {r.get('source')!r}"
        ),
        "status_allowed": present(
            "status", lambda r, c: f"status {r.get('status')!r} is not one of {', '.join(STATUSES)}"
        ),
        "similarity_range": lambda r, c: (
            f"similarity {r.get('similarity')!r} is not a number in [0, 1]"
        ),
        "duplicate_of_consistent": lambda r, c: (
            f"status is {shown(r, 'status')} but duplicate_of is {shown(r, 'duplicate_of')}: "
            "duplicate_of must be set exactly when status is 'duplicate'"
        ),
        "duplicate_of_target": lambda r, c: (
            f"duplicate_of {r.get('duplicate_of')!r} is not the doc_id of a kept document"
        ),
        "lines_unique": lambda r, c: f"lines {r.get('lines')!r} list a line number twice",
        "duplicate_scope_consistent": lambda r, c: (
            f"status is {shown(r, 'status')} but duplicate_scope is "
            f"{shown(r, 'duplicate_scope')}: it must be 'run' or 'index' for a duplicate "
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
            return elementwise(s, tc.is_nonblank_str)  # type: ignore[return-value]

        @pa.check("title", name="title_one_line", ignore_na=False)
        def _title_one_line(cls, s: Series[Any]) -> Series[bool]:
            return elementwise(s, lambda v: not isinstance(v, str) or "\n" not in v)  # type: ignore[return-value]

        @pa.check("title", name="title_max_chars", ignore_na=False)
        def _title_max_chars(cls, s: Series[Any]) -> Series[bool]:
            return elementwise(s, lambda v: not isinstance(v, str) or len(v) <= max_title)  # type: ignore[return-value]

        @pa.check("text", name="text_is_string", ignore_na=False)
        def _text_is_string(cls, s: Series[Any]) -> Series[bool]:
            return elementwise(s, lambda v: isinstance(v, str))  # type: ignore[return-value]

        @pa.check("text", name="text_min_words", ignore_na=False)
        def _text_min_words(cls, s: Series[Any]) -> Series[bool]:
            return elementwise(s, lambda v: tc.has_min_words(v, min_words))  # type: ignore[return-value]

        @pa.check("text", name="text_min_paragraphs", ignore_na=False)
        def _text_min_paragraphs(cls, s: Series[Any]) -> Series[bool]:
            return elementwise(s, lambda v: len(tc.body_paragraphs(v)) >= min_paras)  # type: ignore[return-value]

        @pa.check("title", "text", name="no_nbsp", ignore_na=False)
        def _no_nbsp(cls, s: Series[Any]) -> Series[bool]:
            return elementwise(s, lambda v: tc.find_nbsp(v) is None)  # type: ignore[return-value]

        @pa.check("title", "text", name="no_control_chars", ignore_na=False)
        def _no_control(cls, s: Series[Any]) -> Series[bool]:
            return elementwise(s, lambda v: tc.find_control(v) is None)  # type: ignore[return-value]

        @pa.check("title", "text", name="no_cr", ignore_na=False)
        def _no_cr(cls, s: Series[Any]) -> Series[bool]:
            return elementwise(s, lambda v: tc.find_cr(v) is None)  # type: ignore[return-value]

        @pa.check("title", "text", name="no_trailing_spaces", ignore_na=False)
        def _no_trailing(cls, s: Series[Any]) -> Series[bool]:
            return elementwise(s, lambda v: tc.find_trailing(v) is None)  # type: ignore[return-value]

        @pa.check("text", name="no_blank_runs", ignore_na=False)
        def _no_blank_runs(cls, s: Series[Any]) -> Series[bool]:
            return elementwise(s, lambda v: tc.find_blank_run(v) is None)  # type: ignore[return-value]

        @pa.dataframe_check(name="lines_match_paragraphs")
        def _lines_match(cls, df: pd.DataFrame) -> Series[bool]:
            if not has(df, "lines", "text"):
                return all_true(df)  # type: ignore[return-value]
            # zip over the two columns: DataFrame.apply(axis=1) builds a Series per row
            ok = [
                lines_ok(lines, text) for lines, text in zip(df["lines"], df["text"], strict=True)
            ]
            return pd.Series(ok, index=df.index, dtype=bool)  # type: ignore[return-value]

    def title_len(r: Record, c: str | None) -> str:
        n = len(r.get("title") or "")
        return f"title has {n} characters (at most {max_title})"

    messages: dict[str, MessageFn] = {
        "title_not_empty": present(
            "title", lambda r, c: f"a kept document needs a title, got {r.get('title')!r}"
        ),
        "title_one_line": lambda r, c: "title spans several lines",
        "title_max_chars": title_len,
        "text_is_string": present(
            "text", lambda r, c: f"text must be a string, got {type(r.get('text')).__name__}"
        ),
        "text_min_words": lambda r, c: (
            f"body has {tc.word_count(r.get('text'))} words (at least {min_words})"
        ),
        "text_min_paragraphs": lambda r, c: (
            f"body has {len(tc.body_paragraphs(r.get('text')))} paragraphs (at least {min_paras})"
        ),
        "no_nbsp": finder_message(tc.find_nbsp),
        "no_control_chars": finder_message(tc.find_control),
        "no_cr": finder_message(tc.find_cr),
        "no_trailing_spaces": finder_message(tc.find_trailing),
        "no_blank_runs": finder_message(tc.find_blank_run),
        "lines_match_paragraphs": lambda r, c: (
            f"lines {shown(r, 'lines')} must be increasing line numbers >= 1, "
            f"one for the title and one per body paragraph "
            f"({1 + len(tc.body_paragraphs(r.get('text')))})"
        ),
    }
    return TableSchema(
        "documents.jsonl", KeptDocuments, messages, {"lines_match_paragraphs": "lines"}
    )
