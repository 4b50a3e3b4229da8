"""Atomic file output: write to a temporary name in the same folder, then rename.

``os.replace`` within one file system is atomic, so a reader (or a killed run) sees either
the old file, the new file, or no file: never a half-written one under the final name.

Temporary files and folders are made with the modes ``open``/``mkdir`` give (0o666 and
0o777, less the umask), not ``tempfile``'s 0o600/0o700: outputs are read by other users
and services (a pipeline's next step, a web server showing the report).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from dedup.errors import OutputError

# os.open flags for a file that must not exist yet, written as bytes.
CREATE_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


# Bytes of NAME kept in a temporary's name: 255 (a file name's limit on most file systems)
# less the 19 the temporary adds, so a target with a long but legal name still gets one.
_NAME_BYTES = 236


def temp_name(folder: Path, name: str) -> Path:
    """A hidden, unused-looking sibling name ``.NAME.<random>.tmp`` (what a later run's
    clean-up recognises as a leftover; NAME cut to fit a file name's 255 bytes)."""
    return folder / f".{short_name(name)}.{secrets.token_hex(6)}.tmp"


def short_name(name: str, limit: int = _NAME_BYTES) -> str:
    """``name`` cut to at most ``limit`` bytes in the file system's encoding (a character
    cut in two becomes surrogate escapes: still those bytes on disk)."""
    raw = os.fsencode(name)
    return name if len(raw) <= limit else os.fsdecode(raw[:limit])


def make_temp_folder(folder: Path, name: str) -> Path:
    """Create an empty temporary folder in ``folder`` (mode 0o777 less the umask)."""
    path = temp_name(folder, name)
    os.mkdir(path, 0o777)
    return path


@contextlib.contextmanager
def atomic_open(path: Path) -> Iterator[IO[bytes]]:
    """Open a temporary sibling of ``path`` for binary writing; rename it over ``path`` on
    success, delete it on any error (raised as is: ``OSError`` for the caller to word)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(path.parent, path.name)
    fd = os.open(tmp, CREATE_NEW, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
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
