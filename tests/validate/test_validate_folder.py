"""`dedup validate DIR` on a folder edited after the run: changed files, cleaned texts,
counts, edits, and fields that are missing (dedup.validate.folder)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers_validate import valid_output

from dedup.api import clean
from dedup.cli.main import cli
from dedup.config import DedupConfig, build_config
from dedup.validate import ValidationResult, validate_output

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def seeds_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seeds") / "out"
    clean([REPO / "seeds"], out, build_config({"jobs": 1}))
    return out


@pytest.fixture
def folder(seeds_output: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(seeds_output, tmp_path / "out"))


def _validate(folder: Path) -> ValidationResult:
    return validate_output(folder, DedupConfig())


def _checks(result: ValidationResult) -> set[tuple[str, str]]:
    return {(f.schema, f.check) for f in result.findings}


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _write(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def _append(path: Path, record: dict[str, Any]) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")


def _first_kept(folder: Path) -> dict[str, Any]:
    return next(d for d in _records(folder / "documents.jsonl") if d["status"] == "kept")


def test_untouched_output_passes_twice(folder: Path) -> None:
    runner = CliRunner()
    for _ in range(2):  # validation.json, rewritten by the first, is no changed file
        done = runner.invoke(cli, ["validate", str(folder), "--rules", str(REPO / "rules")])
        assert done.exit_code == 0, done.output


def test_ghost_removal_is_a_changed_file(folder: Path) -> None:
    doc = _first_kept(folder)
    ghost = {"doc_id": doc["doc_id"], "line": 999, "text": "ghost line", "reason": "rule"}
    _append(folder / "removed.jsonl", {**ghost, "detail": "generic/x", "similarity": None})
    result = _validate(folder)
    assert _checks(result) == {
        ("removed.jsonl", "file_unchanged"),
        ("manifest.json", "counts_match"),
    }
    counts = next(f for f in result.findings if f.check == "counts_match")
    assert "counts.paragraphs.removed" in counts.message
    done = CliRunner().invoke(cli, ["validate", str(folder)])
    assert done.exit_code == 1
    assert "removed.jsonl: file_unchanged: removed.jsonl changed since the run" in done.output


def test_without_hashes_the_counts_still_catch_a_ghost_line(folder: Path) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest["files"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    doc = _first_kept(folder)
    ghost = {"doc_id": doc["doc_id"], "line": 999, "text": "x", "reason": "rule", "detail": "g/x"}
    _append(folder / "removed.jsonl", ghost)
    result = _validate(folder)
    assert _checks(result) == {("manifest.json", "counts_match")}
    assert "file_unchanged: skipped, the manifest records no file hashes" in result.notes


def test_shifted_lines_are_a_changed_file(folder: Path) -> None:
    records = _records(folder / "documents.jsonl")
    records[0]["lines"] = [n + 10000 for n in records[0]["lines"]]
    _write(folder / "documents.jsonl", records)
    checks = _checks(_validate(folder))
    assert ("documents.jsonl", "file_unchanged") in checks
    assert checks <= {("documents.jsonl", "file_unchanged"), ("edits.jsonl", "line_kept")}


def test_text_files_deleted_appended_and_extra(folder: Path) -> None:
    docs = [d for d in _records(folder / "documents.jsonl") if d["status"] == "kept"]
    (folder / "text" / docs[1]["path"]).unlink()
    with (folder / "text" / docs[0]["path"]).open("a", encoding="utf-8") as fh:
        fh.write("INJECTED\n")
    (folder / "text" / "sub").mkdir()
    (folder / "text" / "sub" / "extra.txt").write_text("hi\n")
    result = _validate(folder)
    got = sorted((f.check, f.doc_id, f.message) for f in result.findings)
    assert got == [
        (
            "text_file_matches",
            docs[0]["doc_id"],
            f"text/{docs[0]['path']} differs from the record's title and text "
            f"(first at line {(folder / 'text' / docs[0]['path']).read_text().count(chr(10))} "
            "of the file)",
        ),
        ("text_file_matches", docs[1]["doc_id"], f"text/{docs[1]['path']} is missing"),
        ("text_file_orphan", None, "no kept document in documents.jsonl has this file"),
    ]
    orphan = next(f for f in result.findings if f.check == "text_file_orphan")
    assert orphan.schema == "text/sub/extra.txt"


def test_text_file_equals_what_the_writer_writes(folder: Path) -> None:
    from dedup.validate.folder import document_text

    for doc in _records(folder / "documents.jsonl"):
        if doc["status"] == "kept":
            written = (folder / "text" / doc["path"]).read_text(encoding="utf-8")
            assert document_text(doc["title"], doc["text"]) == written


def test_edits_must_name_kept_lines_once(tmp_path: Path) -> None:
    out = valid_output()
    out.edits.extend(
        [
            {"doc_id": "c", "line": 2, "rule": "x", "before": "a", "after": "b"},  # twice
            {"doc_id": "a", "line": 3, "rule": "x", "before": "a", "after": "b"},  # removed
            {"doc_id": "ghost", "line": 1, "rule": "x", "before": "a", "after": "b"},
            {"doc_id": "c"},
        ]
    )
    result = _validate(out.write(tmp_path / "o"))
    got = sorted((f.line, f.check, f.message) for f in result.findings)
    assert got == [
        (2, "line_unique_per_doc", "line 2 of 'c' is edited twice"),
        (
            3,
            "line_kept",
            "line 3 is not one of the document's kept lines (its lines in documents.jsonl)",
        ),
        (4, "doc_id_exists", "doc_id 'ghost' is not in documents.jsonl"),
        (5, "line_positive", "line is missing"),
    ]
    assert {f.schema for f in result.findings} == {"edits.jsonl"}


def test_a_duplicate_lists_a_line_once(tmp_path: Path) -> None:
    out = valid_output()
    dup = next(d for d in out.documents if d["status"] == "duplicate")
    dup["lines"] = [1, 2, 2]
    result = _validate(out.write(tmp_path / "o"))
    assert [(f.check, f.doc_id) for f in result.findings] == [("lines_unique", dup["doc_id"])]
    assert result.findings[0].message == "lines [1, 2, 2] list a line number twice"


def test_missing_fields_are_called_missing(folder: Path) -> None:
    doc = _first_kept(folder)
    _append(folder / "removed.jsonl", {"doc_id": doc["doc_id"]})
    _append(folder / "removed.jsonl", {"doc_id": doc["doc_id"]})  # no "removed twice"
    _append(folder / "removed.jsonl", {"line": 5, "reason": "rule", "detail": "g/x"})
    result = _validate(folder)
    messages = sorted(f.message for f in result.findings if f.line is not None)
    assert messages == sorted(
        ["line is missing", "reason is missing", "detail is missing"] * 2 + ["doc_id is missing"]
    )
    done = CliRunner().invoke(cli, ["validate", str(folder)])
    assert done.exit_code == 1
    assert "nan" not in done.output
