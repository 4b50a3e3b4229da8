from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "report" / "run"


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """A private copy of the hand-made output folder (tests may modify it)."""
    target = tmp_path / "run"
    shutil.copytree(FIXTURE, target)
    return target
