"""Readers (txt folders, JSONL, Parquet) and atomic writers.

Names are imported lazily: ``dedup.io.atomic`` is a leaf that modules imported by
``dedup.config`` use, and the readers import ``dedup.config`` (an eager import here made
``import dedup.config`` circular).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dedup.io.readers import InputFile, RawDocument, discover_inputs, read_documents

__all__ = ["InputFile", "RawDocument", "discover_inputs", "read_documents"]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'dedup.io' has no attribute {name!r}")
    return getattr(importlib.import_module("dedup.io.readers"), name)
