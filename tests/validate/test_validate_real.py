"""Validation with the real rule packs and on the seeds' output of `dedup clean`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers_validate import kept_doc, sentence, valid_output

from dedup.config import DedupConfig
from dedup.validate import validate_output

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def repo_rules() -> object:
    ruleset = pytest.importorskip("dedup.ruleset")
    if not list((REPO / "rules").glob("*.yaml")):
        pytest.skip("no rule packs in rules/")
    return ruleset.load_rules([REPO / "rules"])


def test_repo_rules_find_leftover_chrome(tmp_path: Path, repo_rules: object) -> None:
    import random

    body = [sentence(random.Random("chrome"), 35), "Share:", "Log in"]
    out = valid_output()
    out.documents.append(kept_doc("chrome", paragraphs=body, lines=[1, 2, 7, 8]))
    result = validate_output(out.write(tmp_path / "o"), DedupConfig(), ruleset=repo_rules)  # type: ignore[arg-type]
    assert {f.check for f in result.findings} == {"rule_leftover"}
    assert {f.doc_id for f in result.findings} == {"chrome"}
    assert {f.failure_case for f in result.findings} <= {"Share:", "Log in"}
    assert len(result.findings) >= 1


def test_valid_fixture_passes_with_repo_rules(tmp_path: Path, repo_rules: object) -> None:
    folder = valid_output().write(tmp_path / "o")
    result = validate_output(folder, DedupConfig(), ruleset=repo_rules)  # type: ignore[arg-type]
    assert result.passed, [str(f) for f in result.findings]


def test_seeds_output_validates_cleanly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dedup.cli.main import cli

    monkeypatch.chdir(REPO)  # the manifest records rule paths relative to the run's cwd
    out = tmp_path / "seeds-out"
    runner = CliRunner()
    cleaned = runner.invoke(cli, ["clean", "seeds", "--out", str(out), "--jobs", "1"])
    if cleaned.exit_code != 0 and not (out / "manifest.json").exists():
        pytest.skip(f"dedup clean unavailable: {cleaned.output[-200:]}")
    findings = json.loads((out / "validation.json").read_text())["findings"]
    assert findings == []
    assert cleaned.exit_code == 0
    validated = runner.invoke(cli, ["validate", str(out)])
    assert validated.exit_code == 0, validated.output
    assert "note:" not in validated.output  # the rule check ran with the recorded packs
