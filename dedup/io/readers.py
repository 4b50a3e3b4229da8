"""Find input files and read them into :class:`RawDocument` records, in a stable order.

Inputs are any mix of folders (``*.txt``, ``*.jsonl``, ``*.jsonl.gz``, ``*.parquet`` found
recursively, sorted by relative path), and single files of those kinds. Document ids:
the path relative to its folder for ``.txt`` (the file name for a single file); the ``id``
field for JSONL/Parquet.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from dedup.config import InputConfig
from dedup.errors import InputError
from dedup.io.decode import decode_bytes
from dedup.io.files import (
    InputFile,
    RawDocument,
    hash_file,
    is_hidden,
    is_text_name,
    printable,
    read_file,
    safe_text_path,
    walk,
)
from dedup.io.records import read_jsonl, read_parquet
from dedup.io.writers import LOCK

# Re-exported: callers import the input types and file helpers from here.
__all__ = [
    "SUFFIXES",
    "InputFile",
    "RawDocument",
    "discover_inputs",
    "kind_of",
    "printable",
    "read_documents",
    "read_file",
    "safe_text_path",
]

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".jsonl", ".jsonl.gz", ".parquet")


def kind_of(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(".jsonl.gz"):
        return "jsonl"
    if is_text_name(name):
        return "txt"
    for suffix, kind in ((".jsonl", "jsonl"), (".parquet", "parquet")):
        if name.endswith(suffix):
            return kind
    return None


def _walk(root: Path) -> Iterator[Path]:
    # Symlinked folders (and so symlink loops) are not entered.
    try:
        yield from _walk_folders(root)
    except OSError as exc:
        _walk_error(exc)


# Deeper folders are refused with one line: the output's text/ mirrors them, and Python's
# makedirs and rmtree recurse (about 990 levels is where they break).
MAX_DEPTH = 256


def _walk_folders(root: Path) -> Iterator[Path]:
    base = os.fspath(root).rstrip(os.sep).count(os.sep)
    for folder, dirs, files in walk(root):
        if folder.count(os.sep) - base > MAX_DEPTH:
            raise InputError(
                f"folders nested more than {MAX_DEPTH} levels deep are not supported",
                path=printable(folder[:200] + "..."),
                code="SUFFIX",
            )
        if ("manifest.json" in files and "documents.jsonl" in files) or LOCK in files:
            # Its record files are no corpus: read as one, every record was a bad document.
            # A run's lock file marks the folder too: an interrupted run removed the manifest.
            raise InputError(
                "a dedup output folder, not a corpus; to clean its cleaned texts again, "
                f"pass {printable(os.path.join(folder, 'text'))}",
                path=printable(folder),
                code="SUFFIX",
            )
        dirs[:] = [d for d in dirs if not is_hidden(d)]
        for name in files:
            if not is_hidden(name):
                yield Path(folder) / name


def _walk_error(exc: OSError) -> None:
    raise InputError(f"cannot read folder: {exc.strerror}", path=exc.filename)


def discover_inputs(paths: Sequence[Path]) -> list[InputFile]:
    """Expand folders; reject unknown suffixes and missing paths with a clear error."""
    found: list[InputFile] = []
    for given in paths:
        if not given.exists():
            raise InputError("no such file or folder", path=given, code="MISSING")
        if given.is_dir():
            before = len(found)
            for path in _walk(given):
                kind = kind_of(path)
                if kind is None:
                    continue
                rel = printable(path.relative_to(given).as_posix())
                found.append(InputFile(path, kind, rel, printable(str(given))))
            if len(found) == before:
                # Not an error (an empty batch is a normal day in a pipeline), but a typo'd
                # folder should not look like a clean run.
                log.warning("%s: no input files (%s) in this folder", given, ", ".join(SUFFIXES))
        else:
            kind = kind_of(given)
            if kind is None:
                raise InputError(
                    f"unsupported input; expected a folder or one of {', '.join(SUFFIXES)}",
                    path=given,
                    code="SUFFIX",
                )
            found.append(InputFile(given, kind, printable(given.name), printable(str(given))))
    return found


def _read_txt(f: InputFile, cfg: InputConfig) -> Iterator[RawDocument]:
    data = read_file(f.path, cfg.max_doc_bytes)
    hash_file(f, data)
    text = decode_bytes(data, str(f.path), errors=cfg.encoding_errors)
    yield RawDocument(doc_id=f.rel, source=str(f.path), text=text, text_path=f.rel)


_READERS = {"txt": _read_txt, "jsonl": read_jsonl, "parquet": read_parquet}


def read_documents(files: Sequence[InputFile], cfg: InputConfig) -> Iterator[RawDocument]:
    """Yield documents in input order. Duplicate ids are an error (or rejected under skip)."""
    seen: set[str] = set()
    for f in files:
        try:
            docs = _READERS[f.kind](f, cfg)
            for doc in docs:
                f.documents += 1
                if doc.doc_id in seen:
                    # a record's source is "FILE:LINE": the error carries the two apart
                    where, _, line = doc.source.rpartition(":")
                    at = int(line) if f.kind != "txt" and line.isdigit() else None
                    exc = InputError(
                        f"duplicate document id {doc.doc_id!r}",
                        path=where if at is not None else doc.source,
                        line=at,
                        code="DUP_ID",
                    )
                    if cfg.on_error == "fail":
                        raise exc
                    doc = RawDocument(f"{doc.doc_id}#dup{f.documents}", doc.source, "", error=exc)
                seen.add(doc.doc_id)
                yield doc
        except InputError as exc:
            if cfg.on_error == "fail" or f.kind != "txt":
                raise
            f.documents += 1
            yield RawDocument(f.rel, printable(str(f.path)), "", text_path=f.rel, error=exc)
