from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
RULES = REPO / "rules"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture
def repo_root() -> Path:
    return REPO


@pytest.fixture(autouse=True, scope="session")
def _private_rule_pack_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The suite's rule-pack cache (dedup.ruleset.cache) lives in its own folder, for the
    commands tests run in-process and in subprocesses alike, not in the user's."""
    os.environ["DEDUP_CACHE_DIR"] = str(tmp_path_factory.mktemp("dedup-cache"))
    os.environ.pop("DEDUP_NO_CACHE", None)
