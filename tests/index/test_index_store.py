"""The persistent index: build, incremental add/change/remove, rebuilds, corruption."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup.cli.main import cli
from dedup.config import DedupConfig, build_config
from dedup.errors import IndexError_
from dedup.index.store import IndexStore
from dedup.index.sync import SyncReport, open_index, update
from dedup.ruleset import load_rules

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "rules"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    dest = tmp_path / "seeds"
    dest.mkdir()
    for f in sorted((REPO / "seeds").glob("*.txt")):
        (dest / f.name).write_bytes(f.read_bytes())
    return dest


def cfg(**neardup: object) -> DedupConfig:
    return build_config({"rules": (RULES,), "jobs": 1, "neardup": neardup})


def sync(index: Path, corpus: Path, config: DedupConfig | None = None) -> SyncReport:
    config = config or cfg()
    with open_index(index) as store:
        return update(store, corpus, config, load_rules(config.rules))[1]


def test_build_then_nothing_to_do(tmp_path: Path, corpus: Path) -> None:
    index = tmp_path / ".dedup" / "index.sqlite"
    first = sync(index, corpus)
    assert (first.created, first.added, first.documents, first.rebuilt) == (True, 5, 5, None)
    # The .dedup folder it created keeps itself out of git.
    assert (index.parent / ".gitignore").read_text().strip().endswith("*")
    second = sync(index, corpus)
    assert (second.created, second.added, second.unchanged) == (False, 0, 5)
    with IndexStore(index) as store:
        stats = store.stats()
        scheme = store.scheme()
    assert stats["documents"] == 5 and stats["band_rows"] > 0 and stats["line_rows"] > 0
    # The engine's split (dedup.neardup.Params): doc_recall_weight 0.99 gives 18 x 7.
    assert scheme is not None and (scheme.num_perm, scheme.bands, scheme.rows) == (128, 18, 7)
    assert (scheme.lsh, scheme.doc_recall_weight) == ("optimal", 0.99)


def test_add_change_touch_remove(tmp_path: Path, corpus: Path) -> None:
    index = tmp_path / "i.sqlite"
    sync(index, corpus)
    shutil.copyfile(REPO / "tests" / "data" / "check" / "new_article.txt", corpus / "new.txt")
    assert (sync(index, corpus).added, sync(index, corpus).added) == (1, 0)

    target = corpus / "new.txt"
    target.write_text(target.read_text() + "\nOne more closing paragraph for the story.\n")
    changed = sync(index, corpus)
    assert (changed.changed, changed.unchanged) == (1, 5)

    # Same bytes, new mtime: hashed, found equal, not re-signed; next scan is the fast path.
    st = target.stat()
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000_000))
    touched = sync(index, corpus)
    assert (touched.changed, touched.unchanged) == (0, 6)

    target.unlink()
    removed = sync(index, corpus)
    assert (removed.removed, removed.documents) == (1, 5)
    with IndexStore(index) as store:
        assert "new.txt" not in store.file_stats()
        # its band and line rows went with it
        n_bands = store.conn.execute("SELECT COUNT(*) FROM bands").fetchone()[0]
    fresh = tmp_path / "fresh.sqlite"
    sync(fresh, corpus)
    with IndexStore(fresh) as store:
        assert store.conn.execute("SELECT COUNT(*) FROM bands").fetchone()[0] == n_bands


def test_unreadable_corpus_file_is_recorded_not_fatal(tmp_path: Path, corpus: Path) -> None:
    (corpus / "bad.txt").write_bytes(b"caf\xe9\n")
    report = sync(tmp_path / "i.sqlite", corpus)
    assert (report.documents, report.unreadable) == (6, 1)


def test_parameter_change_rebuilds_with_a_message(
    tmp_path: Path, corpus: Path, caplog: pytest.LogCaptureFixture
) -> None:
    index = tmp_path / "i.sqlite"
    sync(index, corpus)
    with caplog.at_level(logging.INFO, logger="dedup.index"):
        report = sync(index, corpus, cfg(num_perm=64))
    assert report.rebuilt is not None and "num_perm: 128 -> 64" in report.rebuilt
    assert report.added == 5 and "rebuilding the index" in caplog.text
    with IndexStore(index) as store:
        scheme = store.scheme()
    assert scheme is not None and scheme.num_perm == 64
    assert sync(index, corpus, cfg(num_perm=64)).rebuilt is None


def test_cli_announces_rebuild(tmp_path: Path, corpus: Path) -> None:
    index = tmp_path / "i.sqlite"
    base = ["--corpus", str(corpus), "--index", str(index), "--rules", str(RULES)]
    runner = CliRunner()
    assert runner.invoke(cli, ["index", "build", *base]).exit_code == 0
    seed = sorted(corpus.glob("*.txt"))[0]
    result = runner.invoke(cli, ["check", str(seed), *base, "--num-perm", "96"])
    assert result.exit_code == 0
    assert "rebuilt: num_perm: 128 -> 96" in result.stderr


def test_rule_change_rebuilds(tmp_path: Path, corpus: Path) -> None:
    index = tmp_path / "i.sqlite"
    sync(index, corpus)
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    pack = next(rules.glob("*.yaml"))
    pack.write_text(pack.read_text() + "\n# edited\n")
    report = sync(index, corpus, build_config({"rules": (rules,), "jobs": 1}))
    assert report.rebuilt == "rules: rule packs changed"


def test_corrupted_index_gives_a_clear_error_and_build_repairs_it(
    tmp_path: Path, corpus: Path
) -> None:
    index = tmp_path / "i.sqlite"
    sync(index, corpus)
    data = index.read_bytes()
    # Header kept (it says "dedup index": PRAGMA application_id), every page destroyed.
    index.write_bytes(data[:100] + b"\xff" * (len(data) - 100))
    with pytest.raises(IndexError_) as err:
        sync(index, corpus)
    assert "dedup index build" in str(err.value) and str(index) in str(err.value)

    base = ["--corpus", str(corpus), "--index", str(index), "--rules", str(RULES)]
    runner = CliRunner()
    seed = sorted(corpus.glob("*.txt"))[0]
    failed = runner.invoke(cli, ["check", str(seed), *base])
    assert failed.exit_code == 1 and "dedup index build" in failed.stderr
    built = runner.invoke(cli, ["index", "build", *base])
    assert built.exit_code == 0 and "5 documents" in built.stdout
    assert runner.invoke(cli, ["check", str(seed), *base]).exit_code == 0


def test_a_file_that_is_not_sqlite_is_refused_not_rebuilt(tmp_path: Path, corpus: Path) -> None:
    index = tmp_path / "i.sqlite"
    garbage = b"this is not an SQLite database, just garbage bytes" * 100
    index.write_bytes(garbage)
    with pytest.raises(IndexError_, match="not an SQLite file") as err:
        sync(index, corpus)
    assert str(index) in str(err.value)
    base = ["--corpus", str(corpus), "--index", str(index), "--rules", str(RULES)]
    built = CliRunner().invoke(cli, ["index", "build", *base])
    assert built.exit_code == 1 and "refusing to touch it" in built.stderr
    assert index.read_bytes() == garbage


def test_truncated_index_is_reported_as_corrupt(tmp_path: Path, corpus: Path) -> None:
    index = tmp_path / "i.sqlite"
    sync(index, corpus)
    data = index.read_bytes()
    for side in (Path(f"{index}-wal"), Path(f"{index}-shm")):
        side.unlink(missing_ok=True)
    index.write_bytes(data[:4096] + b"\xff" * 4096)  # header intact, pages destroyed
    with pytest.raises(IndexError_, match="dedup index build"):
        sync(index, corpus)


def test_foreign_sqlite_file_is_left_alone(tmp_path: Path, corpus: Path) -> None:
    other = tmp_path / "app.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE users(name TEXT)")
    with pytest.raises(IndexError_, match="not a dedup index"):
        sync(other, corpus)
    with sqlite3.connect(other) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master")]
    assert tables == ["users"]


def test_info(tmp_path: Path, corpus: Path) -> None:
    index = tmp_path / "i.sqlite"
    runner = CliRunner()
    missing = runner.invoke(cli, ["index", "info", "--index", str(index)])
    assert missing.exit_code == 1 and "dedup index build" in missing.stderr
    sync(index, corpus)
    out = runner.invoke(cli, ["index", "info", "--index", str(index)]).stdout
    assert "documents: 5" in out and "num_perm: 128" in out and "normalization:" in out


def test_run_documents_are_looked_up_not_scanned(tmp_path: Path, corpus: Path) -> None:
    """Corpus file stats leave out the documents of `dedup clean --index` runs (they can be
    millions), and a run asks only about its own documents."""
    from dedup.index.store import RUN_PREFIX, Entry

    index = tmp_path / "i.sqlite"
    sync(index, corpus)
    with open_index(index) as store:
        files = set(store.file_stats())
        run_doc = f"{RUN_PREFIX}abc/d1"
        with store.transaction() as c:
            store.put(c, [Entry(run_doc, 10, 0, "abc", title="T", norms=["a b c"], keys=[1])])
        assert set(store.file_stats()) == files  # the run document is no corpus file
        some = sorted(files)[0]
        assert store.stored([run_doc, some, f"{RUN_PREFIX}other/d2"]) == {run_doc, some}
        # More paths than one query may bind.
        many = [f"{RUN_PREFIX}x/{i}" for i in range(2000)] + [run_doc]
        assert store.stored(many) == {run_doc}


def test_put_many_last_entry_of_a_path_wins(tmp_path: Path) -> None:
    from dedup.index.store import Entry

    with open_index(tmp_path / "i.sqlite") as store:
        with store.transaction() as c:
            store.put(
                c,
                [
                    Entry("/run/a/d1", 1, 0, "a", title="old", norms=["x"], keys=[5, 3]),
                    Entry("/run/b/d2", 1, 0, "b", title="other", norms=["y"], keys=[3]),
                    Entry("/run/a/d1", 1, 0, "a", title="new", norms=["z"], keys=[7]),
                ],
            )
        assert [c.title for c in store.candidates([5], runs=True)] == []
        assert [c.norms for c in store.candidates([7], runs=True)] == [["z"]]
        assert [c.title for c in store.candidates([3], runs=True)] == ["other"]
        assert store.stats()["band_rows"] == 2


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        ("SQLITE_FULL", "database or disk is full", "free space and run the command again"),
        ("SQLITE_IOERR_WRITE", "disk I/O error", "check the disk"),
        ("SQLITE_CANTOPEN", "unable to open database file", "writable"),
        ("SQLITE_READONLY", "attempt to write a readonly database", "--no-index-update"),
        ("SQLITE_BUSY", "database is locked", "try again"),
        ("SQLITE_CORRUPT", "database disk image is malformed", "dedup index build"),
        ("SQLITE_NOTADB", "file is not a database", "dedup index build"),
    ],
)
def test_only_a_damaged_index_is_called_unusable(name: str, text: str, says: str) -> None:
    """A full disk, an I/O error or a read-only volume leave the index intact: advising a
    rebuild (which starts it empty) there would drop every earlier run's documents."""
    from dedup.index.sqlitefile import sqlite_error

    exc = sqlite3.OperationalError(text)
    exc.sqlite_errorname = name
    message = str(sqlite_error(Path("idx.sqlite"), exc))
    assert says in message and text in message
    damaged = name in ("SQLITE_CORRUPT", "SQLITE_NOTADB")
    assert ("not a usable dedup index" in message) == damaged
    assert ("index build" in message) == damaged
