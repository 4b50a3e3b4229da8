"""Map stages are pure and picklable: any worker split gives identical results."""

from __future__ import annotations

import multiprocessing
import pickle

from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.config import DedupConfig
from dedup.model import Document
from dedup.neardup import build_stages
from dedup.pipeline import Corpus, apply_document_stages
from tests.neardup.helpers import bbc_sample, make_doc

_CONFIG = DedupConfig(jobs=1)
_MAPS, _ = build_stages(_CONFIG)


def _map_one(item: tuple[str, str]) -> Document:
    return apply_document_stages(make_doc(*item), _MAPS)


def _result(docs: list[Document]) -> list[object]:
    corpus = Corpus(docs)
    for stage in build_stages(_CONFIG)[1]:
        stage.run(corpus)
    rows: list[object] = [corpus.facts["clusters"], corpus.facts["boilerplate"]]
    for d in corpus.documents:
        rows.append((d.doc_id, d.status, d.duplicate_of, d.similarity))
        rows.extend((p.line, p.removal) for p in d.paragraphs)
    return rows


ITEMS = bbc_sample()[:80]
SERIAL = _result([_map_one(i) for i in ITEMS])


def test_stages_pickle() -> None:
    maps, reduces = build_stages(_CONFIG)
    assert len(pickle.loads(pickle.dumps(maps))) == len(maps)
    assert len(pickle.loads(pickle.dumps(reduces))) == len(reduces)


def test_process_pool_gives_identical_output() -> None:
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        docs = pool.map(_map_one, ITEMS, chunksize=7)
    assert _result(docs) == SERIAL


@settings(max_examples=5, deadline=None)
@given(st.lists(st.integers(1, 30), min_size=1, max_size=10))
def test_any_chunking_of_the_map_gives_identical_output(chunks: list[int]) -> None:
    # Each chunk pickles its documents across a "process boundary" (as a pool does).
    docs: list[Document] = []
    i = 0
    while i < len(ITEMS):
        size = chunks[len(docs) % len(chunks)]
        part = [_map_one(it) for it in ITEMS[i : i + size]]
        docs.extend(pickle.loads(pickle.dumps(part)))
        i += size
    assert _result(docs) == SERIAL


def test_sketches_pickle_to_equal_writable_arrays() -> None:
    import numpy as np

    from dedup.neardup.sketch import get_sketch

    for item in ITEMS[:10]:
        sketch = get_sketch(_map_one(item))
        assert sketch is not None
        sketch.sigs = np.arange(len(sketch.index) * 4, dtype=np.uint32).reshape(-1, 4)
        back = pickle.loads(pickle.dumps(sketch))
        for name in ("index", "exact", "sigs", "para_keys", "doc_sig", "doc_keys"):
            a, b = getattr(sketch, name), getattr(back, name)
            assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b), name
            assert b.flags.writeable
        assert (back.kept_chars, back.counts) == (sketch.kept_chars, sketch.counts)
        sketch.doc_sig = sketch.doc_keys = sketch.sigs = None
        back = pickle.loads(pickle.dumps(sketch))
        assert back.doc_sig is None and back.doc_keys is None and back.sigs is None
        assert np.array_equal(back.para_keys, sketch.para_keys)
