"""The memory warning before a run that will not fit (dedup.capacity)."""

from __future__ import annotations

import gzip
import logging
from pathlib import Path

import pytest

from dedup.api import clean
from dedup.capacity import document_count, memory_warning, peak_estimate, text_bytes
from dedup.config import build_config
from dedup.io.readers import discover_inputs


def _corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Title\n\n" + "Some article text here. " * 400, "utf-8")
    with gzip.open(folder / "b.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write('{"id": "b", "text": "Title\\n\\nMore text."}\n')
    return folder


def test_estimate_counts_compressed_inputs_as_more_text(tmp_path: Path) -> None:
    files = discover_inputs([_corpus(tmp_path)])
    plain = (tmp_path / "in" / "a.txt").stat().st_size
    packed = (tmp_path / "in" / "b.jsonl.gz").stat().st_size
    assert text_bytes(files) == int(plain + packed * 3.5)


def test_warns_only_when_the_run_would_not_fit(tmp_path: Path) -> None:
    files = discover_inputs([_corpus(tmp_path)])
    need = int(peak_estimate(text_bytes(files), 2, validate=True))
    assert memory_warning(files, validate=True, memory=need * 2) is None
    message = memory_warning(files, validate=True, memory=need)
    assert message is not None and "with validation" in message and "--index" in message
    assert "in ~2 documents" in message
    # Without validation a run needs less.
    assert memory_warning(files, validate=False, memory=need) is None


def test_documents_counted_by_kind(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = _corpus(tmp_path)  # one .txt, one .jsonl.gz of one record
    record = '{"id": "x", "text": "Title\\n\\nBody text of a small record."}\n'
    (folder / "small.jsonl").write_text(record * 7 + "\n", "utf-8")  # a blank last line
    (folder / "big.jsonl").write_text(record * 20_000, "utf-8")  # past the sample
    pq.write_table(pa.table({"id": ["p", "q", "r"], "text": ["a", "b", "c"]}), folder / "t.parquet")
    counts = {f.path.name: document_count([f]) for f in discover_inputs([folder])}
    assert counts["a.txt"] == 1 and counts["b.jsonl.gz"] == 1 and counts["t.parquet"] == 3
    assert counts["small.jsonl"] == 7  # read whole: counted, not estimated
    assert 19_000 <= counts["big.jsonl"] <= 21_000


def test_many_small_records_need_more_than_their_bytes_say(tmp_path: Path) -> None:
    """200,000 records of ~340 bytes peaked at 1.9 GB, ~28x their bytes: documents count."""
    few, many = tmp_path / "few.jsonl", tmp_path / "many.jsonl"
    words = "word " * 60
    few.write_text(f'{{"id": "a", "text": "Title\\n\\n{words * 200}"}}\n', "utf-8")
    many.write_text(
        "".join(f'{{"id": "{i}", "text": "Title\\n\\n{words}"}}\n' for i in range(200)),
        "utf-8",
    )
    files_few, files_many = discover_inputs([few]), discover_inputs([many])
    assert abs(text_bytes(files_few) - text_bytes(files_many)) < 0.15 * text_bytes(files_few)
    # between the two estimates: the same bytes in 200 records need more
    few_need = peak_estimate(text_bytes(files_few), 1, validate=True)
    many_need = peak_estimate(text_bytes(files_many), 200, validate=True)
    memory = int((few_need + many_need) / 2 / 0.8)
    assert memory_warning(files_few, validate=True, memory=memory) is None
    assert memory_warning(files_many, validate=True, memory=memory) is not None


def test_clean_logs_the_warning_and_still_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr("dedup.capacity.physical_memory", lambda: 1000)
    with caplog.at_level(logging.WARNING, logger="dedup"):
        result = clean([_corpus(tmp_path)], tmp_path / "out", build_config({"jobs": 1}))
    assert "keeps it all in memory" in caplog.text
    assert (result.out_dir / "manifest.json").is_file()


def test_a_container_limit_below_the_machine_memory_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dedup import capacity

    limit, unlimited = tmp_path / "memory.max", tmp_path / "other.max"
    limit.write_text("2147483648\n")
    unlimited.write_text("max\n")
    monkeypatch.setattr(capacity, "CGROUP_LIMITS", (unlimited, limit))
    assert capacity.physical_memory() == 2147483648
    monkeypatch.setattr(capacity, "CGROUP_LIMITS", (unlimited,))
    machine = capacity.physical_memory()
    assert machine is not None and machine > 0
