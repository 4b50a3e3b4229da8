"""`dedup clean` through click's CliRunner: exit codes, messages, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

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
