from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dedup.config import DedupConfig, build_config

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"
RULES = REPO / "rules"
CHECK_DATA = REPO / "tests" / "data" / "check"
SEED_001 = next(SEEDS.glob("001_*.txt"))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A writable copy of the repo's seeds/ (named seeds, as in a consumer repository)."""
    dest = tmp_path / "seeds"
    dest.mkdir()
    for f in sorted(SEEDS.glob("*.txt")):
        (dest / f.name).write_bytes(f.read_bytes())
    return dest


@pytest.fixture
def index_path(tmp_path: Path) -> Path:
    return tmp_path / ".dedup" / "index.sqlite"


@pytest.fixture
def config() -> DedupConfig:
    return build_config({"rules": (RULES,), "jobs": 1})


def near_copy(src: Path, dest: Path) -> Path:
    """``src`` with a few words changed (three substitutions in a ~1,000-word article)."""
    text = src.read_text(encoding="utf-8")
    for old, new in (
        ("Moscow", "St Petersburg"),
        ("cultural", "historic"),
        ("thanks", "gratitude"),
    ):
        assert old in text
        text = text.replace(old, new, 1)
    dest.write_text(text, encoding="utf-8")
    return dest


def copy_article(dest: Path) -> Path:
    shutil.copyfile(CHECK_DATA / "new_article.txt", dest)
    return dest
