"""What the pandera models of the output tables share: the table schema a model is run
as, the record and message types, and the small column tests their checks are built from.

The models (``document_schemas``, ``record_schemas``) are built per run by factories
because their checks close over the configured thresholds and over facts from the other
table (known ids, kept ids, kept lines): that keeps every check, cross-table ones
included, inside pandera's lazy validation. Columns are typed ``Any`` and every check
tests types itself, so one bad value yields one finding on its row instead of a
column-wide dtype failure without a doc id. Each check has a stable name (the ``check``
of a finding) and a message function that turns the failing record into words.
Imported lazily: pandera/pandas cost ~0.5 s.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pandera.pandas as pa

Record = Mapping[str, Any]
NO_LINES: frozenset[int] = frozenset()
MessageFn = Callable[[Record, str | None], str]


@dataclass(frozen=True, slots=True)
class TableSchema:
    name: str  # the file the table is written to
    model: type[pa.DataFrameModel]
    messages: dict[str, MessageFn]
    # dataframe-level checks report every column; the one a finding names
    frame_check_columns: dict[str, str]


def elementwise(series: pd.Series[Any], pred: Callable[[Any], bool]) -> pd.Series[bool]:
    return series.map(pred).astype(bool)


def all_true(df: pd.DataFrame) -> pd.Series[bool]:
    return pd.Series(True, index=df.index, dtype=bool)


def has(df: pd.DataFrame, *cols: str) -> bool:
    return all(c in df.columns for c in cols)


def finder_message(find: Callable[[Any], str | None]) -> MessageFn:
    return lambda rec, col: find(rec.get(col or "")) or "invalid value"


def distinct_ints(values: list[Any]) -> bool:
    ints = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    return len(set(ints)) == len(ints)


def missing(value: Any) -> bool:
    """A field the record lacks: pandas fills it with NaN, a value JSON cannot hold."""
    return isinstance(value, float) and value != value


def shown(rec: Record, key: str) -> str:
    """A field's value for a message: its repr, or "missing" (not "nan")."""
    value = rec.get(key)
    return "missing" if missing(value) else repr(value)


def present(key: str, message: MessageFn) -> MessageFn:
    """``message``, or "KEY is missing" for a record that lacks the field."""
    return lambda rec, col: f"{key} is missing" if missing(rec.get(key)) else message(rec, col)
