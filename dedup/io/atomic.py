"""Atomic file output: write to a temporary name in the same folder, then rename.

``os.replace`` within one file system is atomic, so a reader (or a killed run) sees either
the old file, the new file, or no file: never a half-written one under the final name.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from dedup.errors import OutputError


@contextlib.contextmanager
def atomic_open(path: Path, mode: str = "wb") -> Iterator[IO[bytes]]:
    """Open a temporary sibling of ``path`` for writing; rename it over ``path`` on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_bytes_atomic(path: Path, data: bytes) -> None:
    try:
        with atomic_open(path) as fh:
            fh.write(data)
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror}", path=path) from None
