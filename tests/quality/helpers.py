"""Loads benchmarks/quality_eval.py (a script, not a package module) for the tests."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


@cache
def quality_eval() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "quality_eval", ROOT / "benchmarks" / "quality_eval.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["quality_eval"] = module  # dataclasses resolve their module by name
    spec.loader.exec_module(module)
    return module
