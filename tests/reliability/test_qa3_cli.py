"""Findings of the third adversarial QA pass (twelfth session) on the CLI and the library:
each test fails on the code before its fix.

* ``rules = [...]`` in a ``dedup.toml`` was read against the working directory, so a run
  from a subfolder (which finds the file upward) could not find the packs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers_reliability import RULES, SEEDS, one_error_line, run_cli


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    dest = tmp_path / "seeds"
    dest.mkdir()
    for f in sorted(SEEDS.glob("*.txt")):
        (dest / f.name).write_bytes(f.read_bytes())
    return dest


# --- configuration ---------------------------------------------------------------------------


def test_config_rules_are_relative_to_the_config_file(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    (project / "sub").mkdir(parents=True)
    shutil.copytree(RULES, project / "myrules")
    (project / "dedup.toml").write_text('rules = ["myrules"]\njobs = 1\n')
    monkeypatch.chdir(project / "sub")  # the file is found upward from here
    run = run_cli("clean", corpus, "--out", tmp_path / "o", "-q")
    assert run.exit_code == 0, run.output
    monkeypatch.chdir(tmp_path)  # and named with --config from anywhere
    run = run_cli(
        "clean", corpus, "--out", tmp_path / "o", "-q", "--config", project / "dedup.toml"
    )
    assert run.exit_code == 0, run.output


def test_a_missing_config_rules_entry_names_the_file(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "dedup.toml").write_text('rules = ["nowhere"]\n')
    monkeypatch.chdir(tmp_path)
    run = run_cli("clean", corpus, "--out", tmp_path / "o", "-q")
    one_error_line(run, 2, "dedup.toml", "rules: nowhere: no such rule pack", str(tmp_path))
