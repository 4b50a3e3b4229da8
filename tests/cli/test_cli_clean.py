"""`dedup clean` through click's CliRunner: exit codes, messages, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup.cli.main import cli

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_clean_seeds_exits_0_with_summary(tmp_path: Path) -> None:
    code, out = run("clean", str(SEEDS), "--out", str(tmp_path / "o"), "--jobs", "1")
    assert code == 0, out
    assert "5 documents: 5 kept, 0 duplicate, 0 rejected" in out
    assert (
        json.loads((tmp_path / "o" / "manifest.json").read_text())["counts"]["documents"]["in"] == 5
    )


def test_missing_input_is_one_line_exit_1(tmp_path: Path) -> None:
    code, out = run("clean", str(tmp_path / "missing"), "--out", str(tmp_path / "o"))
    assert code == 1
    assert "missing: no such file or folder" in out and "Traceback" not in out


def test_bad_flag_value_is_usage_error(tmp_path: Path) -> None:
    code, out = run("clean", str(SEEDS), "--out", str(tmp_path / "o"), "--jobs", "0")
    assert code == 2
    assert "--jobs" in out and "Traceback" not in out


def test_invalid_rule_pack_is_usage_error_naming_file_and_line(tmp_path: Path) -> None:
    pack = tmp_path / "bad.yaml"
    pack.write_text(
        "pack: bad\nrules:\n  - id: x\n    why: y\n    kind: drop\n    regex: '(unclosed'\n"
    )
    code, out = run("clean", str(SEEDS), "--out", str(tmp_path / "o"), "--rules", str(pack))
    assert code == 2, out
    assert f"{pack}:" in out and "Traceback" not in out
    assert not (tmp_path / "o" / "manifest.json").exists()


def test_config_file_values_and_flag_override(tmp_path: Path) -> None:
    cfg = tmp_path / "dedup.toml"
    cfg.write_text("jobs = 0\n")
    code, out = run("clean", str(SEEDS), "--out", str(tmp_path / "o"), "--config", str(cfg))
    assert code == 2 and "--jobs" in out
    code, out = run(
        "clean", str(SEEDS), "--out", str(tmp_path / "o"), "--config", str(cfg), "--jobs", "1"
    )
    assert code == 0, out


def test_python_dash_m_entry_point() -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "dedup", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0 and "dedup" in proc.stdout


def test_folder_without_inputs_warns_and_still_writes_outputs(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notes.md").write_text("not an input\n")
    result = CliRunner().invoke(cli, ["clean", str(tmp_path / "in"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert "warning: " in result.stderr and "in: no input files (.txt" in result.stderr
    assert "warning" not in result.stdout
    assert (tmp_path / "o" / "manifest.json").exists()


def test_a_check_validation_ran_in_part_is_said_on_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page of thousands of alike lines exhausts the near-repeat check's budget: the run
    still ends, and says which document was checked in part, and from which line."""
    from dedup.validate import repeats

    monkeypatch.setattr(repeats, "SCORE_BUDGET", 200_000)
    words = ["alpha", "beta", "gamma", "delta", "city", "river", "north", "south", "east", "west"]
    lines = ["A title for the page"] + [
        f"The council said on Monday that the plan for the district goes ahead with "
        f"{words[i % 10]} {words[i // 10 % 10]} {words[i // 100 % 10]} {words[i // 1000 % 10]}."
        for i in range(2000)
    ]
    page = tmp_path / "page.txt"
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out = run("clean", str(page), "--out", str(tmp_path / "o"), "--jobs", "1", "--no-neardup")
    assert code in (0, 1), out  # the findings before the stop may fail validation
    notes = json.loads((tmp_path / "o" / "validation.json").read_text())["notes"]
    assert len(notes) == 1 and "page.txt (from line " in notes[0], notes
    assert f"note: {notes[0]}" in out
