"""A seventh adversarial pass, as a data engineer running dedup in a pipeline: paths the
system refuses, read-only and full volumes, names at the file system's limits. Each of
these ended in a traceback or "internal error" (or worse: see tests/index and
test_output_safety for the index and output-folder findings of the same pass)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers_reliability import run_cli, write_corpus

LONG = "x" * 300  # over a file name's 255 bytes


@pytest.fixture
def out(tmp_path: Path) -> Path:
    src = write_corpus(tmp_path / "in", 2)
    folder = tmp_path / "out"
    assert run_cli("clean", src, "--out", folder, "--quiet").exit_code == 0
    return folder


@pytest.fixture
def loop(tmp_path: Path) -> Path:
    (tmp_path / "loopA").symlink_to(tmp_path / "loopB")
    (tmp_path / "loopB").symlink_to(tmp_path / "loopA")
    return tmp_path / "loopA"


def _one_line(run_output: str) -> str:
    lines = [line for line in run_output.splitlines() if line.strip()]
    assert len(lines) == 1, run_output
    assert "Traceback" not in run_output and "internal error" not in run_output
    return lines[0]


def test_names_too_long_are_one_line_naming_the_path(tmp_path: Path, out: Path) -> None:
    long = tmp_path / LONG
    cases = [
        ("restore", out, "--to", long),
        ("validate", long),
        ("clean", f"{long}.txt", "--out", tmp_path / "o2"),
        ("index", "info", "--index", long / "i.sqlite"),
        ("rules", "lint", f"{long}.yaml"),
    ]
    for args in cases:
        run = run_cli(*args)
        assert run.exit_code in (1, 2), (args, run.output)
        line = _one_line(run.output)
        assert "File name too long" in line and "xxxxx" in line, line


def test_symlink_loops_are_one_line(tmp_path: Path, out: Path, loop: Path) -> None:
    for args in [
        ("restore", out, "--to", loop),
        ("clean", loop, "--out", tmp_path / "o3"),
        ("clean", out / "text", "--out", loop),
        ("report", out, "-o", loop),
    ]:
        run = run_cli(*args)
        assert run.exit_code in (1, 2), (args, run.output)
        assert "loopA" in _one_line(run.output)


def test_a_long_but_legal_name_gets_its_temporary(tmp_path: Path, out: Path) -> None:
    """The temporary beside a 247-byte target name was over 255 bytes: the report failed
    after the whole run, the index build at once."""
    name = "r" * 247
    src = write_corpus(tmp_path / "in2", 2, start=10)
    run = run_cli("clean", src, "--out", tmp_path / "o4", "--quiet", "--report", tmp_path / name)
    assert run.exit_code == 0, run.output
    assert (tmp_path / name).is_file()
    index = tmp_path / ("i" * 246)
    assert run_cli("index", "build", "--index", index, "--corpus", src).exit_code == 0
    assert index.is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_an_interrupted_output_folder_is_no_corpus_either(tmp_path: Path, out: Path) -> None:
    """A run killed after removing its manifest leaves documents.jsonl and its lock: read
    as a corpus, that was "missing 'id'" (or, under skip, thousands of rejected records)."""
    (out / "manifest.json").unlink()
    for policy in ("fail", "skip"):
        run = run_cli("clean", out, "--out", tmp_path / "o5", "-q", "--on-error", policy)
        assert run.exit_code == 1, run.output
        assert "a dedup output folder, not a corpus" in _one_line(run.output)


def test_a_read_only_folder_still_gets_its_verdict(
    out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An archived batch on a read-only volume: the verdict was thrown away with exit 1
    (the findings code) because validation.json could not be written."""
    import errno

    import dedup.validate

    def read_only(*args: object) -> Path:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(dedup.validate, "write_validation", read_only)
    run = run_cli("validate", out)
    assert run.exit_code == 0, run.output
    assert "cannot write validation.json (Read-only file system)" in run.output
    assert f"validation passed: {out}" in run.output


def test_a_restore_that_fails_midway_says_what_it_left(
    tmp_path: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    real = Path.write_text
    calls = []

    def full_after_one(self: Path, *args: object, **kwargs: object) -> int:
        calls.append(self)
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "write_text", full_after_one)
    run = run_cli("restore", out, "--to", tmp_path / "back")
    assert run.exit_code == 1
    line = _one_line(run.output)
    assert "No space left on device; 1 documents were restored before it" in line
    assert f"remove {tmp_path / 'back'} and retry" in line
