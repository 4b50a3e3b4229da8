"""Keep an index in step with a corpus folder, incrementally.

A scan stats every ``*.txt`` file under the corpus folder. Unchanged size and mtime: the
stored entry is trusted (fast path). Otherwise the file is hashed (sha256); same hash:
only its mtime is refreshed; new hash: it is read, cleaned, signed and replaced. Files
that disappeared are deleted. A stored scheme (or corpus folder) that differs from the
current one empties the index first, and the reason is reported: an automatic rebuild.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dedup.errors import ConfigError, IndexError_, InputError
from dedup.index.documents import clean, read_text, sha256_of, sign
from dedup.index.scheme import Scheme, scheme_for
from dedup.index.signing import sign_norms
from dedup.index.sqlitefile import (
    check_replaceable,
    make_folder,
    remove_index_files,
    replace_index,
)
from dedup.index.store import Entry, IndexStore
from dedup.io.atomic import short_name
from dedup.io.files import is_hidden, is_text_name, printable
from dedup.parallel import batched, ordered_map

if TYPE_CHECKING:
    from dedup.config import DedupConfig

log = logging.getLogger(__name__)

NEW = "new index"
# The corpus recorded by `dedup clean --index` when it creates an index: none yet. The
# first `dedup check`/`dedup index update` adopts its corpus without a rebuild.
NO_CORPUS = ""
SCAN_DIGEST = "scan_digest"
# Entries written per transaction: short write locks, so concurrent checks are not starved.
BATCH = 500
# Below this many files to sign, a process pool costs more than it saves.
POOL_MIN_FILES = 200


@dataclass(frozen=True, slots=True)
class ScannedFile:
    rel: str
    path: Path
    size: int
    mtime_ns: int


@dataclass(slots=True)
class SyncReport:
    """What an update did; ``rebuilt`` says why the index was emptied first, if it was."""

    index: str
    corpus: str
    documents: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    unreadable: int = 0
    created: bool = False
    rebuilt: str | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"index {self.index}: {self.documents} documents from {self.corpus} "
            f"({self.added} added, {self.changed} changed, {self.removed} removed, "
            f"{self.unchanged} unchanged, {self.unreadable} unreadable) in {self.seconds:.2f}s"
        )


Stat = tuple[str, str, int, int]  # (relative path, path, size, mtime_ns)


def scan_corpus(corpus: Path) -> list[Stat]:
    """``*.txt`` files under ``corpus`` (hidden folders skipped, symlinked folders not
    followed), with size and mtime from one ``scandir`` pass, sorted by relative path.

    Plain tuples, no ``Path`` objects: this runs over every corpus file on every check.
    """
    out: list[Stat] = []
    stack = [(str(corpus), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            raise InputError(f"cannot read corpus folder: {exc.strerror}", path=folder) from None
        subdirs = []
        for e in entries:
            name = e.name
            if is_hidden(name):
                continue
            if e.is_dir(follow_symlinks=False):
                subdirs.append((e.path, f"{prefix}{name}/"))
            elif is_text_name(name) and e.is_file():
                st = e.stat()
                # A name that is not UTF-8 cannot be an index key: shown with \xNN escapes,
                # and the read then records the file as unreadable (dedup.io.readers).
                out.append((printable(prefix + name), e.path, st.st_size, st.st_mtime_ns))
        stack.extend(reversed(subdirs))
    return out


def scan_digest(files: list[Stat]) -> str:
    """One hash of every (path, size, mtime): equal to the stored one means nothing changed."""
    from xxhash import xxh3_128_hexdigest

    joined = "\n".join(f"{rel}\0{size}\0{mtime}" for rel, _, size, mtime in files)
    return xxh3_128_hexdigest(joined.encode("utf-8", "surrogateescape"))


def entry_for(
    f: ScannedFile, ruleset: Any, scheme: Scheme, max_bytes: int, data_sha: str | None = None
) -> Entry:
    """Read, clean and sign one corpus file; an unreadable file is stored with its error."""
    try:
        text, data = read_text(f.path, max_bytes, shown=f.rel)
    except InputError as exc:
        return Entry(f.rel, f.size, f.mtime_ns, data_sha or "", error=f"{exc.code}: {exc.message}")
    signed = sign(clean(text, f.rel, str(f.path), ruleset), scheme)
    return Entry(
        f.rel,
        len(data),
        f.mtime_ns,
        data_sha or sha256_of(data),
        title=signed.title,
        norms=signed.norms,
        keys=signed.keys,
        paras=list(signed.line_hashes),
    )


# --- process pool for big (re)builds -------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(rules: Sequence[Path], scheme: Scheme, max_bytes: int) -> None:
    from dedup.ruleset import load_rules

    _WORKER.update(ruleset=load_rules(rules), scheme=scheme, max_bytes=max_bytes)


def _sign_in_worker(files: list[ScannedFile]) -> list[Entry]:
    return [
        entry_for(f, _WORKER["ruleset"], _WORKER["scheme"], _WORKER["max_bytes"]) for f in files
    ]


def _entries(
    files: list[ScannedFile], ruleset: Any, scheme: Scheme, config: DedupConfig
) -> Generator[Entry, None, None]:
    max_bytes = config.input.max_doc_bytes
    if config.jobs <= 1 or len(files) < POOL_MIN_FILES:
        for f in files:
            yield entry_for(f, ruleset, scheme, max_bytes)
        return
    yield from ordered_map(
        _sign_in_worker,
        batched(files, 64),
        jobs=config.jobs,
        initializer=_init_worker,
        initargs=(tuple(config.rules), scheme, max_bytes),
        name=lambda f: f.rel,
    )


# --- the update ----------------------------------------------------------------------------


def _write(store: IndexStore, entries: Iterator[Entry], report: SyncReport) -> None:
    batch: list[Entry] = []

    def flush() -> None:
        with store.transaction() as c:
            store.put(c, batch)
            store.mark_updated(c)
        batch.clear()

    for e in entries:
        if e.error is not None:
            report.unreadable += 1
        batch.append(e)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()


def _stale(
    store: IndexStore, corpus_key: str, config: DedupConfig, ruleset: Any, force: bool
) -> tuple[Scheme, str | None]:
    stored = store.scheme()
    scheme = scheme_for(config, ruleset, previous=stored)
    stored_corpus = store.meta().get("corpus")
    if force:
        return scheme, "rebuild requested"
    if stored is None:
        return scheme, NEW if stored_corpus is None else "no scheme recorded"
    diffs = stored.differences(scheme)
    if stored_corpus not in (corpus_key, NO_CORPUS):
        diffs.append(f"corpus: {stored_corpus} -> {corpus_key}")
    return scheme, "; ".join(diffs) or None


def prepare(
    store: IndexStore, corpus: Path, config: DedupConfig, ruleset: Any, *, force: bool = False
) -> tuple[Scheme, str | None]:
    """Make the stored scheme current: returns it and why the index was emptied (or None)."""
    corpus_key = str(corpus.resolve())
    scheme, reason = _stale(store, corpus_key, config, ruleset, force)
    if reason is None:
        if store.meta().get("corpus") == NO_CORPUS:
            with store.transaction() as c:
                store.set_meta(c, "corpus", corpus_key)  # an index of runs adopts its corpus
        return scheme, None  # the common case: no write lock taken
    with store.transaction() as c:
        # Decide again under the write lock: another process may have just rebuilt it.
        scheme, reason = _stale(store, corpus_key, config, ruleset, force)
        if reason is not None:
            if reason != NEW:
                log.info("%s: rebuilding the index (%s)", store.path, reason)  # callers report it
            # Earlier runs' documents have no file to read again: re-sign their stored text
            # under the new scheme instead of losing them.
            runs = store.run_entries(c)
            store.reset(c, scheme, corpus_key)
            for entry in runs:
                entry.keys = sign_norms(entry.norms, scheme)[1]
            for chunk in batched(runs, BATCH):  # key lists of millions of runs: in pieces
                store.put(c, chunk)
    return scheme, reason


def update(
    store: IndexStore,
    corpus: Path,
    config: DedupConfig,
    ruleset: Any,
    *,
    force: bool = False,
) -> tuple[Scheme, SyncReport]:
    """Bring ``store`` up to date with ``corpus`` (see the module docstring)."""
    t0 = time.perf_counter()
    if not corpus.is_dir():
        raise ConfigError("corpus folder not found (--corpus)", path=corpus, code="MISSING")
    report = SyncReport(index=str(store.path), corpus=str(corpus))
    scheme, reason = prepare(store, corpus, config, ruleset, force=force)
    report.created = reason == NEW
    report.rebuilt = None if reason == NEW else reason
    files = scan_corpus(corpus)
    digest = scan_digest(files)
    if reason is None and store.meta().get(SCAN_DIGEST) == digest:
        # Fast path: no file added, removed, or touched since the last update.
        report.documents = report.unchanged = len(files)
        report.seconds = time.perf_counter() - t0
        return scheme, report
    # Documents of `dedup clean --index` runs are no corpus files: never "gone".
    known = store.file_stats()
    seen: set[str] = set()
    to_sign: list[ScannedFile] = []
    touched: list[ScannedFile] = []
    for rel, path, size, mtime_ns in files:
        seen.add(rel)
        state = known.get(rel)
        if state is None:
            report.added += 1
            to_sign.append(ScannedFile(rel, Path(path), size, mtime_ns))
        elif state == (size, mtime_ns):
            report.unchanged += 1
        else:
            f = ScannedFile(rel, Path(path), size, mtime_ns)
            try:
                same = store.sha256_of(rel) == sha256_of(f.path.read_bytes())
            except OSError:
                same = False
            if same:
                report.unchanged += 1
                touched.append(f)
            else:
                report.changed += 1
                to_sign.append(f)
    gone = [p for p in known if p not in seen]
    report.removed = len(gone)
    if gone or touched:
        with store.transaction() as c:
            for p in gone:
                store.delete(c, p)
            for f in touched:
                store.touch(c, f.rel, f.size, f.mtime_ns)
            store.mark_updated(c)
    if to_sign:
        # Closed here, not by the garbage collector: a failed write (a full disk) must shut
        # the worker pool down in this thread ("cannot join current thread" otherwise).
        with contextlib.closing(_entries(to_sign, ruleset, scheme, config)) as entries:
            _write(store, entries, report)
    with store.transaction() as c:
        store.set_meta(c, SCAN_DIGEST, digest)
    report.documents = len(seen)
    report.seconds = time.perf_counter() - t0
    log.info("%s", report.summary())
    return scheme, report


def _make_index_folder(path: Path) -> None:
    """Create the index's folder; a ``.dedup/`` folder it creates is git-ignored."""
    folder = path.parent
    if not folder.exists() and folder.name == ".dedup":
        make_folder(path)
        try:
            (folder / ".gitignore").write_text(
                "# created by dedup: local index, not versioned\n*\n"
            )
        except OSError as exc:
            raise IndexError_(f"cannot write .gitignore: {exc.strerror}", path=folder) from None
    make_folder(path)


def open_index(path: Path) -> IndexStore:
    """Open (or create) the index file; a ``.dedup/`` folder it creates is git-ignored."""
    _make_index_folder(path)
    return IndexStore(path)


def build(path: Path, corpus: Path, config: DedupConfig, ruleset: Any) -> tuple[Scheme, SyncReport]:
    """Build the index of ``corpus`` at ``path`` from scratch (``dedup index build``).

    Refuses (:class:`IndexError_`, nothing touched) a file at ``path`` that is not a dedup
    index. The new index is built in a temporary file beside ``path`` and renamed over it
    only once complete, so a build that fails (a missing corpus, Ctrl-C, a dead worker)
    leaves the old index as it was. Documents of ``dedup clean --index`` runs are not
    carried over: a build starts from nothing (the way out of a corrupted index).
    """
    check_replaceable(path)
    if not corpus.is_dir():
        raise ConfigError("corpus folder not found (--corpus)", path=corpus, code="MISSING")
    _make_index_folder(path)
    # cut to leave room for SQLite's "-journal", "-wal" and "-shm" names in 255 bytes
    tmp = path.with_name(f".{short_name(path.name, 232)}.{secrets.token_hex(4)}.tmp")
    try:
        with IndexStore(tmp) as store:
            scheme, report = update(store, corpus, config, ruleset)
        replace_index(tmp, path)
    except IndexError_ as exc:
        if exc.path == str(tmp):  # name the index, not its temporary file
            exc.path = str(path)
        raise
    finally:
        remove_index_files(tmp)
    report.index = str(path)
    return scheme, report
