"""Every module of the package imports on its own, in a fresh interpreter.

The test suite imports modules in one order; a user's command imports them in another
(``dedup check`` starts from ``dedup.config``). An import cycle that one order hides broke
every such command once, with all tests passing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import dedup

# Forks a child per module from an interpreter that has imported no dedup module yet; the
# third-party libraries are loaded once before, as they take no part in dedup's cycles.
_PROBE = r"""
import importlib, os, sys
import click, jinja2, numpy, orjson, pandas, pandera, pydantic, re2, xxhash, yaml
failed = 0
for name in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(name)
        except BaseException as exc:
            print(f"import {name}: {type(exc).__name__}: {exc}", flush=True)
            os._exit(1)
        os._exit(0)
    failed += os.waitpid(pid, 0)[1] != 0
sys.exit(1 if failed else 0)
"""


def _modules() -> list[str]:
    root = Path(dedup.__file__).parent
    names = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the probe forks a child per module")
def test_every_module_imports_first() -> None:
    modules = _modules()
    assert "dedup.config" in modules and "dedup.cli.check" in modules
    run = subprocess.run(
        [sys.executable, "-c", _PROBE, *modules], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout + run.stderr
