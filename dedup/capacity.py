"""Will one run fit in memory? A warning before the map phase, not after the OOM killer.

A run keeps every document until it writes (DESIGN.md §1: the reduce needs them all), so
its peak memory grows with the text: measured at 100 MB of text, peak RSS 0.68 GB without
validation and 1.05 GB with it. Compressed inputs hold more text than their size says.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from dedup.io.readers import InputFile

# Peak RSS per byte of input text (100 MB benchmark corpus, rounded up).
BYTES_PER_TEXT_BYTE = {True: 10.5, False: 7.0}  # by whether validation runs
# Text bytes per stored byte of a compressed input (news text gzips ~3-4x).
EXPANSION = {"jsonl.gz": 3.5, "parquet": 3.0}
# Warn when the estimate passes this share of the machine's memory.
WARN_SHARE = 0.8


def text_bytes(files: Sequence[InputFile]) -> int:
    """An estimate of the text the inputs hold, from their sizes on disk."""
    total = 0.0
    for f in files:
        try:
            size = os.stat(f.path).st_size
        except OSError:
            continue  # the reader reports it with its own message
        name = f.path.name.lower()
        kind = "jsonl.gz" if name.endswith(".gz") else f.kind
        total += size * EXPANSION.get(kind, 1.0)
    return int(total)


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
    text = text_bytes(files)
    need = text * BYTES_PER_TEXT_BYTE[validate]
    if need <= WARN_SHARE * memory:
        return None
    return (
        f"the inputs hold ~{_gb(text)} of text; one run keeps it all in memory (~{_gb(need)} "
        f"at peak{' with validation' if validate else ''}) and this machine has {_gb(memory)}. "
        "Split them into batches run against one --index (README: Large corpora)"
    )


def _gb(n: float) -> str:
    return f"{n / 1e9:.1f} GB"
