"""duplicate_scope (dedup clean --index): an "index" duplicate's twin is an earlier run's
document, not in this output, so duplicate_of need not name a kept doc_id here."""

from __future__ import annotations

from pathlib import Path

from helpers_validate import FakeRules, kept_doc, valid_output

from dedup.config import DedupConfig
from dedup.validate import validate_output


def _findings(tmp_path: Path, **fields: object) -> set[tuple[str, str | None]]:
    out = valid_output()
    out.documents.append(kept_doc("x", status="duplicate", similarity=0.9, **fields))
    folder = out.write(tmp_path / "out")
    result = validate_output(folder, DedupConfig(), ruleset=FakeRules())
    return {(f.check, f.doc_id) for f in result.findings}


def test_index_duplicate_may_name_an_earlier_runs_document(tmp_path: Path) -> None:
    assert _findings(tmp_path, duplicate_of="earlier.txt", duplicate_scope="index") == set()


def test_run_duplicate_must_name_a_kept_document(tmp_path: Path) -> None:
    found = _findings(tmp_path, duplicate_of="earlier.txt", duplicate_scope="run")
    assert found == {("duplicate_of_target", "x")}


def test_old_folders_without_scope_still_need_a_kept_target(tmp_path: Path) -> None:
    assert _findings(tmp_path, duplicate_of="earlier.txt") == {("duplicate_of_target", "x")}
    assert _findings(tmp_path, duplicate_of="a") == set()


def test_index_duplicate_needs_a_target(tmp_path: Path) -> None:
    found = _findings(tmp_path, duplicate_of="", duplicate_scope="index")
    assert found == {("duplicate_of_consistent", "x")}


def test_scope_must_be_run_or_index_and_only_on_duplicates(tmp_path: Path) -> None:
    found = _findings(tmp_path, duplicate_of="a", duplicate_scope="elsewhere")
    assert found == {("duplicate_scope_consistent", "x")}
    out = valid_output()
    out.documents.append(kept_doc("y", duplicate_scope="run"))
    result = validate_output(out.write(tmp_path / "o2"), DedupConfig(), ruleset=FakeRules())
    assert {(f.check, f.doc_id) for f in result.findings} == {("duplicate_scope_consistent", "y")}
