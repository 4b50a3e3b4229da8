r"""The input files and raw documents the readers pass on, and reading one file safely:
OS errors become one-line :class:`InputError`\ s naming the file, and only regular
files with UTF-8 names are read (a FIFO would block, a non-UTF-8 name cannot be written
to JSON)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dedup.errors import InputError


@dataclass(slots=True)
class RawDocument:
    doc_id: str
    source: str  # the file it came from (plus ":line" for JSONL)
    text: str
    url: str | None = None
    text_path: str = ""  # relative output path under DIR/text/
    error: InputError | None = None  # set when on_error=skip turned a failure into a record


@dataclass(slots=True)
class InputFile:
    path: Path
    kind: str  # "txt" | "jsonl" | "parquet"
    rel: str  # relative to the folder given on the command line (or the file name)
    root: str  # the path given on the command line
    size: int = 0
    sha256: str = ""
    documents: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def printable(name: str) -> str:
    r"""``name`` as valid UTF-8 text: a file name that is not UTF-8 (decoded by Python with
    surrogate escapes) keeps its bytes as ``\xNN`` escapes, so it can be printed and
    written to JSON; a UTF-8 name is returned unchanged."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")
    return name


@contextlib.contextmanager
def reading(path: Path, shown: str | None = None) -> Iterator[None]:
    r"""OS errors while reading ``path`` become one-line :class:`InputError`\ s naming
    ``shown`` (how the user knows the file) or the path."""
    where = shown or str(path)
    try:
        yield
    except FileNotFoundError:
        raise InputError("no such file", path=where, code="MISSING") from None
    except PermissionError:
        raise InputError("permission denied", path=where, code="UNREADABLE") from None
    except IsADirectoryError:
        raise InputError("is a folder, expected a file", path=where, code="UNREADABLE") from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=where, code="UNREADABLE") from None


def regular_file_size(path: Path, shown: str | None = None) -> int:
    """The size of ``path``, which must be a regular file: a FIFO or device named *.txt
    would block or never end. Its name must be UTF-8: ids, sources and the manifest hold
    it, and neither JSON nor the index can hold other bytes."""
    if printable(str(path)) != str(path):
        raise InputError(
            "file name is not valid UTF-8 (its bytes shown as \\xNN); rename the file",
            path=printable(shown or str(path)),
            code="UNREADABLE",
        )
    with reading(path, shown):
        st = path.stat()
    if not stat.S_ISREG(st.st_mode):
        what = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise InputError(
            f"{what}; expected a text file", path=shown or str(path), code="UNREADABLE"
        )
    return st.st_size


# Where the size limit is set: the flag (dedup clean) or the configuration (every command).
LIMIT_HINT = "--max-doc-bytes, or max_doc_bytes under [input] in dedup.toml"


def read_file(path: Path, limit: int, *, shown: str | None = None) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, or an :class:`InputError`
    (MISSING, UNREADABLE, TOO_LARGE) naming ``shown`` or the path."""
    size = regular_file_size(path, shown)
    if size > limit:
        raise InputError(
            f"file is {size} bytes, over the {limit}-byte limit ({LIMIT_HINT})",
            path=shown or str(path),
            code="TOO_LARGE",
        )
    with reading(path, shown):
        return path.read_bytes()


def hash_file(f: InputFile, data: bytes) -> None:
    f.size = len(data)
    f.sha256 = hashlib.sha256(data).hexdigest()


def safe_text_path(doc_id: str) -> str:
    """A file name for ``doc_id`` that cannot escape ``DIR/text/`` nor collide."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", doc_id).strip("._")[:80] or "doc"
    digest = hashlib.sha1(doc_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{stem}-{digest}.txt"


def is_hidden(name: str) -> bool:
    """Hidden files and folders are never inputs (``.git/``, ``.DS_Store``, an editor's
    ``.#draft.txt`` lock, meant-hidden drafts): the one test for ``dedup clean``'s corpus
    walk, the index's corpus scan and rule-pack folders, which must agree."""
    return name.startswith(".")


def is_text_name(name: str) -> bool:
    """A plain-text corpus file by its name (any case: ``.TXT`` too)."""
    return name.lower().endswith(".txt")


def walk(root: str | os.PathLike[str]) -> Iterator[tuple[str, list[str], list[str]]]:
    """``os.walk(root)`` top-down, names sorted, symlinked folders listed but not entered,
    without recursion: Python 3.11's ``os.walk`` recurses, and 1,200 nested folders raised
    RecursionError. An unreadable folder raises the ``OSError``."""
    stack = [os.fspath(root)]
    while stack:
        folder = stack.pop()
        dirs: list[str] = []
        files: list[str] = []
        links: set[str] = set()  # folders listed, not entered
        with os.scandir(folder) as entries:
            for entry in entries:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                (dirs if is_dir else files).append(entry.name)
                if is_dir and entry.is_symlink():
                    links.add(entry.name)
        dirs.sort()
        files.sort()
        yield folder, dirs, files
        stack.extend(os.path.join(folder, d) for d in reversed(dirs) if d not in links)
