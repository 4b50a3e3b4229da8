"""The map phase starts no more worker processes than it has batches of documents."""

from __future__ import annotations

from typing import Any

import pytest

import dedup.mapping as mapping
from dedup.config import build_config
from dedup.io.readers import RawDocument


def _raws(count: int) -> list[RawDocument]:
    text = "A headline\nThe council approved the budget for twenty new schools on Monday."
    return [RawDocument(f"d{i}", "x", text) for i in range(count)]


def test_a_small_corpus_runs_in_the_main_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a worker pool was started for one batch")

    monkeypatch.setattr(mapping, "ordered_map", no_pool)
    config = build_config({"jobs": 32})
    stages, _ = mapping.build_document_stages(config)
    docs = list(mapping.map_documents(iter(_raws(5)), config, stages))
    assert [d.doc_id for d in docs] == [f"d{i}" for i in range(5)]


def test_workers_are_capped_by_the_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_pool(fn: Any, batches: Any, *, jobs: int, **kwargs: Any) -> Any:
        seen["jobs"] = jobs
        for batch in batches:
            yield from (mapping.process_document(raw, stages) for raw in batch)

    monkeypatch.setattr(mapping, "ordered_map", fake_pool)
    config = build_config({"jobs": 8})
    stages, _ = mapping.build_document_stages(config)
    count = 2 * mapping.BATCH_DOCUMENTS + 1  # three batches
    docs = list(mapping.map_documents(iter(_raws(count)), config, stages))
    assert seen["jobs"] == 3
    assert [d.doc_id for d in docs] == [f"d{i}" for i in range(count)]
