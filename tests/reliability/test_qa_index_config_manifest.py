"""QA findings on the index file, the configuration and manifest.json: each gives one
clear line with the documented exit code, never a traceback, and never loses data.

* ``dedup index build --index PATH`` deleted whatever PATH was (an SQLite file of another
  application, a text file, a corpus file) and emptied a valid index before reading the
  corpus, so a failed build lost it.
* ``--seed`` / ``neardup.seed`` above 2**32 - 1 and a ``dedup.toml`` that is not UTF-8 were
  ``internal error: ValueError`` / ``UnicodeDecodeError``.
* A manifest.json with fields of the wrong type (``"rules": 5``) made ``dedup validate``
  print a traceback and ``dedup report`` an internal error.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from helpers_reliability import RULES, SEEDS, Run, copy_seeds, one_error_line, run_cli

from dedup import manifest as manifest_module
from dedup.index import sync as sync_module


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return copy_seeds(tmp_path)


def _index(command: str, corpus: Path, index: Path, *extra: str) -> Run:
    return run_cli(
        "index", command, "--corpus", corpus, "--index", index, "--rules", RULES, "-j", "1", *extra
    )


def _documents(index: Path) -> int:
    with contextlib.closing(sqlite3.connect(index)) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM docs").fetchone()[0])


# --- 1. the index file ---------------------------------------------------------------------


def test_build_update_check_and_clean_leave_a_foreign_sqlite_file_untouched(
    tmp_path: Path, corpus: Path
) -> None:
    crm = tmp_path / "crm.sqlite"
    with contextlib.closing(sqlite3.connect(crm)) as conn:
        conn.execute("CREATE TABLE customers(name TEXT)")
        conn.execute("INSERT INTO customers VALUES ('alice')")
        conn.commit()
    before = _digest(crm)
    seed = sorted(corpus.glob("*.txt"))[0]
    runs = [
        _index("build", corpus, crm),
        _index("update", corpus, crm),
        run_cli("check", seed, "--corpus", corpus, "--index", crm, "--rules", RULES),
        run_cli("clean", corpus, "--out", tmp_path / "out", "-q", "-j", "1", "--index", crm),
    ]
    for run in runs:
        one_error_line(run, 1, str(crm), "not a dedup index (tables: customers)", "refusing")
    # Byte for byte: not even the journal mode (stored in the header) was switched.
    assert _digest(crm) == before
    assert not list(tmp_path.glob("crm.sqlite-*")) and not list(tmp_path.glob(".crm*"))


@pytest.mark.parametrize("where", ["notes.txt", "seeds/a-corpus-file.txt"])
def test_build_refuses_a_file_that_is_not_sqlite(tmp_path: Path, corpus: Path, where: str) -> None:
    target = tmp_path / where
    target.write_text("important notes\n", encoding="utf-8")
    for command in ("build", "update"):
        run = _index(command, corpus, target)
        one_error_line(run, 1, str(target), "not an SQLite file", "refusing to touch it")
        assert target.read_text(encoding="utf-8") == "important notes\n"
    run = run_cli("clean", corpus, "--out", tmp_path / "out", "-q", "-j", "1", "--index", target)
    one_error_line(run, 1, "not an SQLite file")
    assert target.read_text(encoding="utf-8") == "important notes\n"


def test_build_refuses_a_fifo_at_the_index_path(tmp_path: Path, corpus: Path) -> None:
    fifo = tmp_path / "index.sqlite"
    os.mkfifo(fifo)  # stat only: never opened (it would block)
    one_error_line(_index("build", corpus, fifo), 1, "not a regular file")
    assert fifo.exists() and not fifo.is_file()


def test_build_over_an_empty_file_and_a_dedup_index(tmp_path: Path, corpus: Path) -> None:
    index = tmp_path / "i.sqlite"
    index.touch()  # zero bytes: a new index, as before
    assert _index("build", corpus, index).exit_code == 0
    assert _documents(index) == 5
    run = _index("build", corpus, index)  # a dedup index: rebuilt in place
    assert run.exit_code == 0 and f"index {index}: 5 documents" in run.output, run.output
    assert _documents(index) == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["i.sqlite", "seeds"]  # no temporaries


def test_a_failed_build_keeps_the_old_index(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = tmp_path / "i.sqlite"
    assert _index("build", corpus, index).exit_code == 0
    before = _documents(index)
    # A corpus folder that is gone: the old build deleted the index before it noticed.
    run = _index("build", tmp_path / "nope", index)
    one_error_line(run, 2, "corpus folder not found")
    assert _documents(index) == before == 5

    # A build that dies half-way (a worker killed, Ctrl-C, a bug) after writing entries.
    real = sync_module._entries

    def dying(*args: Any, **kwargs: Any) -> Any:
        yield from list(real(*args, **kwargs))[:2]
        raise RuntimeError("boom")

    monkeypatch.setattr(sync_module, "_entries", dying)
    (corpus / "new.txt").write_text((SEEDS / "001_ed95b58e70d554b5.txt").read_text() + "x\n")
    run = _index("build", corpus, index)
    assert run.exit_code == 1 and "boom" in run.output, run.output
    assert _documents(index) == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["i.sqlite", "seeds"]
    monkeypatch.undo()
    seed = sorted(corpus.glob("*.txt"))[0]
    info = run_cli("index", "info", "--index", index)
    assert info.exit_code == 0 and "documents: 5" in info.output
    check = run_cli("check", seed, "--corpus", corpus, "--index", index, "--rules", RULES)
    assert check.exit_code in (0, 1) and "not a usable" not in check.output


def test_build_repairs_a_damaged_dedup_index(tmp_path: Path, corpus: Path) -> None:
    index = tmp_path / "i.sqlite"
    assert _index("build", corpus, index).exit_code == 0
    data = index.read_bytes()
    index.write_bytes(data[:100] + b"\xff" * (len(data) - 100))  # header kept, pages gone
    seed = sorted(corpus.glob("*.txt"))[0]
    broken = run_cli("check", seed, "--corpus", corpus, "--index", index, "--rules", RULES)
    one_error_line(broken, 1, "not a usable dedup index", "dedup index build")
    assert _index("build", corpus, index).exit_code == 0
    assert _documents(index) == 5


def test_an_index_path_that_cannot_be_created_is_one_line(tmp_path: Path, corpus: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    paths = [blocker / "x.sqlite"]
    if Path("/proc/self").is_dir():
        paths.append(Path("/proc/nope/x.sqlite"))  # the QA report's case
    for index in paths:
        for command in ("build", "update"):
            one_error_line(_index(command, corpus, index), 1, f"Error: {index}: cannot ")
    assert blocker.read_text() == "x"


# --- 2. configuration ----------------------------------------------------------------------


@pytest.mark.parametrize("seed", ["4294967296", "-1"])
def test_out_of_range_seed_is_a_usage_error(tmp_path: Path, corpus: Path, seed: str) -> None:
    file = sorted(corpus.glob("*.txt"))[0]
    runs = [
        run_cli("clean", corpus, "--out", tmp_path / "o", "-q", "-j", "1", f"--seed={seed}"),
        run_cli("check", file, "--corpus", corpus, "--index", tmp_path / "i", f"--seed={seed}"),
        _index("build", corpus, tmp_path / "i.sqlite", f"--seed={seed}"),
    ]
    for run in runs:
        one_error_line(run, 2, "--seed (neardup.seed)")
    assert not (tmp_path / "o" / "manifest.json").exists()


def test_largest_seed_is_accepted() -> None:
    from dedup.config import MAX_SEED, build_config

    assert build_config({"neardup": {"seed": MAX_SEED}}).neardup.seed == 2**32 - 1


def test_out_of_range_seed_in_dedup_toml_names_the_file(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "dedup.toml").write_text("[neardup]\nseed = 4294967296\n")
    monkeypatch.chdir(tmp_path)
    run = run_cli("clean", corpus, "--out", tmp_path / "o", "-q", "-j", "1")
    one_error_line(run, 2, "dedup.toml", "neardup.seed", "4294967295")
    # A flag overrides the file: the file is no longer to blame.
    run = run_cli("clean", corpus, "--out", tmp_path / "o", "-q", "-j", "1", "--seed", "7")
    assert run.exit_code == 0, run.output


def test_config_file_that_is_not_utf8_is_a_config_error(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "dedup.toml"
    config.write_bytes(b"jobs = 1\n# r\xe9sum\xe9\n")
    monkeypatch.chdir(tmp_path)
    file = sorted(corpus.glob("*.txt"))[0]
    out = tmp_path / "o"
    for run in (
        run_cli("clean", corpus, "--out", out, "-q"),
        run_cli("check", file, "--corpus", corpus, "--index", tmp_path / "i.sqlite"),
        run_cli("index", "build", "--corpus", corpus, "--index", tmp_path / "i.sqlite"),
        run_cli("clean", corpus, "--out", out, "-q", "--config", config),
    ):
        one_error_line(run, 2, f"{config}:2:", "not valid UTF-8 (byte 0xe9")
    assert not out.exists() and not (tmp_path / "i.sqlite").exists()


# --- 3. manifest.json with wrong field types -----------------------------------------------


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("qa-manifest") / "out"
    run = run_cli("clean", SEEDS, "--out", out, "-q", "-j", "1", "--rules", RULES)
    assert run.exit_code == 0, run.output
    return out


BAD_FIELDS = {
    "rules-int": (lambda m: m.update(rules=5), "rules: expected a JSON array, got 5"),
    "counts-str": (lambda m: m.update(counts="x"), 'counts: expected a JSON object, got "x"'),
    "inputs-int": (lambda m: m.update(inputs=7), "inputs: expected a JSON array, got 7"),
    "pack-not-object": (lambda m: m.update(rules=[5]), "rules.0: expected a JSON object"),
    "pack-rules-str": (lambda m: m["rules"][0].update(rules="x"), "rules.0.rules: expected"),
    "documents-str": (lambda m: m["counts"].update(documents="x"), "counts.documents:"),
    "by-reason-list": (lambda m: m["counts"].update(removed_by_reason=[1]), "removed_by_reason"),
    "timings-str": (lambda m: m.update(timings={"total": "x"}), "timings.total: expected a num"),
    "validation-str": (lambda m: m.update(validation="x"), "validation: expected a JSON object"),
    "parameters-int": (lambda m: m.update(parameters=5), "parameters: expected a JSON object"),
}


@pytest.mark.parametrize("case", sorted(BAD_FIELDS))
def test_manifest_with_wrong_field_types(tmp_path: Path, output: Path, case: str) -> None:
    edit, fragment = BAD_FIELDS[case]
    out = tmp_path / "out"
    out.mkdir()
    for f in output.iterdir():
        if f.is_file():
            (out / f.name).write_bytes(f.read_bytes())
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    edit(manifest)
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    where = str(out / "manifest.json")
    # dedup validate: 2, DIR is not a usable output; dedup report: 1, not a complete one.
    one_error_line(run_cli("validate", out), 2, where, fragment)
    one_error_line(run_cli("report", out, "-o", tmp_path / "r.html"), 1, where, fragment)
    assert not (tmp_path / "r.html").exists()


def test_the_manifest_dedup_clean_writes_has_the_shape_readers_check(output: Path) -> None:
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rules"] and manifest["inputs"]  # the nested models are exercised
    assert manifest_module.manifest_problem(manifest) is None
    # Unknown keys (a newer minor version) and a null command are fine.
    assert manifest_module.manifest_problem({**manifest, "future": 1, "command": None}) is None
    assert run_cli("validate", output).exit_code == 0
