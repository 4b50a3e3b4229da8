"""``dedup clean --index``: dedup a run against the documents of earlier runs.

A run's kept documents are stored in the same SQLite index as ``dedup check``'s corpus
files, under keys of their own (``/run/<sha256>/<doc_id>``, see ``store.RUN_PREFIX``): a
corpus path is relative, so the two never collide, and ``dedup check`` never sees them.
The sha256 is of the document's raw lines, so the key names one document version: adding
it again is a no-op, and a rerun of the same document (same doc_id, same content) is not
a duplicate of itself.

What is stored is what the engine compares in a run: the document band keys computed in
the map phase (``DocSketch.doc_keys``) and the normalised text of the paragraphs they were
computed from, so a lookup is the engine's own test: shared band key, then exact Jaccard
of word shingles at or above ``--doc-threshold``. The index must have been built with the
run's MinHash scheme (``dedup.index.scheme``); otherwise the run stops with a one-line
error naming the differences (its stored documents cannot be re-signed: the texts of
earlier runs are not at hand).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from dedup.errors import ConfigError, IndexError_
from dedup.index.scheme import Scheme, scheme_for
from dedup.index.signing import document_shingles, jaccard
from dedup.index.sqlitefile import ReadOnlyConnection
from dedup.index.store import RUN_PREFIX, Entry, IndexStore
from dedup.model import Document
from dedup.neardup.sketch import get_sketch
from dedup.parallel import batched
from dedup.pipeline import Corpus
from dedup.records import DUPLICATE_SCOPE_KEY, SCOPE_INDEX

if TYPE_CHECKING:
    from dedup.config import DedupConfig

log = logging.getLogger(__name__)

STAGE_NAME = "index-documents"
# Documents stored per put: their keys are sorted together (see IndexStore.put).
PUT_BATCH = 5000


def run_key(doc_id: str, sha256: str) -> str:
    return f"{RUN_PREFIX}{sha256}/{doc_id}"


def doc_id_of(key: str) -> str:
    """The doc_id part of a :func:`run_key`."""
    return key[len(RUN_PREFIX) :].split("/", 1)[1]


def content_sha256(doc: Document) -> str:
    """The document's identity across runs: its raw lines, whatever the cleaning did."""
    raw = "\n".join(p.raw for p in doc.paragraphs)
    return hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()


def _engine_view(doc: Document) -> tuple[list[str], list[int]] | None:
    """Normalised paragraphs and signed band keys the engine compared ``doc`` by."""
    sketch = get_sketch(doc)
    if sketch is None or sketch.doc_keys is None or len(sketch.index) == 0:
        return None
    norms = [doc.paragraphs[i].norm for i in sketch.index.tolist()]
    return norms, [int(k) for k in sketch.doc_keys.astype(np.int64)]


@dataclass(slots=True)
class RunIndex:
    """An index opened for one ``dedup clean`` run (see the module docstring)."""

    store: IndexStore
    scheme: Scheme
    update: bool
    matched: int = 0
    added: int = 0
    already: int = 0
    _keys: dict[str, str] = field(default_factory=dict)  # doc_id -> own run key

    @classmethod
    def open(cls, path: Path, config: DedupConfig, ruleset: Any, *, update: bool) -> RunIndex:
        """Open ``path`` (created when ``update``); :class:`IndexError_` when it is missing
        (read only) or was built with another scheme."""
        if not config.neardup.enabled:  # a configuration that cannot work: a usage error
            raise ConfigError(
                "--index needs near-duplicate detection (remove --no-neardup)", path=path
            )
        if not update and not path.is_file():
            raise IndexError_("no such index (--no-index-update only reads one)", path=path)
        from dedup.index.sync import NO_CORPUS, open_index

        store = open_index(path)
        try:
            stored = store.scheme()
            scheme = scheme_for(config, ruleset, previous=stored)
            if stored is None and update:
                with store.transaction() as c:
                    # Decide under the write lock: another run may have just created it.
                    stored = store.scheme()
                    if stored is None and store.meta().get("corpus") is None:
                        store.reset(c, scheme, NO_CORPUS)  # a new index
                        stored = scheme
            if stored is None:
                raise IndexError_("index records no scheme; rebuild or delete it", path=path)
            if update and isinstance(store.conn, ReadOnlyConnection):
                raise IndexError_(  # here, before the run, not when it adds its documents
                    "the index is on a read-only location; pass --no-index-update to only "
                    "read it, or use a writable copy",
                    path=path,
                )
            diffs = stored.differences(scheme)
            if diffs:
                raise IndexError_(
                    f"index was built with other parameters ({'; '.join(diffs)}); run with "
                    "the same ones, or pass another --index (or delete this one)",
                    path=path,
                )
        except BaseException:
            store.close()
            raise
        return cls(store, scheme, update)

    def close(self) -> None:
        self.store.close()

    def stage(self) -> IndexLookupStage:
        return IndexLookupStage(self)

    @contextlib.contextmanager
    def adding(self, documents: list[Document]) -> Iterator[int]:
        """Store the run's kept documents (unless read only) in a write transaction that
        commits when the block ends (the caller commits its output folder inside it);
        yields how many were new. An exception in the block rolls the index back: a run
        whose outputs were not committed teaches the index nothing."""
        entries = self._new_entries(documents) if self.update else []
        self.added = len(entries)
        if not entries:
            yield 0
            return
        with self.store.transaction() as c:
            # In pieces: the sorted key lists of a huge run would be held all at once.
            for chunk in batched(entries, PUT_BATCH):
                self.store.put(c, chunk)
            self.store.mark_updated(c)
            yield self.added
        log.info("index %s: %d run documents added", self.store.path, self.added)

    def _new_entries(self, documents: list[Document]) -> list[Entry]:
        kept = []
        for doc in documents:
            view = _engine_view(doc) if doc.status == "kept" else None
            if view is not None:
                key = self._keys.get(doc.doc_id) or run_key(doc.doc_id, content_sha256(doc))
                kept.append((doc, key, view))
        known = self.store.stored([key for _, key, _ in kept])
        entries = []
        for doc, key, (norms, keys) in kept:
            if key in known:
                self.already += 1
                continue
            size = sum(len(p.raw.encode("utf-8", "surrogateescape")) for p in doc.paragraphs)
            sha = key[len(RUN_PREFIX) :].split("/", 1)[0]
            entries.append(Entry(key, size, 0, sha, title=doc.title, norms=norms, keys=keys))
        return entries

    def describe(self, shown: str) -> dict[str, Any]:
        """The manifest's ``index`` entry."""
        return {
            "path": shown,
            "scheme": self.scheme.to_dict(),
            "update": self.update,
            "matched": self.matched,
            "added": self.added,
            "already_indexed": self.already,
        }


class IndexLookupStage:
    """Corpus stage, after the near-duplicate stages: a kept document that an earlier run
    already kept (Jaccard at or above ``--doc-threshold``) becomes a duplicate of it,
    scope ``index``; so do its in-run duplicates (re-pointed, similarity to that one)."""

    name = STAGE_NAME

    def __init__(self, index: RunIndex) -> None:
        self.index = index

    def run(self, corpus: Corpus) -> None:
        scheme = self.index.scheme
        counts = {"documents": 0, "candidates": 0, "duplicates": 0}
        twins: dict[str, tuple[str, list[str]]] = {}  # doc_id -> (earlier doc_id, its norms)
        for doc in corpus.documents:
            view = _engine_view(doc) if doc.status == "kept" else None
            if view is None:
                continue
            norms, keys = view
            own = run_key(doc.doc_id, content_sha256(doc))
            self.index._keys[doc.doc_id] = own
            counts["documents"] += 1
            found = [c for c in self.index.store.candidates(keys, runs=True) if c.path != own]
            counts["candidates"] += len(found)
            mine = document_shingles(norms, scheme.shingle_size)
            best: tuple[float, str, list[str]] | None = None
            for cand in found:
                sim = jaccard(mine, document_shingles(cand.norms, scheme.shingle_size))
                earlier = doc_id_of(cand.path)
                if sim >= scheme.doc_threshold and (
                    best is None or (-sim, earlier) < (-best[0], best[1])
                ):
                    best = (sim, earlier, cand.norms)
            if best is not None:
                _mark(doc, best[1], best[0])
                twins[doc.doc_id] = (best[1], best[2])
        # In-run duplicates of a document that is now an index duplicate follow it.
        for doc in corpus.documents:
            target = twins.get(doc.duplicate_of or "") if doc.status == "duplicate" else None
            if target is not None and doc.meta.get(DUPLICATE_SCOPE_KEY) is None:
                view = _engine_view(doc)
                norms = view[0] if view is not None else []
                sim = jaccard(
                    document_shingles(norms, scheme.shingle_size),
                    document_shingles(target[1], scheme.shingle_size),
                )
                _mark(doc, target[0], sim)
        counts["duplicates"] = sum(
            1 for d in corpus.documents if d.meta.get(DUPLICATE_SCOPE_KEY) == SCOPE_INDEX
        )
        self.index.matched = counts["duplicates"]
        corpus.facts.setdefault("stage_counts", {})[self.name] = counts
        log.info("index lookups: %s", counts)


def _mark(doc: Document, earlier: str, similarity: float) -> None:
    doc.status = "duplicate"
    doc.duplicate_of = earlier
    doc.similarity = round(similarity, 4)
    doc.meta[DUPLICATE_SCOPE_KEY] = SCOPE_INDEX
