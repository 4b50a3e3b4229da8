"""Findings of the third adversarial QA pass (twelfth session) on the CLI and the library:
each test fails on the code before its fix.

* ``rules = [...]`` in a ``dedup.toml`` was read against the working directory, so a run
  from a subfolder (which finds the file upward) could not find the packs.
* An ``--index`` inside ``--out/text/`` was deleted with ``text/`` (exit 0, "added: 5");
  a ``--report`` under a file failed after the whole run; ``-`` became a file name;
  flag conflicts exited 1; an earlier output folder as input gave bogus rejections; an
  interrupt while the report rendered read as an incomplete folder.
* ``dedup check`` found one file named two ways a duplicate of itself, suggested rules
  with one id for two lines, and advised an option it lacks.
* ``dedup report`` let another major version pass and warned twice; the library read a
  lone ``str`` path as one-letter paths and failed late on wrong argument types.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers_reliability import RULES, copy_seeds, one_error_line, run_cli

from dedup import __version__


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return copy_seeds(tmp_path)


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


# --- output locations, flags and exit codes ------------------------------------------------


def test_an_index_the_run_would_replace_is_refused_before_anything_is_written(
    tmp_path: Path, corpus: Path
) -> None:
    out = tmp_path / "o"
    assert run_cli("clean", corpus, "--out", out, "-q", "-j", "1").exit_code == 0
    for index in (out / "text" / "idx.sqlite", out / "documents.jsonl"):
        run = run_cli("clean", corpus, "--out", out, "-q", "-j", "1", "--index", index)
        one_error_line(run, 2, "the index would be inside the output folder")
        assert not (out / "text" / "idx.sqlite").exists()
    fresh = tmp_path / "fresh"  # nothing created, not even the index file
    run = run_cli("clean", corpus, "--out", fresh, "-q", "--index", fresh / "text" / "i.sqlite")
    one_error_line(run, 2, "the index would be inside")
    assert not fresh.exists()


def test_a_report_path_under_a_file_is_a_usage_error_before_the_run(
    tmp_path: Path, corpus: Path
) -> None:
    (tmp_path / "afile").write_text("x")
    out = tmp_path / "o"
    run = run_cli("clean", corpus, "--out", out, "-q", "--report", tmp_path / "afile" / "r.html")
    one_error_line(run, 2, "is a file, not a folder", "--report")
    assert not out.exists()


@pytest.mark.parametrize("where", ["--out", "--report", "INPUT"])
def test_dash_is_not_taken_for_a_file_name(tmp_path: Path, corpus: Path, where: str) -> None:
    args: list[str | Path] = ["clean", corpus, "--out", tmp_path / "o", "-q"]
    if where == "--out":
        args[3] = "-"
    elif where == "--report":
        args += ["--report", "-"]
    else:
        args[1] = "-"
    run = run_cli(*args)
    assert run.exit_code == 2 and "'-' (standard input/output) is not supported" in run.output
    assert not Path("-").exists()


def test_index_without_neardup_is_a_usage_error(tmp_path: Path, corpus: Path) -> None:
    run = run_cli(
        "clean", corpus, "--out", tmp_path / "o", "--no-neardup", "--index", tmp_path / "i"
    )
    one_error_line(run, 2, "--index needs near-duplicate detection")


def test_inverted_caption_bounds_are_refused(tmp_path: Path, corpus: Path) -> None:
    run = run_cli(
        "clean", corpus, "--out", tmp_path / "o", "--caption-min-words", "20",
        "--caption-max-words", "5",
    )  # fmt: skip
    one_error_line(run, 2, "--caption-min-words (20) exceeds --caption-max-words (5)")


def test_an_earlier_output_folder_given_as_input_is_named(tmp_path: Path, corpus: Path) -> None:
    first = tmp_path / "o1"
    assert run_cli("clean", corpus, "--out", first, "-q", "-j", "1").exit_code == 0
    for policy in ("fail", "skip"):  # skip made 110 bogus rejected records, exit 0
        run = run_cli("clean", first, "--out", tmp_path / "o2", "-q", "--on-error", policy)
        one_error_line(run, 1, "a dedup output folder, not a corpus", str(first / "text"))
    assert run_cli("clean", first / "text", "--out", tmp_path / "o2", "-q").exit_code == 0


def test_an_interrupt_while_the_report_renders_says_the_outputs_are_committed(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dedup.report

    def interrupted(*args: object, **kwargs: object) -> Path:
        raise KeyboardInterrupt

    monkeypatch.setattr(dedup.report, "render_report", interrupted)
    out = tmp_path / "o"
    run = run_cli("clean", corpus, "--out", out, "-q", "-j", "1", "--report", tmp_path / "r.html")
    assert run.exit_code == 130, run.output
    assert "interrupted after the outputs were committed" in run.output
    assert (out / "manifest.json").exists() and not (tmp_path / "r.html").exists()


# --- dedup check ------------------------------------------------------------------------------


def test_one_file_named_two_ways_is_no_duplicate_of_itself(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    new = tmp_path / "new.txt"
    new.write_text("A headline about the new port\n" + "The port opened on Monday. " * 30)
    monkeypatch.chdir(tmp_path)
    run = run_cli("check", "new.txt", new, "--corpus", corpus, "--index", tmp_path / "i.sqlite")
    assert "DUPLICATE" not in run.output, run.output


def test_check_gives_no_advice_about_an_option_it_lacks(tmp_path: Path, corpus: Path) -> None:
    bad = tmp_path / "latin.txt"
    bad.write_bytes("A headline\nThe price is 15 \u00a3 today.\n".encode("cp1252"))
    run = run_cli("check", bad, "--corpus", corpus, "--index", tmp_path / "i.sqlite")
    assert "DECODE" in run.output and "iconv" in run.output
    assert "--encoding-errors" not in run.output


# --- dedup report and the library API -------------------------------------------------------


@pytest.fixture
def output(tmp_path: Path, corpus: Path) -> Path:
    out = tmp_path / "out"
    assert run_cli("clean", corpus, "--out", out, "-q", "-j", "1").exit_code == 0
    return out


def _edit_manifest(out: Path, **changes: object) -> None:
    path = out / "manifest.json"
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


def test_report_applies_the_version_gate_validate_does(tmp_path: Path, output: Path) -> None:
    _edit_manifest(output, version="1.0.0")
    one_error_line(run_cli("report", output, "-o", tmp_path / "r.html"), 1, "major versions")
    _edit_manifest(output, version=__version__, format="1")
    line = one_error_line(run_cli("report", output, "-o", tmp_path / "r.html"), 1)
    assert 'output format "1" (a string) is not supported' in line


def test_report_says_a_missing_file_once(
    tmp_path: Path, output: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from dedup.report import render_report

    (output / "removed.jsonl").unlink()
    render_report(output, tmp_path / "r.html")
    assert sum("removed.jsonl is missing" in r.getMessage() for r in caplog.records) == 1


def test_api_paths_may_be_strings_and_a_lone_path_is_one_input(
    tmp_path: Path, corpus: Path, output: Path
) -> None:
    from dedup.api import clean
    from dedup.report import render_html
    from dedup.restore import restore, restore_documents

    result = clean(str(corpus), str(tmp_path / "o2"), validate=False)
    assert len(result.documents) == len(list(corpus.glob("*.txt")))
    assert len(list(restore_documents(str(output)))) == 5
    assert restore(str(output), str(tmp_path / "restored")) == 5
    assert "<html" in render_html(str(output))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"config": {"jobs": 1}}, "config must be a DedupConfig"),
        ({"validate": "no"}, "validate must be True or False"),
        ({"command": "dedup clean seeds"}, "command must be a sequence of strings"),
        ({"progress": object()}, "progress must have start"),
    ],
)
def test_api_wrong_argument_types_fail_before_the_output_folder_is_touched(
    output: Path, corpus: Path, kwargs: dict[str, object], message: str
) -> None:
    from dedup.api import clean

    with pytest.raises(TypeError, match=message):
        clean([corpus], output, **kwargs)  # type: ignore[arg-type]
    assert (output / "manifest.json").exists()  # the earlier complete output stays so


def test_render_report_refuses_a_bad_sample_limit(tmp_path: Path, output: Path) -> None:
    from dedup.report import render_report

    for bad in ("10", -1):
        with pytest.raises(TypeError, match="sample_limit"):
            render_report(output, tmp_path / "r.html", sample_limit=bad)  # type: ignore[arg-type]


def test_suggested_boilerplate_rules_have_distinct_ids() -> None:
    import yaml

    from dedup.check import _rule_snippet

    lines = [
        "Download the Daily Gazette app for iPhone",
        "Download the Daily Gazette app for Android",
    ]
    rules = [yaml.safe_load(_rule_snippet(line, 12, 12))[0] for line in lines]
    assert rules[0]["id"] != rules[1]["id"]
    assert all(r["id"].startswith("boilerplate-download-the-daily-gazette-") for r in rules)


def test_a_pyproject_without_a_dedup_table_does_not_hide_dedup_toml(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    (project / "pkg").mkdir(parents=True)
    (project / "dedup.toml").write_text("[neardup]\nnum_perm = 64\n")
    (project / "pkg" / "pyproject.toml").write_text('[project]\nname = "pkg"\n')
    monkeypatch.chdir(project / "pkg")
    out = tmp_path / "o"
    assert run_cli("clean", corpus, "--out", out, "-q", "-j", "1").exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["neardup"]["num_perm"] == 64
