"""`dedup validate DIR`: exit codes, capped summary, validation.json, format errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers_validate import Output, kept_doc, removal, valid_output

from dedup.cli.main import cli
from dedup.config import DedupConfig
from dedup.errors import DedupError, OutputFormatError
from dedup.validate import validate_output


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # no dedup.toml / pyproject.toml of the repo leaks into the configuration
    monkeypatch.chdir(tmp_path)


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_valid_folder_exits_0_and_writes_validation_json(tmp_path: Path) -> None:
    folder = valid_output().write(tmp_path / "out")
    code, output = invoke(str(folder))
    assert code == 0, output
    assert "validation passed" in output
    data = json.loads((folder / "validation.json").read_text())
    assert data["status"] == "passed" and data["findings"] == []
    assert not list(folder.glob(".validation.*"))  # temporary file renamed away


def test_findings_exit_1_with_one_line_each(tmp_path: Path) -> None:
    out = valid_output()
    out.documents.append(kept_doc("", title=""))
    out.removals.append(removal("ghost", 4))
    folder = out.write(tmp_path / "out")
    code, output = invoke(str(folder))
    assert code == 1
    lines = output.splitlines()
    assert "documents.jsonl:6: doc_id='': doc_id_not_empty: doc_id must be a non-empty" in output
    assert any(line.startswith("removed.jsonl:3: doc_id=ghost: doc_id_exists:") for line in lines)
    assert lines[-1].startswith("validation failed: 3 findings (")
    data = json.loads((folder / "validation.json").read_text())
    assert data["status"] == "failed"
    assert sorted(f["check"] for f in data["findings"]) == [
        "doc_id_exists",
        "doc_id_not_empty",
        "title_not_empty",
    ]


def test_summary_is_capped_at_20(tmp_path: Path) -> None:
    out = valid_output()
    out.removals.extend(removal("ghost", n) for n in range(1, 31))
    folder = out.write(tmp_path / "out")
    code, output = invoke(str(folder))
    assert code == 1
    assert sum("doc_id_exists" in line for line in output.splitlines()) == 20 + 1  # + tally
    assert f"... and 10 more; see {folder / 'validation.json'}" in output
    assert len(json.loads((folder / "validation.json").read_text())["findings"]) == 30


def test_json_format_prints_everything(tmp_path: Path) -> None:
    out = valid_output()
    out.removals.extend(removal("ghost", n) for n in range(1, 31))
    code, output = invoke(str(out.write(tmp_path / "out")), "--format", "json")
    assert code == 1
    assert len(json.loads(output)["findings"]) == 30


def test_flags_override_thresholds(tmp_path: Path) -> None:
    folder = valid_output().write(tmp_path / "out")
    code, output = invoke(str(folder), "--min-words", "500")
    assert code == 1
    assert "text_min_words=3" in output


def test_bad_flag_value_is_usage_error(tmp_path: Path) -> None:
    folder = valid_output().write(tmp_path / "out")
    code, output = invoke(str(folder), "--doc-threshold", "3")
    assert code == 2
    assert "--doc-threshold" in output and "Traceback" not in output


@pytest.mark.parametrize("missing", ["manifest.json", "documents.jsonl", "edits.jsonl"])
def test_missing_file_is_a_clear_error(tmp_path: Path, missing: str) -> None:
    folder = valid_output().write(tmp_path / "out")
    (folder / missing).unlink()
    code, output = invoke(str(folder))
    assert code == 2
    assert output.strip() == f"Error: {folder}: not a dedup output folder: missing {missing}"


def test_not_a_folder(tmp_path: Path) -> None:
    code, output = invoke(str(tmp_path / "nope"))
    assert code == 2
    assert "not a folder" in output and "Traceback" not in output


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": "1.0.0"}, "written by dedup '1.0.0'; this is dedup 0.1.0 (major versions"),
        ({"format": 2}, "output format 2 is not supported"),
        ({"tool": "other"}, "written by 'other', not by dedup"),
    ],
)
def test_incompatible_manifest(tmp_path: Path, change: dict[str, object], message: str) -> None:
    out = valid_output()
    out.manifest.update(change)
    folder = out.write(tmp_path / "out")
    code, output = invoke(str(folder))
    assert code == 2
    assert message in output
    assert output.count("\n") == 1 and "Traceback" not in output
    assert not (folder / "validation.json").exists()


def test_unparsable_line_names_file_and_line(tmp_path: Path) -> None:
    folder = valid_output().write(tmp_path / "out")
    with (folder / "removed.jsonl").open("a") as fh:
        fh.write("{not json\n")
    code, output = invoke(str(folder))
    assert code == 2
    assert f"{folder / 'removed.jsonl'}:3: not valid JSON" in output


def test_format_errors_are_dedup_errors(tmp_path: Path) -> None:
    out = valid_output()
    out.manifest["format"] = 7
    folder = out.write(tmp_path / "out")
    with pytest.raises(OutputFormatError) as info:
        validate_output(folder, DedupConfig())
    assert isinstance(info.value, DedupError)
    assert info.value.path == str(folder / "manifest.json")


def test_non_object_line(tmp_path: Path) -> None:
    out: Output = valid_output()
    folder = out.write(tmp_path / "out")
    (folder / "documents.jsonl").write_text("[1, 2]\n")
    with pytest.raises(OutputFormatError, match="expected a JSON object"):
        validate_output(folder, DedupConfig())


def test_recorded_thresholds_apply_and_flags_win(tmp_path: Path) -> None:
    out = valid_output()
    out.manifest["parameters"] = {
        "validation": {"min_words": 500, "from_the_future": 1},
        "neardup": {"doc_threshold": 0.9},
        "jobs": 4,
    }
    folder = out.write(tmp_path / "out")
    code, output = invoke(str(folder))
    assert code == 1 and "(at least 500)" in output
    code, output = invoke(str(folder), "--min-words", "10")
    assert code == 0, output


def test_config_file_thresholds(tmp_path: Path) -> None:
    (tmp_path / "dedup.toml").write_text("[validation]\nmax_title_chars = 5\n")
    code, output = invoke(str(valid_output().write(tmp_path / "out")))
    assert code == 1
    assert "title_max_chars=3" in output
