"""The SQLite index file: one row per corpus document, its LSH band keys and line hashes.

Tables::

    meta(key, value)              scheme (JSON), corpus folder, timestamps
    docs(id, path UNIQUE, size, mtime_ns, sha256, error, title, text, keys, paras)
    bands(key, doc)               LSH band key -> document   (primary key: lookups by key)
    paras(hash, doc)              exact line hash -> document (candidate boilerplate counts)

``docs.text`` is the zlib-compressed normalised kept text (one line per kept paragraph),
used to verify candidates exactly; ``keys`` and ``paras`` are the document's band keys and
line hashes (int64 arrays) so its rows in ``bands``/``paras`` can be deleted by primary key.

The file itself (schema, opening, locking, errors) is :mod:`dedup.index.sqlitefile`.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
import zlib
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dedup.index.scheme import Scheme
from dedup.index.sqlitefile import connect, corrupt, guard, write_transaction

# Documents added by `dedup clean --index` (dedup.index.runs) are stored under paths that
# start with this prefix: corpus paths are relative, so they never start with "/".
RUN_PREFIX = "/run/"


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


class IndexStore:
    """An open index file. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = connect(path)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> IndexStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """A write transaction: takes the write lock first (waits up to the busy timeout)."""
        return write_transaction(self.conn, self.path)

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
            raise corrupt(self.path, f"unreadable scheme: {exc}") from None

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
