"""Output files get the modes the user's umask gives any new file, not ``tempfile``'s 0o600:
a pipeline's next step or a web server often reads them as another user."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers_reliability import write_corpus

from dedup.api import clean
from dedup.config import build_config


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("umask")
@pytest.mark.parametrize("mask", [0o022, 0o077], ids=["umask-022", "umask-077"])
def test_outputs_and_report_follow_the_umask(tmp_path: Path, mask: int) -> None:
    src = write_corpus(tmp_path / "in", 3)
    out, report = tmp_path / "out", tmp_path / "report.html"
    os.umask(mask)
    clean([src], out, build_config({"jobs": 1}), report=report)
    files = [p for p in out.rglob("*") if p.is_file()] + [report]
    assert {p.name for p in files} >= {"manifest.json", "documents.jsonl", "validation.json"}
    assert {p.name: _mode(p) for p in files} == {p.name: 0o666 & ~mask for p in files}
    assert _mode(out / "text") == 0o777 & ~mask
