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


@pytest.fixture(scope="session")
def seeds_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """`dedup clean seeds/ --report` through the library: (output folder, report)."""
    from dedup.api import clean
    from dedup.config import build_config

    base = tmp_path_factory.mktemp("seeds")
    out_dir, html = base / "out", base / "reports" / "seeds.html"
    seeds = Path(__file__).resolve().parents[2] / "seeds"
    result = clean([seeds], out_dir, build_config({"jobs": 1}), report=html)
    assert result.report == html
    return out_dir, html
