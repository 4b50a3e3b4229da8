"""`dedup clean --index`: dedup a run against the documents earlier runs added."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dedup.api import clean
from dedup.check import run_check
from dedup.cli.main import cli
from dedup.config import build_config
from dedup.errors import IndexError_
from dedup.index.store import RUN_PREFIX

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
FIRST = ("000_696bed363dc6c5d1.txt", "001_ed95b58e70d554b5.txt", "002_894af51633fd5d30.txt")
SECOND = ("003_011f662802d22c6e.txt", "004_1a6ee8431759ad64.txt")
TWIN = "001_ed95b58e70d554b5.txt"


def _folder(root: Path, names: tuple[str, ...]) -> Path:
    root.mkdir(parents=True)
    for name in names:
        shutil.copy(SEEDS / name, root / name)
    return root


def _near_copy(src: Path, dst: Path) -> None:
    words = src.read_text(encoding="utf-8").split(" ")
    for i in (50, 120, 200):
        words[i] = "changed"
    dst.write_text(" ".join(words), encoding="utf-8")


def _docs(out: Path) -> dict[str, dict[str, Any]]:
    rows = [json.loads(line) for line in (out / "documents.jsonl").read_text().splitlines()]
    return {r["doc_id"]: r for r in rows}


def _config(jobs: int = 1, **neardup: Any) -> Any:
    return build_config({"jobs": jobs, "neardup": neardup})


def _run_docs(index: Path) -> list[str]:
    with sqlite3.connect(index) as conn:
        rows = conn.execute("SELECT path FROM docs ORDER BY path").fetchall()
    return [r[0] for r in rows]


@pytest.fixture
def first_run(tmp_path: Path) -> Path:
    """An index holding the kept documents of a run over the first three seeds."""
    index = tmp_path / "idx" / "index.sqlite"
    result = clean([_folder(tmp_path / "a", FIRST)], tmp_path / "out-a", _config(), index=index)
    assert result.manifest["index"]["added"] == 3
    assert result.manifest["index"]["matched"] == 0
    return index


@pytest.fixture
def second_corpus(tmp_path: Path) -> Path:
    folder = _folder(tmp_path / "b", SECOND)
    _near_copy(SEEDS / TWIN, folder / "near_001.txt")
    return folder


def test_near_copy_of_an_earlier_document_is_an_index_duplicate(
    first_run: Path, second_corpus: Path, tmp_path: Path
) -> None:
    result = clean([second_corpus], tmp_path / "out-b", _config(), index=first_run)
    docs = _docs(tmp_path / "out-b")
    near = docs["near_001.txt"]
    assert near["status"] == "duplicate"
    assert near["duplicate_of"] == TWIN  # not in this output: the earlier run's doc_id
    assert near["duplicate_scope"] == "index"
    assert 0.8 <= near["similarity"] < 1.0
    for name in SECOND:
        assert docs[name]["status"] == "kept" and docs[name]["duplicate_scope"] is None
    assert result.passed  # validation accepts a target outside this output
    entry = result.manifest["index"]
    assert entry["matched"] == 1 and entry["added"] == 2
    assert entry["scheme"]["num_perm"] == 128 and entry["path"].endswith("index.sqlite")
    run_docs = _run_docs(first_run)
    assert len(run_docs) == 5 and all(p.startswith(RUN_PREFIX) for p in run_docs)
    assert not any(p.endswith("/near_001.txt") for p in run_docs)  # duplicates are not added


def test_in_run_copies_of_an_index_duplicate_follow_it(
    first_run: Path, second_corpus: Path, tmp_path: Path
) -> None:
    shutil.copy(second_corpus / "near_001.txt", second_corpus / "near_001_copy.txt")
    result = clean([second_corpus], tmp_path / "out-b", _config(), index=first_run)
    docs = _docs(tmp_path / "out-b")
    for name in ("near_001.txt", "near_001_copy.txt"):
        assert docs[name]["duplicate_of"] == TWIN
        assert docs[name]["duplicate_scope"] == "index"
    assert result.passed
    assert result.manifest["index"]["matched"] == 2


def test_in_run_duplicates_have_scope_run(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "a", FIRST)
    _near_copy(folder / TWIN, folder / "near_001.txt")
    result = clean([folder], tmp_path / "out", _config(), index=tmp_path / "index.sqlite")
    near = _docs(tmp_path / "out")["near_001.txt"]
    assert (near["status"], near["duplicate_of"], near["duplicate_scope"]) == (
        "duplicate",
        TWIN,
        "run",
    )
    assert result.manifest["index"]["matched"] == 0


def test_rerun_of_the_same_documents_is_not_a_duplicate_of_itself(
    first_run: Path, tmp_path: Path
) -> None:
    before = _run_docs(first_run)
    result = clean(
        [_folder(tmp_path / "again", FIRST)], tmp_path / "out", _config(), index=first_run
    )
    docs = _docs(tmp_path / "out")
    assert all(d["status"] == "kept" and d["duplicate_scope"] is None for d in docs.values())
    entry = result.manifest["index"]
    assert (entry["matched"], entry["added"], entry["already_indexed"]) == (0, 0, 3)
    assert _run_docs(first_run) == before  # re-adding the same content is a no-op


def test_same_content_under_another_id_is_an_index_duplicate(
    first_run: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "renamed"
    folder.mkdir()
    shutil.copy(SEEDS / TWIN, folder / "renamed.txt")
    clean([folder], tmp_path / "out", _config(), index=first_run)
    doc = _docs(tmp_path / "out")["renamed.txt"]
    assert (doc["duplicate_of"], doc["similarity"], doc["duplicate_scope"]) == (TWIN, 1.0, "index")


def test_other_minhash_parameters_are_refused_in_one_line(
    first_run: Path, second_corpus: Path, tmp_path: Path
) -> None:
    with pytest.raises(IndexError_) as info:
        clean([second_corpus], tmp_path / "out", _config(num_perm=64), index=first_run)
    message = str(info.value)
    assert "num_perm: 128 -> 64" in message and "\n" not in message
    assert not (tmp_path / "out").exists()  # refused before anything was written
    assert len(_run_docs(first_run)) == 3


def test_no_index_update_leaves_the_index_untouched(
    first_run: Path, second_corpus: Path, tmp_path: Path
) -> None:
    digest = hashlib.sha256(first_run.read_bytes()).hexdigest()
    result = clean(
        [second_corpus], tmp_path / "out", _config(), index=first_run, index_update=False
    )
    assert _docs(tmp_path / "out")["near_001.txt"]["duplicate_scope"] == "index"
    assert result.manifest["index"]["added"] == 0 and result.manifest["index"]["update"] is False
    assert hashlib.sha256(first_run.read_bytes()).hexdigest() == digest
    missing = tmp_path / "none" / "index.sqlite"
    with pytest.raises(IndexError_, match="no such index"):
        clean([second_corpus], tmp_path / "out2", _config(), index=missing, index_update=False)
    assert not missing.exists()


def test_output_is_identical_for_one_and_two_jobs(second_corpus: Path, tmp_path: Path) -> None:
    outputs = []
    for jobs in (1, 2):
        index = tmp_path / f"idx{jobs}" / "index.sqlite"
        first = _folder(tmp_path / f"first{jobs}", FIRST)
        clean([first], tmp_path / f"a{jobs}", _config(jobs), index=index)
        clean([second_corpus], tmp_path / f"b{jobs}", _config(jobs), index=index)
        outputs.append(tmp_path / f"b{jobs}")
    for name in ("documents.jsonl", "removed.jsonl", "edits.jsonl", "clusters.jsonl"):
        assert (outputs[0] / name).read_bytes() == (outputs[1] / name).read_bytes(), name


def test_check_ignores_and_keeps_run_documents(first_run: Path, tmp_path: Path) -> None:
    # The index of a run is adopted by `dedup check`: its corpus files are added beside the
    # run documents, which are neither twins of checked files nor deleted as "gone".
    corpus = _folder(tmp_path / "corpus", SECOND)
    new = tmp_path / "new.txt"
    _near_copy(SEEDS / TWIN, new)
    result = run_check([new], build_config({"jobs": 1}), corpus, first_run, False)
    assert not [f for f in result.findings if f.code == "DUPLICATE"]
    paths = _run_docs(first_run)
    assert sum(p.startswith(RUN_PREFIX) for p in paths) == 3
    assert set(SECOND) <= set(paths)


def test_a_rebuild_re_signs_the_run_documents_instead_of_dropping_them(
    first_run: Path, second_corpus: Path, tmp_path: Path
) -> None:
    # `dedup check` with other MinHash parameters rebuilds the index (announced); the run
    # documents have no file to read again, so their stored text is signed anew.
    corpus = _folder(tmp_path / "corpus", ("003_011f662802d22c6e.txt",))
    new = tmp_path / "new.txt"
    new.write_text((SEEDS / "004_1a6ee8431759ad64.txt").read_text(encoding="utf-8"))
    other = build_config({"jobs": 1, "neardup": {"num_perm": 64}})
    result = run_check([new], other, corpus, first_run, False)
    assert result.index is not None and result.index.rebuilt
    assert sum(p.startswith(RUN_PREFIX) for p in _run_docs(first_run)) == 3
    # ... and a run with the new parameters still finds its earlier twin through them.
    clean([second_corpus], tmp_path / "out-b", _config(num_perm=64), index=first_run)
    near = _docs(tmp_path / "out-b")["near_001.txt"]
    assert (near["status"], near["duplicate_scope"]) == ("duplicate", "index")
    assert near["duplicate_of"] == TWIN


def test_cli_index_flags(first_run: Path, second_corpus: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "out"
    args = ["clean", str(second_corpus), "--out", str(out), "--index", str(first_run), "-j", "1"]
    res = runner.invoke(cli, [*args, "--no-index-update", "-q"])
    assert res.exit_code == 0, res.output
    assert _docs(out)["near_001.txt"]["duplicate_scope"] == "index"
    assert len(_run_docs(first_run)) == 3
    res = runner.invoke(cli, ["clean", str(second_corpus), "--out", str(out), "--no-index-update"])
    assert res.exit_code == 2 and "--no-index-update needs --index" in res.output


def test_a_run_whose_manifest_was_not_written_adds_nothing(
    first_run: Path, second_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index learns a run's documents only with its commit marker: a run that failed
    to write manifest.json (disk full, killed) must not make later runs' copies duplicates
    of documents no complete output holds."""
    from dedup import api
    from dedup.errors import OutputError

    before = _run_docs(first_run)
    real = api.write_json

    def failing(path: Path, data: Any) -> str:
        if path.name == "manifest.json":
            raise OutputError("cannot write: No space left on device", path=path)
        return real(path, data)

    monkeypatch.setattr(api, "write_json", failing)
    with pytest.raises(OutputError):
        clean([second_corpus], tmp_path / "out", _config(), index=first_run)
    assert _run_docs(first_run) == before
    monkeypatch.setattr(api, "write_json", real)
    result = clean([second_corpus], tmp_path / "out", _config(), index=first_run)
    assert result.manifest["index"]["added"] > 0
    assert len(_run_docs(first_run)) == len(before) + result.manifest["index"]["added"]


def test_an_index_on_a_read_only_volume_can_be_read(
    first_run: Path, second_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's WAL mode writes its -shm file even to read: on a read-only volume opening
    failed, and was reported as a corrupt index to rebuild. It is now read immutable; a run
    that would add to it stops before it starts."""
    from dedup.index import sqlitefile

    def unwritable(conn: sqlite3.Connection, path: Path) -> None:
        exc = sqlite3.OperationalError("unable to open database file")
        exc.sqlite_errorname = "SQLITE_CANTOPEN"
        raise exc

    monkeypatch.setattr(sqlitefile, "_init_with_retry", unwritable)
    result = clean(
        [second_corpus], tmp_path / "out", _config(), index=first_run, index_update=False
    )
    assert _docs(tmp_path / "out")["near_001.txt"]["duplicate_scope"] == "index"
    assert result.manifest["index"]["added"] == 0
    with pytest.raises(IndexError_, match="read-only location; pass --no-index-update"):
        clean([second_corpus], tmp_path / "out2", _config(), index=first_run)
    assert not (tmp_path / "out2").exists()
