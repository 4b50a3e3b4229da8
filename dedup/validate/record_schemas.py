"""pandera models of the line records, ``removed.jsonl`` and ``edits.jsonl``: each links
to a document and one of its lines (see ``schema_parts`` for how the models are built)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from dedup.model import DUPLICATE_REASONS, REASONS
from dedup.validate import textchecks as tc
from dedup.validate.config import ValidationConfig
from dedup.validate.schema_parts import (
    NO_LINES,
    MessageFn,
    TableSchema,
    all_true,
    elementwise,
    has,
    present,
    shown,
)


def _is_line(v: Any) -> bool:
    """A line number as the records write it: an int >= 1 (a bool is no number here)."""
    return isinstance(v, int) and not isinstance(v, bool) and v >= 1


def _line_record(known_ids: frozenset[str]) -> type[pa.DataFrameModel]:
    """The columns and checks every line record shares (removed.jsonl, edits.jsonl): a
    document that exists and a line number; each table's model adds its own."""

    class LineRecord(pa.DataFrameModel):
        doc_id: Series[Any] = pa.Field(nullable=True)
        line: Series[Any] = pa.Field(nullable=True)

        class Config:
            strict = False
            coerce = False

        @pa.check("doc_id", name="doc_id_exists", ignore_na=False)
        def _doc_id_exists(cls, s: Series[Any]) -> Series[bool]:
            return elementwise(s, lambda v: isinstance(v, str) and v in known_ids)  # type: ignore[return-value]

        @pa.check("line", name="line_positive", ignore_na=False)
        def _line_positive(cls, s: Series[Any]) -> Series[bool]:
            return elementwise(s, _is_line)  # type: ignore[return-value]

    return LineRecord


def _link_messages() -> dict[str, MessageFn]:
    """Messages of the checks every line record shares (removed.jsonl, edits.jsonl)."""
    return {
        "doc_id_exists": present(
            "doc_id", lambda r, c: f"doc_id {r.get('doc_id')!r} is not in documents.jsonl"
        ),
        "line_positive": present(
            "line", lambda r, c: f"line must be an integer >= 1, got {r.get('line')!r}"
        ),
    }


def removals_schema(
    cfg: ValidationConfig, known_ids: frozenset[str], kept_lines: Mapping[str, frozenset[int]]
) -> TableSchema:
    """Removed paragraphs: link to a document, line, reason, detail, similarity."""

    class Removals(_line_record(known_ids)):  # type: ignore[misc]
        reason: Series[Any] = pa.Field(nullable=True)
        detail: Series[Any] = pa.Field(nullable=True)
        similarity: Series[Any] = pa.Field(nullable=True)

        @pa.check("reason", name="reason_allowed", ignore_na=False)
        def _reason_allowed(cls, s: Series[Any]) -> Series[bool]:
            return elementwise(s, lambda v: isinstance(v, str) and v in REASONS)  # type: ignore[return-value]

        @pa.check("detail", name="detail_present", ignore_na=False)
        def _detail_present(cls, s: Series[Any]) -> Series[bool]:
            return elementwise(s, tc.is_nonblank_str)  # type: ignore[return-value]

        @pa.check("similarity", name="similarity_range", ignore_na=False)
        def _similarity_range(cls, s: Series[Any]) -> Series[bool]:
            return elementwise(s, lambda v: tc.is_null(v) or (tc.is_number(v) and 0 <= v <= 1))  # type: ignore[return-value]

        @pa.dataframe_check(name="similarity_missing")
        def _similarity_missing(cls, df: pd.DataFrame) -> Series[bool]:
            if not has(df, "reason", "similarity"):
                return all_true(df)  # type: ignore[return-value]
            dup_kind = df["reason"].map(lambda v: v in DUPLICATE_REASONS).astype(bool)
            return ~dup_kind | ~df["similarity"].map(tc.is_null).astype(bool)  # type: ignore[return-value]

        @pa.dataframe_check(name="line_unique_per_doc")
        def _line_unique(cls, df: pd.DataFrame) -> Series[bool]:
            if not has(df, "doc_id", "line"):
                return all_true(df)  # type: ignore[return-value]
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
            if not has(df, "doc_id", "line"):
                return all_true(df)  # type: ignore[return-value]
            # same test per row, over the two columns (DataFrame.apply builds a Series per row)
            ok = [
                line not in kept_lines.get(doc_id, NO_LINES)
                for doc_id, line in zip(df["doc_id"], df["line"], strict=True)
            ]
            return pd.Series(ok, index=df.index, dtype=bool)  # type: ignore[return-value]

    messages: dict[str, MessageFn] = {
        **_link_messages(),
        "reason_allowed": present(
            "reason", lambda r, c: f"reason {r.get('reason')!r} is not one of {', '.join(REASONS)}"
        ),
        "detail_present": present(
            "detail", lambda r, c: f"detail must name the rule or the twin, got {r.get('detail')!r}"
        ),
        "similarity_range": lambda r, c: (
            f"similarity {r.get('similarity')!r} is not a number in [0, 1]"
        ),
        "similarity_missing": lambda r, c: f"reason {r.get('reason')!r} needs a similarity",
        "line_unique_per_doc": lambda r, c: (
            f"line {shown(r, 'line')} of {shown(r, 'doc_id')} is removed twice"
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

    class Edits(_line_record(known_ids)):  # type: ignore[misc]
        @pa.dataframe_check(name="line_unique_per_doc")
        def _line_unique(cls, df: pd.DataFrame) -> Series[bool]:
            if not has(df, "doc_id", "line"):
                return all_true(df)  # type: ignore[return-value]
            # a line that is no line number is line_positive's finding
            keys = [
                (d, n) if isinstance(d, str) and _is_line(n) else (None, i)
                for i, (d, n) in enumerate(zip(df["doc_id"], df["line"], strict=True))
            ]
            return ~pd.Series(keys, index=df.index, dtype=object).duplicated(keep="first")  # type: ignore[return-value]

        @pa.dataframe_check(name="line_kept")
        def _line_kept(cls, df: pd.DataFrame) -> Series[bool]:
            # an edit changes a kept line (restore puts its raw form back at that line)
            if not has(df, "doc_id", "line"):
                return all_true(df)  # type: ignore[return-value]
            ok = [
                d not in known_ids or not _is_line(n) or n in kept_lines.get(d, NO_LINES)
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
