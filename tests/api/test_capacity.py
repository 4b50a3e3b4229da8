"""The memory warning before a run that will not fit (dedup.capacity)."""

from __future__ import annotations

import gzip
import logging
from pathlib import Path

import pytest

from dedup.api import clean
from dedup.capacity import memory_warning, text_bytes
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
    need = text_bytes(files)
    assert memory_warning(files, validate=True, memory=need * 100) is None
    message = memory_warning(files, validate=True, memory=need * 5)
    assert message is not None and "with validation" in message and "--index" in message
    # Without validation a run needs about half as much.
    assert memory_warning(files, validate=False, memory=need * 10) is None
    assert memory_warning(files, validate=True, memory=need * 10) is not None


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
