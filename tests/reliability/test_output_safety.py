"""The output folder never takes anything that is not dedup's to replace: an input inside
it, a report path over an input or over the run's own files, a ``text/`` another program
wrote; and two runs into one folder do not interleave (found by an adversarial pass over
the CLI: each of these was silently overwritten or deleted, exit 0)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from helpers_reliability import jsonl, run_cli, write_corpus

from dedup.api import clean
from dedup.config import build_config
from dedup.errors import OutputError
from dedup.io.writers import output_lock


def _digests(folder: Path) -> dict[Path, str]:
    return {
        p.relative_to(folder): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_an_output_folder_holding_an_input_is_refused(tmp_path: Path) -> None:
    project = tmp_path / "project"
    src = write_corpus(project / "text", 2)
    (project / "notes.md").write_text("my notes\n")
    before = _digests(project)
    run = run_cli("clean", src, "--out", project, "--quiet")
    assert run.exit_code == 2, run.output
    assert "inside the output folder" in run.output
    assert _digests(project) == before  # the input text/ and the notes are untouched


def test_a_jsonl_input_named_like_an_output_file_is_not_overwritten(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    corpus = data / "documents.jsonl"
    corpus.write_text('{"id": "a", "text": "A line of text.", "extra": 1}\n')
    before = corpus.read_bytes()
    with pytest.raises(OutputError) as info:
        clean([corpus], data, build_config({"jobs": 1}), validate=False)
    assert info.value.code == "OUT_IN_INPUT"
    assert corpus.read_bytes() == before


def test_a_report_path_over_an_input_or_an_output_file_is_refused(tmp_path: Path) -> None:
    src = write_corpus(tmp_path / "in", 2)
    first = src / "doc00000.txt"
    before = first.read_bytes()
    out = tmp_path / "out"
    run = run_cli("clean", src, "--out", out, "--report", first, "--quiet")
    assert run.exit_code == 2, run.output
    assert first.read_bytes() == before
    assert not (out / "manifest.json").exists()  # refused before anything ran
    # Over the run's own records, or into its text/: refused too.
    for target in (out / "documents.jsonl", out / "text" / "doc00000.txt"):
        run = run_cli("clean", src, "--out", out, "--report", target, "--quiet")
        assert run.exit_code == 2, run.output
    # A report beside the records is fine; re-rendering over the manifest is not.
    run = run_cli("clean", src, "--out", out, "--report", out / "report.html", "--quiet")
    assert run.exit_code == 0, run.output
    manifest = (out / "manifest.json").read_bytes()
    run = run_cli("report", out, "-o", out / "manifest.json")
    assert run.exit_code == 2, run.output
    assert (out / "manifest.json").read_bytes() == manifest


def test_a_text_folder_no_dedup_run_wrote_is_not_deleted(tmp_path: Path) -> None:
    src = write_corpus(tmp_path / "in", 2)
    site = tmp_path / "site"
    (site / "text").mkdir(parents=True)
    (site / "text" / "index.html").write_text("<p>page</p>\n")
    run = run_cli("clean", src, "--out", site, "--quiet")
    assert run.exit_code == 2, run.output
    assert "no dedup run wrote" in run.output
    assert (site / "text" / "index.html").read_text() == "<p>page</p>\n"
    # An earlier run's folder (records beside text/, with or without its manifest) is ours.
    out = tmp_path / "out"
    assert run_cli("clean", src, "--out", out, "--quiet").exit_code == 0
    (out / "manifest.json").unlink()  # as a run killed after removing it leaves the folder
    assert run_cli("clean", src, "--out", out, "--quiet").exit_code == 0


def test_only_the_runs_own_files_are_replaced(tmp_path: Path) -> None:
    """A folder's hidden files that merely look like temporaries, and someone else's
    documents.jsonl beside a text/, are not dedup's to delete; a refused folder is left
    as it was (no lock file)."""
    src = write_corpus(tmp_path / "in", 2)
    out = tmp_path / "out"
    assert run_cli("clean", src, "--out", out, "--quiet").exit_code == 0
    mine = [out / ".documents.jsonl.0123456789ab.tmp", out / ".text.old.4242"]
    mine[0].write_text("half a file")
    (mine[1] / "sub").mkdir(parents=True)
    theirs = [out / ".session.tmp", out / ".build.tmp", out / ".text.old.backup" / "f"]
    theirs[2].parent.mkdir()
    for f in theirs:
        f.write_text("keep me")
    assert run_cli("clean", src, "--out", out, "--quiet").exit_code == 0
    assert not any(p.exists() for p in mine)  # a killed run's temporaries go
    assert all(f.read_text() == "keep me" for f in theirs)

    site = tmp_path / "site"
    (site / "text").mkdir(parents=True)
    (site / "text" / "important.txt").write_text("mine\n")
    (site / "documents.jsonl").write_text('{"name": "a list of my own"}\n')
    before = _digests(site)
    run = run_cli("clean", src, "--out", site, "--quiet")
    assert run.exit_code == 2 and "no dedup run wrote" in run.output, run.output
    assert _digests(site) == before and sorted(p.name for p in site.iterdir()) == [
        "documents.jsonl",
        "text",
    ]


def test_a_second_run_into_a_busy_output_folder_stops_at_once(tmp_path: Path) -> None:
    src = write_corpus(tmp_path / "in", 3)
    out = tmp_path / "out"
    assert run_cli("clean", src, "--out", out, "--quiet").exit_code == 0
    records = (out / "documents.jsonl").read_bytes()
    other = write_corpus(tmp_path / "other", 1, start=7)
    with output_lock(out):  # a run in progress holds the folder
        with pytest.raises(OutputError, match="another dedup run"):
            clean([other], out, build_config({"jobs": 1}), validate=False)
        run = run_cli("clean", other, "--out", out, "--quiet")
        assert run.exit_code == 1, run.output
    # The first run's output is whole; once it is done, the folder is free again.
    assert (out / "documents.jsonl").read_bytes() == records
    assert (out / "manifest.json").exists()
    assert run_cli("clean", other, "--out", out, "--quiet").exit_code == 0
    assert [d["doc_id"] for d in jsonl(out / "documents.jsonl")] == ["doc00007.txt"]
