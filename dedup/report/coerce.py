"""Read values of an output folder's records defensively.

The folder may have been edited by another tool (``dedup report`` re-renders whatever is
there), so a field of the wrong type reads as empty rather than raising.
"""

from __future__ import annotations

from typing import Any


def as_str(value: Any) -> str:
    return "" if value is None else str(value)


def as_int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def as_sim(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
