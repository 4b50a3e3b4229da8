"""The index's SQLite file: its schema, opening it (WAL, page cache, schema created on
first use), write transactions, one-line errors for SQLite failures, and replacing it.
:class:`dedup.index.store.IndexStore` reads and writes the documents on top of this.

A file at the index path that is not a dedup index (not SQLite at all, or an SQLite file
with other tables) is never written to, emptied or replaced: every opener refuses it with
one line. A dedup index is known by its tables, or by the ``application_id`` in its
header (set since this version), which still identifies a damaged one.

Concurrency: WAL journal (readers never block the writer nor each other) and every write
in a ``BEGIN IMMEDIATE`` transaction with a busy timeout, so two hooks running at once
serialise their updates instead of failing.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from dedup.errors import IndexError_

log = logging.getLogger(__name__)

REBUILD_HINT = "run `dedup index build` to rebuild it (or delete the file)"
BUSY_TIMEOUT_S = 60.0
SQLITE_MAGIC = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file
# ``PRAGMA application_id`` of a dedup index (bytes 68-71 of the header): "DDUP".
APPLICATION_ID = int.from_bytes(b"DDUP", "big")
TABLES = frozenset({"meta", "docs", "bands", "paras"})

SCHEMA = """
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


def corrupt(path: Path, reason: object) -> IndexError_:
    return IndexError_(f"not a usable dedup index ({reason}); {REBUILD_HINT}", path=path)


def foreign(path: Path, what: str) -> IndexError_:
    return IndexError_(f"{what}; refusing to touch it; pass another --index", path=path)


def _foreign_tables(path: Path, tables: set[str]) -> IndexError_ | None:
    """Why a file with these tables is no dedup index (None: it is one, or it is empty)."""
    tables = {t for t in tables if not t.startswith("sqlite_")}
    if not tables or ("meta" in tables and tables <= TABLES):
        return None
    return foreign(
        path, f"an SQLite file that is not a dedup index (tables: {', '.join(sorted(tables))})"
    )


def check_file(path: Path) -> bool:
    """Raise :class:`IndexError_` unless ``path`` is missing, empty or an SQLite file (what
    a dedup index is); return whether it holds anything. Reads at most the header."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise IndexError_(f"cannot use the index file: {exc.strerror}", path=path) from None
    if not stat.S_ISREG(st.st_mode):
        raise foreign(path, "not a regular file, so not a dedup index")
    if st.st_size == 0:
        return False  # created but never written: a new index
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise IndexError_(f"cannot read the index file: {exc.strerror}", path=path) from None
    if head != SQLITE_MAGIC:
        raise foreign(path, "not an SQLite file, so not a dedup index")
    return True


def _header_application_id(path: Path) -> int:
    try:
        with path.open("rb") as fh:
            head = fh.read(100)
    except OSError:
        return 0
    return int.from_bytes(head[68:72], "big") if len(head) == 100 else 0


def check_replaceable(path: Path) -> None:
    """Raise :class:`IndexError_` unless ``path`` may be replaced by a new index: missing,
    empty, an empty SQLite database, or a dedup index (a damaged one too, when its header
    still says it is one; ``dedup index build`` is the way out of a corrupted index)."""
    if not check_file(path):
        return
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            tables = {r[0] for r in rows}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise IndexError_(
                f"index is locked by another process ({exc}); try again", path=path
            ) from None
        if _header_application_id(path) == APPLICATION_ID:
            return
        raise foreign(
            path,
            f"an SQLite file that cannot be read ({exc}) and does not say it is a dedup index; "
            "delete it yourself if it is one",
        ) from None
    if app_id == APPLICATION_ID:
        return
    problem = _foreign_tables(path, tables)
    if problem is not None:
        raise problem


# SQLite's result codes that say the file is damaged, no database or not our schema
# (SQLITE_ERROR: "no such table"): only these get the advice to rebuild (which starts the
# index empty). A full disk, an I/O error or a read-only file leave the index as it was.
_DAMAGED = ("SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_ERROR")


@contextlib.contextmanager
def guard(path: Path) -> Iterator[None]:
    """Turn SQLite failures into one-line :class:`IndexError_` messages."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        raise sqlite_error(path, exc) from None


def sqlite_error(path: Path, exc: sqlite3.DatabaseError) -> IndexError_:
    """One line for an SQLite failure, by its result code."""
    text = str(exc)
    name = _error_name(exc)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text:
        return IndexError_(f"index is locked by another process ({text}); try again", path=path)
    if name.startswith("SQLITE_FULL"):
        return IndexError_(
            f"the disk holding the index is full ({text}); what was written stays usable "
            "(the failed transaction rolled back): free space and run the command again",
            path=path,
        )
    if name.startswith("SQLITE_READONLY"):
        return IndexError_(
            f"the index file is read-only ({text}); use a writable copy, or "
            "--no-index-update to only read it",
            path=path,
        )
    if name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_PERM")):
        return IndexError_(
            f"cannot read or write the index file ({text}): check the disk, and that the "
            "file and its folder are writable (SQLite keeps -wal and -shm files beside it)",
            path=path,
        )
    if name.startswith(_DAMAGED) or not name:
        return corrupt(path, exc)
    return IndexError_(f"SQLite failed on the index ({text})", path=path)


@contextlib.contextmanager
def write_transaction(conn: sqlite3.Connection, path: Path) -> Iterator[sqlite3.Connection]:
    """A write transaction: takes the write lock first (waits up to the busy timeout)."""
    with guard(path):
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def make_folder(path: Path) -> None:
    """Create the folder of the index file ``path``; an OSError becomes one line."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexError_(
            f"cannot create the index's folder {path.parent}: {exc.strerror}", path=path
        ) from None


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating it and its schema when missing) the index file at ``path``; refuse
    a file that is not a dedup index (:class:`IndexError_`, nothing written)."""
    make_folder(path)
    existed = check_file(path)
    with guard(path):
        try:
            # isolation_level=None: no implicit transactions; we open them explicitly.
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.OperationalError as exc:
            if existed:
                raise
            # e.g. a read-only folder: nothing to rebuild, so no REBUILD_HINT
            raise IndexError_(f"cannot create the index file ({exc})", path=path) from None
        try:
            _init_with_retry(conn, path)
        except sqlite3.OperationalError as exc:
            conn.close()
            if not existed or not _unwritable(exc):
                raise
            return _read_only(path)
        except BaseException:
            conn.close()
            raise
    return conn


class ReadOnlyConnection(sqlite3.Connection):
    """A connection to an index on a read-only volume (see :func:`_read_only`)."""


def _error_name(exc: sqlite3.DatabaseError) -> str:
    """SQLite's result code name ("SQLITE_FULL"; "" for an error not from SQLite)."""
    return getattr(exc, "sqlite_errorname", "") or ""


def _unwritable(exc: sqlite3.OperationalError) -> bool:
    return _error_name(exc).startswith(("SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM"))


def _read_only(path: Path) -> sqlite3.Connection:
    """An existing index on a read-only volume, opened to read: SQLite's WAL mode needs to
    write its -shm file even to read, so it is opened immutable (nothing can write to a
    read-only volume meanwhile). A write then fails as SQLITE_READONLY, in one line."""
    from urllib.parse import quote

    uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
    conn = sqlite3.connect(
        uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None, factory=ReadOnlyConnection
    )
    try:
        conn.execute("SELECT count(*) FROM meta").fetchone()
    except BaseException:
        conn.close()
        raise
    log.info("index %s: read-only location, opened to read only", path)
    return conn


def _init_with_retry(conn: sqlite3.Connection, path: Path) -> None:
    # Two processes creating a fresh index at once: switching to WAL (or creating the
    # schema) can fail with SQLITE_BUSY at once, without the busy handler (SQLite does so
    # when waiting could deadlock). Back off and retry within the busy timeout.
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    delay = 0.02
    while True:
        try:
            _init(conn, path)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def _init(c: sqlite3.Connection, path: Path) -> None:
    # Before anything that writes (even the journal mode is stored in the file's header).
    tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    problem = _foreign_tables(path, tables)
    if problem is not None:
        raise problem
    mode = c.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        log.warning("%s: SQLite journal mode is %s, not WAL", path, mode)
    c.execute("PRAGMA synchronous=NORMAL")
    # Band and line keys are random: each insert or lookup lands on another B-tree page.
    # SQLite's default 2 MB page cache made a run's inserts re-read pages from the OS;
    # 64 MiB (filled only as pages are read) holds the hot inner pages of an index of
    # millions of rows. Measured: adding 6,830 documents to a 100 MB index 1.49 -> 1.29 s.
    c.execute("PRAGMA cache_size=-65536")
    indexes = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    if not tables >= TABLES or "docs_stat" not in indexes:
        with write_transaction(c, path):
            c.execute(f"PRAGMA application_id = {APPLICATION_ID}")  # "this is a dedup index"
            # One statement at a time: executescript() would commit our transaction.
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    c.execute(statement)


def remove_index_files(path: Path) -> None:
    """Delete an index and its WAL side files (a failed build's temporary file)."""
    for p in (path, *side_files(path)):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def side_files(path: Path) -> tuple[Path, ...]:
    return (Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal"))


def replace_index(new: Path, path: Path) -> None:
    """Move the complete, closed index ``new`` over ``path`` (same folder: one atomic
    rename, so ``path`` is the old index or the new one, never a half-built one). The old
    file's write-ahead log is checkpointed into it first and its side files are removed
    after: a stale ``-wal`` must never be replayed onto the new file."""
    if check_file(path):
        with contextlib.suppress(sqlite3.Error):
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                conn.close()
    try:
        os.replace(new, path)
    except OSError as exc:
        raise IndexError_(f"cannot replace the index file: {exc.strerror}", path=path) from None
    for p in side_files(path):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
