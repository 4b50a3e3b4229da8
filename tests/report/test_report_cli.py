"""`dedup report DIR -o FILE` through click's CliRunner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup.cli.main import cli
from dedup.report import render_html


def test_report_command_writes_the_same_page_as_the_library(run_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.html"
    result = CliRunner().invoke(cli, ["report", str(run_dir), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert f"report: {target}" in result.output
    assert target.read_text("utf-8") == render_html(run_dir)


def test_sample_option_bounds_the_detail(run_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.html"
    result = CliRunner().invoke(cli, ["report", str(run_dir), "-o", str(target), "--sample", "1"])
    assert result.exit_code == 0, result.output
    assert target.read_text("utf-8").count('data-testid="doc"') == 1


def test_default_output_is_reports_dir_name(
    run_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["report", str(run_dir)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "reports" / "run.html").is_file()


def test_not_an_output_folder_exits_1_with_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["report", str(tmp_path), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 1
    assert "manifest.json: missing; is this a `dedup clean` output folder?" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "r.html").exists()


def test_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["report", str(tmp_path / "nope")])
    assert result.exit_code == 2


def test_help_ends_with_an_example() -> None:
    result = CliRunner().invoke(cli, ["report", "--help"])
    assert result.exit_code == 0
    lines = [
        line.strip() for line in result.output.split("Options:")[0].splitlines() if line.strip()
    ]
    assert lines[-2:] == ["Example:", "dedup report build/seeds -o reports/seeds.html"]
