"""Will one run fit in memory? A warning before the map phase, not after the OOM killer.

A run keeps every document until it writes (DESIGN.md §1: the reduce needs them all), so
its peak memory grows with the text, and with the number of documents (each carries its
records, signatures and validation answers whatever its length). Fitted to peak RSS
measured with GNU time, ``dedup clean --jobs 2``: the 100 MB benchmark corpus (29,050
documents) 1.05 GB with validation, 0.68 GB without; 25,000 and 100,000 JSONL records of
~420 bytes 0.41 / 1.19 GB with validation, 0.23 / 0.72 GB without (each within 4% of the
estimate). Compressed inputs hold more text than their size says.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Sequence
from pathlib import Path

from dedup.io.readers import InputFile

# Peak RSS: a base, per byte of input text, per document; by whether validation runs.
BASE_BYTES = {True: 160e6, False: 70e6}
BYTES_PER_TEXT_BYTE = {True: 7.0, False: 4.8}
BYTES_PER_DOCUMENT = {True: 7000, False: 4500}
# Text bytes per stored byte of a compressed input (news text gzips ~3-4x).
EXPANSION = {"jsonl.gz": 3.5, "parquet": 3.0}
# Warn when the estimate passes this share of the machine's memory.
WARN_SHARE = 0.8
# A JSONL file's records are counted in its first bytes (a read, not a parse).
SAMPLE_BYTES = 1 << 16


def text_bytes(files: Sequence[InputFile]) -> int:
    """An estimate of the text the inputs hold, from their sizes on disk."""
    return int(sum(_text_bytes(f) for f in files))


def _text_bytes(f: InputFile) -> float:
    try:
        size = os.stat(f.path).st_size
    except OSError:
        return 0.0  # the reader reports it with its own message
    return size * EXPANSION.get(_kind(f), 1.0)


def _kind(f: InputFile) -> str:
    return "jsonl.gz" if f.path.name.lower().endswith(".gz") else f.kind


def document_count(files: Sequence[InputFile]) -> int:
    """An estimate of the documents the inputs hold: one a text file; a JSONL file's
    records from the line breaks in its first bytes; a Parquet file's rows from its footer."""
    total = 0.0
    for f in files:
        try:
            total += _documents(f)
        except Exception:  # an estimate never stops the run
            total += 1  # unreadable (a bad gzip stream too): the reader says so in its words
    return int(total)


def _documents(f: InputFile) -> float:
    kind = _kind(f)
    if kind == "txt":
        return 1
    if kind == "parquet":
        import pyarrow.parquet as pq

        return float(pq.ParquetFile(f.path).metadata.num_rows)
    opener = gzip.open if kind == "jsonl.gz" else open
    with opener(f.path, "rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    if len(head) < SAMPLE_BYTES:  # the whole file
        return sum(1 for line in head.split(b"\n") if line.strip())
    return max(1, head.count(b"\n")) * _text_bytes(f) / len(head)


# A container's memory limit (cgroup v2, then v1): inside Docker or Kubernetes the machine's
# memory is not what the run may use.
CGROUP_LIMITS = (
    Path("/sys/fs/cgroup/memory.max"),
    Path("/sys/fs/cgroup/memory/memory.limit_in_bytes"),
)


def physical_memory() -> int | None:
    """The memory this process may use in bytes: the machine's, or its container's limit
    when lower; None where the platform does not say."""
    try:
        found: int | None = int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        found = None
    for path in CGROUP_LIMITS:
        try:
            limit = int(path.read_text().strip())  # "max" (no limit) is not a number
        except (OSError, ValueError):
            continue
        if found is None or 0 < limit < found:
            found = limit
    return found


def memory_warning(
    files: Sequence[InputFile], *, validate: bool, memory: int | None = None
) -> str | None:
    """A one-line warning when one run over ``files`` likely needs more memory than the
    machine has (``memory``: its bytes, default the physical memory), else None."""
    memory = physical_memory() if memory is None else memory
    if not memory:
        return None
    text, documents = text_bytes(files), document_count(files)
    need = peak_estimate(text, documents, validate=validate)
    if need <= WARN_SHARE * memory:
        return None
    return (
        f"the inputs hold ~{_size(text)} of text in ~{documents:,} documents; one run keeps "
        f"it all in memory (~{_size(need)} at peak{' with validation' if validate else ''}) "
        f"and this machine has {_size(memory)}. "
        "Split them into batches run against one --index (README: Large corpora)"
    )


def peak_estimate(text: float, documents: int, *, validate: bool) -> float:
    """Peak RSS in bytes of one run over ``text`` bytes in ``documents`` documents."""
    return (
        BASE_BYTES[validate]
        + text * BYTES_PER_TEXT_BYTE[validate]
        + documents * BYTES_PER_DOCUMENT[validate]
    )


def _size(n: float) -> str:
    return f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"
