"""The SQLite index file: one row per corpus document, its LSH band keys and line hashes.

Tables::

    meta(key, value)              scheme (JSON), corpus folder, timestamps
    docs(id, path UNIQUE, size, mtime_ns, sha256, error, title, text, keys, paras)
    bands(key, doc)               LSH band key -> document   (primary key: lookups by key)
    paras(hash, doc)              exact line hash -> document (candidate boilerplate counts)

``docs.text`` is the zlib-compressed normalised kept text (one line per kept paragraph),
used to verify candidates exactly; ``keys`` and ``paras`` are the document's band keys and
line hashes (int64 arrays) so its rows in ``bands``/``paras`` can be deleted by primary key.

Concurrency: WAL journal (readers never block the writer nor each other) and every write
in a ``BEGIN IMMEDIATE`` transaction with a busy timeout, so two hooks running at once
serialise their updates instead of failing.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import time
import zlib
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dedup.errors import IndexError_
from dedup.index.scheme import Scheme

log = logging.getLogger(__name__)

REBUILD_HINT = "run `dedup index build` to rebuild it (or delete the file)"
# Documents added by `dedup clean --index` (dedup.index.runs) are stored under paths that
# start with this prefix: corpus paths are relative, so they never start with "/".
RUN_PREFIX = "/run/"
BUSY_TIMEOUT_S = 60.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs(
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    error TEXT,
    title TEXT,
    text BLOB,
    keys BLOB,
    paras BLOB
);
CREATE INDEX IF NOT EXISTS docs_stat ON docs(path, size, mtime_ns);
CREATE TABLE IF NOT EXISTS bands(
    key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY(key, doc)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS paras(
    hash INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY(hash, doc)) WITHOUT ROWID;
"""


@dataclass(slots=True)
class Entry:
    """One corpus document as stored. ``error`` set: unreadable, nothing else stored."""

    path: str  # relative to the corpus folder, POSIX separators
    size: int
    mtime_ns: int
    sha256: str
    error: str | None = None
    title: str = ""
    norms: Sequence[str] = ()
    keys: Sequence[int] = ()
    paras: Sequence[int] = ()


@dataclass(frozen=True, slots=True)
class Candidate:
    path: str
    title: str
    norms: list[str]


def _blob(values: Sequence[int]) -> bytes:
    return array("q", values).tobytes()


def _unblob(data: bytes | None) -> list[int]:
    out = array("q")
    if data:
        out.frombytes(data)
    return out.tolist()


def _corrupt(path: Path, reason: object) -> IndexError_:
    return IndexError_(f"not a usable dedup index ({reason}); {REBUILD_HINT}", path=path)


@contextlib.contextmanager
def guard(path: Path) -> Iterator[None]:
    """Turn SQLite failures into one-line :class:`IndexError_` messages."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        text = str(exc)
        if "locked" in text or "busy" in text:
            raise IndexError_(
                f"index is locked by another process ({text}); try again", path=path
            ) from None
        raise _corrupt(path, exc) from None
    except sqlite3.DatabaseError as exc:
        raise _corrupt(path, exc) from None


class IndexStore:
    """An open index file. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with guard(path):
            # isolation_level=None: no implicit transactions; we open them explicitly.
            self.conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            try:
                self._init_with_retry()
            except BaseException:
                self.conn.close()
                raise

    def _init_with_retry(self) -> None:
        # Two processes creating a fresh index at once: switching to WAL (or creating the
        # schema) can fail with SQLITE_BUSY at once, without the busy handler (SQLite does so
        # when waiting could deadlock). Back off and retry within the busy timeout.
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        delay = 0.02
        while True:
            try:
                self._init()
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() + delay > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    def _init(self) -> None:
        c = self.conn
        mode = c.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            log.warning("%s: SQLite journal mode is %s, not WAL", self.path, mode)
        c.execute("PRAGMA synchronous=NORMAL")
        # Band and line keys are random: each insert or lookup lands on another B-tree
        # page. SQLite's default 2 MB page cache made a run's inserts re-read pages from
        # the OS; 64 MiB (filled only as pages are read) holds the hot inner pages of an
        # index of millions of rows. Measured: adding 6,830 documents to a 100 MB index
        # 1.49 -> 1.29 s.
        c.execute("PRAGMA cache_size=-65536")
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if tables and "meta" not in tables:
            raise IndexError_(
                f"an SQLite file that is not a dedup index (tables: {', '.join(sorted(tables))}); "
                "refusing to touch it; pass another --index",
                path=self.path,
            )
        indexes = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        if not {"meta", "docs", "bands", "paras"} <= tables or "docs_stat" not in indexes:
            with self.transaction():
                # One statement at a time: executescript() would commit our transaction.
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        c.execute(statement)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> IndexStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: takes the write lock first (waits up to the busy timeout)."""
        with guard(self.path):
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    # --- metadata ---------------------------------------------------------------------

    def meta(self) -> dict[str, str]:
        with guard(self.path):
            return dict(self.conn.execute("SELECT key, value FROM meta").fetchall())

    def scheme(self) -> Scheme | None:
        raw = self.meta().get("scheme")
        if raw is None:
            return None
        try:
            return Scheme.from_dict(json.loads(raw))
        except (ValueError, TypeError) as exc:
            raise _corrupt(self.path, f"unreadable scheme: {exc}") from None

    def run_entries(self, c: sqlite3.Connection) -> list[Entry]:
        """Documents added by `dedup clean --index` (``RUN_PREFIX`` keys), with their stored
        normalised text and no keys: what a rebuild needs to sign them again."""
        rows = c.execute(
            "SELECT path, size, sha256, title, text FROM docs "
            "WHERE path LIKE ? AND error IS NULL AND text IS NOT NULL",
            (RUN_PREFIX + "%",),
        ).fetchall()
        return [
            Entry(
                path,
                size,
                0,
                sha,
                title=title or "",
                norms=zlib.decompress(text).decode().split("\n"),
            )
            for path, size, sha, title, text in rows
        ]

    def reset(self, c: sqlite3.Connection, scheme: Scheme, corpus: str) -> None:
        """Empty the index and record a new scheme (a rebuild starts here); call inside
        :meth:`transaction`."""
        c.execute("DELETE FROM bands")
        c.execute("DELETE FROM paras")
        c.execute("DELETE FROM docs")
        c.execute("DELETE FROM meta")
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        c.executemany(
            "INSERT INTO meta(key, value) VALUES (?, ?)",
            [
                ("scheme", json.dumps(scheme.to_dict(), sort_keys=True)),
                ("corpus", corpus),
                ("created", now),
                ("updated", now),
            ],
        )

    def mark_updated(self, c: sqlite3.Connection) -> None:
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        c.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('updated', ?)", (now,))

    # --- documents --------------------------------------------------------------------

    def file_stats(self) -> dict[str, tuple[int, int]]:
        """``path -> (size, mtime_ns)`` of every stored corpus file, not the documents of
        ``dedup clean --index`` runs (read from a covering index, so the rows with their
        text are not touched; the run documents, which can be millions, are skipped by
        the index's path order: their paths all start with RUN_PREFIX)."""
        after = RUN_PREFIX[:-1] + chr(ord(RUN_PREFIX[-1]) + 1)  # "/run0": past "/run/..."
        with guard(self.path):
            rows = self.conn.execute(
                "SELECT path, size, mtime_ns FROM docs INDEXED BY docs_stat "
                "WHERE path < ? OR path >= ?",
                (RUN_PREFIX, after),
            )
            return {r[0]: (r[1], r[2]) for r in rows}

    def stored(self, paths: Sequence[str]) -> set[str]:
        """Which of ``paths`` are stored: one indexed lookup per path, not a scan of the
        index (a run's documents against an index of millions)."""
        found: set[str] = set()
        unique = sorted(set(paths))
        with guard(self.path):
            for start in range(0, len(unique), 900):  # SQLite's bound-parameter limit
                chunk = unique[start : start + 900]
                marks = ",".join("?" * len(chunk))
                rows = self.conn.execute(f"SELECT path FROM docs WHERE path IN ({marks})", chunk)
                found.update(r[0] for r in rows)
        return found

    def sha256_of(self, path: str) -> str | None:
        with guard(self.path):
            row = self.conn.execute("SELECT sha256 FROM docs WHERE path = ?", (path,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, c: sqlite3.Connection, key: str, value: str) -> None:
        c.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def touch(self, c: sqlite3.Connection, path: str, size: int, mtime_ns: int) -> None:
        """Same content, new mtime: remember it so the next scan takes the fast path."""
        c.execute("UPDATE docs SET size = ?, mtime_ns = ? WHERE path = ?", (size, mtime_ns, path))

    def delete(self, c: sqlite3.Connection, path: str) -> None:
        row = c.execute("SELECT id, keys, paras FROM docs WHERE path = ?", (path,)).fetchone()
        if row is None:
            return
        doc_id, keys, paras = row
        c.executemany(
            "DELETE FROM bands WHERE key = ? AND doc = ?", [(k, doc_id) for k in _unblob(keys)]
        )
        c.executemany(
            "DELETE FROM paras WHERE hash = ? AND doc = ?", [(h, doc_id) for h in _unblob(paras)]
        )
        c.execute("DELETE FROM docs WHERE id = ?", (doc_id,))

    def put(self, c: sqlite3.Connection, entries: Sequence[Entry]) -> None:
        """Insert or replace the documents at the entries' paths (the last entry of a path
        wins). Their band and line keys go in together, sorted: keys are random, and in
        key order consecutive inserts land on the same B-tree pages."""
        latest = {e.path: e for e in entries}
        bands: list[tuple[int, int]] = []
        paras: list[tuple[int, int]] = []
        for entry in latest.values():
            self.delete(c, entry.path)
            keys = sorted(set(entry.keys))
            lines = sorted(set(entry.paras))
            text = (
                # Level 1: 1.4x faster than 6 for 4% more bytes (measured on the benchmark
                # text); a run adds thousands of documents, only candidates are read back.
                zlib.compress("\n".join(entry.norms).encode(), 1) if entry.error is None else None
            )
            cur = c.execute(
                "INSERT INTO docs(path, size, mtime_ns, sha256, error, title, text, keys, paras) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entry.path,
                    entry.size,
                    entry.mtime_ns,
                    entry.sha256,
                    entry.error,
                    entry.title,
                    text,
                    _blob(keys),
                    _blob(lines),
                ),
            )
            doc_id = cur.lastrowid
            assert doc_id is not None
            bands.extend((k, doc_id) for k in keys)
            paras.extend((h, doc_id) for h in lines)
        bands.sort()
        paras.sort()
        c.executemany("INSERT INTO bands(key, doc) VALUES (?, ?)", bands)
        c.executemany("INSERT INTO paras(hash, doc) VALUES (?, ?)", paras)

    # --- queries ----------------------------------------------------------------------

    def candidates(
        self, keys: Sequence[int], exclude: Sequence[str] = (), *, runs: bool = False
    ) -> list[Candidate]:
        """Documents sharing at least one band key, without those at ``exclude`` paths:
        corpus files, or with ``runs`` the documents earlier ``dedup clean`` runs added."""
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        with guard(self.path):
            rows = self.conn.execute(
                f"SELECT path, title, text FROM docs WHERE id IN "
                f"(SELECT DISTINCT doc FROM bands WHERE key IN ({marks})) ORDER BY path",
                list(keys),
            ).fetchall()
        skip = set(exclude)
        return [
            Candidate(path, title or "", zlib.decompress(text).decode().split("\n"))
            for path, title, text in rows
            if path not in skip and text is not None and path.startswith(RUN_PREFIX) == runs
        ]

    def paragraph_counts(
        self, hashes: Sequence[int], exclude: Sequence[str] = ()
    ) -> dict[int, int]:
        """For each line hash: how many indexed documents contain it, copies of one article
        (same title) counted once; documents at ``exclude`` paths are not counted."""
        if not hashes:
            return {}
        unique = sorted(set(hashes))
        skip = sorted(set(exclude))
        out: dict[int, int] = {}
        with guard(self.path):
            # SQLite limits bound parameters (32766 by default); lines of one file are fewer.
            for start in range(0, len(unique), 900):
                chunk = unique[start : start + 900]
                marks = ",".join("?" * len(chunk))
                not_in = ",".join("?" * len(skip))
                rows = self.conn.execute(
                    f"SELECT p.hash, COUNT(DISTINCT d.title) FROM paras AS p "
                    f"JOIN docs AS d ON d.id = p.doc WHERE p.hash IN ({marks}) "
                    f"AND d.path NOT IN ({not_in}) GROUP BY p.hash",
                    [*chunk, *skip],
                )
                out.update((h, n) for h, n in rows)
        return out

    def stats(self) -> dict[str, Any]:
        with guard(self.path):
            c = self.conn
            docs = c.execute("SELECT COUNT(*) FROM docs").fetchone()[0]
            errors = c.execute("SELECT COUNT(*) FROM docs WHERE error IS NOT NULL").fetchone()[0]
            bands = c.execute("SELECT COUNT(*) FROM bands").fetchone()[0]
            paras = c.execute("SELECT COUNT(*) FROM paras").fetchone()[0]
        size = sum(
            p.stat().st_size
            for p in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm"))
            if p.exists()
        )
        return {
            "documents": docs,
            "unreadable": errors,
            "band_rows": bands,
            "line_rows": paras,
            "bytes": size,
        }


def remove_index_files(path: Path) -> None:
    """Delete an index and its WAL side files (``dedup index build`` starts from nothing)."""
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
