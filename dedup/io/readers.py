"""Find input files and read them into :class:`RawDocument` records, in a stable order.

Inputs are any mix of folders (``*.txt``, ``*.jsonl``, ``*.jsonl.gz``, ``*.parquet`` found
recursively, sorted by relative path), and single files of those kinds. Document ids:
the path relative to its folder for ``.txt`` (the file name for a single file); the ``id``
field for JSONL/Parquet.
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import hashlib
import logging
import os
import re
import stat
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from dedup.config import InputConfig
from dedup.errors import DecodeError, InputError
from dedup.io.decode import decode_bytes, utf8_error

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".jsonl", ".jsonl.gz", ".parquet")


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


def kind_of(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(".jsonl.gz"):
        return "jsonl"
    for suffix, kind in ((".txt", "txt"), (".jsonl", "jsonl"), (".parquet", "parquet")):
        if name.endswith(suffix):
            return kind
    return None


def _walk(root: Path) -> Iterator[Path]:
    # os.walk without followlinks: symlinked folders (and so symlink loops) are not entered.
    for folder, dirs, files in os.walk(root, onerror=_walk_error):
        dirs.sort()
        for name in sorted(files):
            yield Path(folder) / name


def _walk_error(exc: OSError) -> None:
    raise InputError(f"cannot read folder: {exc.strerror}", path=exc.filename)


def printable(name: str) -> str:
    r"""``name`` as valid UTF-8 text: a file name that is not UTF-8 (decoded by Python with
    surrogate escapes) keeps its bytes as ``\xNN`` escapes, so it can be printed and
    written to JSON; a UTF-8 name is returned unchanged."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")
    return name


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


def safe_text_path(doc_id: str) -> str:
    """A file name for ``doc_id`` that cannot escape ``DIR/text/`` nor collide."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", doc_id).strip("._")[:80] or "doc"
    digest = hashlib.sha1(doc_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{stem}-{digest}.txt"


@contextlib.contextmanager
def _reading(path: Path, shown: str | None = None) -> Iterator[None]:
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


def _regular_file_size(path: Path, shown: str | None = None) -> int:
    """The size of ``path``, which must be a regular file: a FIFO or device named *.txt
    would block or never end. Its name must be UTF-8: ids, sources and the manifest hold
    it, and neither JSON nor the index can hold other bytes."""
    if printable(str(path)) != str(path):
        raise InputError(
            "file name is not valid UTF-8 (its bytes shown as \\xNN); rename the file",
            path=printable(shown or str(path)),
            code="UNREADABLE",
        )
    with _reading(path, shown):
        st = path.stat()
    if not stat.S_ISREG(st.st_mode):
        what = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise InputError(
            f"{what}; expected a text file", path=shown or str(path), code="UNREADABLE"
        )
    return st.st_size


def read_file(path: Path, limit: int, *, shown: str | None = None) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, or an :class:`InputError`
    (MISSING, UNREADABLE, TOO_LARGE) naming ``shown`` or the path."""
    size = _regular_file_size(path, shown)
    if size > limit:
        raise InputError(
            f"file is {size} bytes, over the {limit}-byte limit (--max-doc-bytes)",
            path=shown or str(path),
            code="TOO_LARGE",
        )
    with _reading(path, shown):
        return path.read_bytes()


def _hash_file(f: InputFile, data: bytes) -> None:
    f.size = len(data)
    f.sha256 = hashlib.sha256(data).hexdigest()


def _read_txt(f: InputFile, cfg: InputConfig) -> Iterator[RawDocument]:
    data = read_file(f.path, cfg.max_doc_bytes)
    _hash_file(f, data)
    text = decode_bytes(data, str(f.path), errors=cfg.encoding_errors)
    yield RawDocument(doc_id=f.rel, source=str(f.path), text=text, text_path=f.rel)


def _record_field(rec: dict[str, Any], name: str, path: Path, line: int) -> str | None:
    value = rec.get(name)
    if value is None:
        return None
    if name == "id" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        got = type(value).__name__
        if isinstance(value, float) and abs(value) >= 2**63:
            # orjson reads an integer over 64 bits as a float: "got float" would mislead.
            got = "a number too large for a 64-bit integer; write it as a JSON string"
        raise InputError(
            f"field '{name}' must be a string, got {got}",
            path=path,
            line=line,
            code="FIELD",
        )
    if name == "id" and not value.strip():
        return None  # a blank id is a missing one
    return value


_CHUNK = 1 << 20


def _digest_file(f: InputFile) -> None:
    """Size and sha256 in 1 MiB chunks (a JSONL or Parquet input may be larger than RAM)."""
    _regular_file_size(f.path)
    digest = hashlib.sha256()
    size = 0
    with _reading(f.path), f.path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    f.size, f.sha256 = size, digest.hexdigest()


def _jsonl_lines(f: InputFile, cfg: InputConfig) -> Iterator[tuple[int, bytes | None]]:
    """Non-blank lines, streamed (gzip too); ``None`` for a line over the size cap.

    A record's JSON may be up to twice its text (escapes) plus its other fields, so the cap
    is generous; past it the rest of the line is skipped without being held in memory.
    """
    _digest_file(f)
    cap = 2 * cfg.max_doc_bytes + 65536
    opener: Any = gzip.open if f.path.name.lower().endswith(".gz") else open
    try:
        with opener(f.path, "rb") as fh:
            number = 0
            while line := fh.readline(cap + 1):
                number += 1
                if number == 1:
                    line = _strip_utf8_bom(line, f.path)
                if len(line) > cap and not line.endswith(b"\n"):
                    while (rest := fh.readline(_CHUNK)) and not rest.endswith(b"\n"):
                        pass
                    yield number, None
                elif line.strip():
                    yield number, line
    except (OSError, EOFError, zlib.error) as exc:
        if isinstance(exc, OSError) and not isinstance(exc, gzip.BadGzipFile) and exc.errno:
            raise InputError(f"cannot read: {exc.strerror}", path=f.path) from None
        raise InputError(f"not a valid gzip file: {exc}", path=f.path) from None


def _strip_utf8_bom(first: bytes, path: Path) -> bytes:
    """The first line of a JSONL file without its UTF-8 BOM; a UTF-16 file is refused as a
    whole (one error, not one per line)."""
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise DecodeError(
            "JSONL must be UTF-8, this file starts with a UTF-16 byte order mark; convert it "
            "with `iconv -f utf-16 -t utf-8`",
            path=path,
        )
    return first.removeprefix(codecs.BOM_UTF8)


def _parse_line(line: bytes, path: Path, number: int, errors: str) -> Any:
    """One JSONL line as JSON; bytes that are not UTF-8 are a :class:`DecodeError` (or
    U+FFFD under ``errors="replace"``), like in a ``.txt`` file."""
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        error = exc
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as bad:
        if errors != "replace":
            raise utf8_error(line, bad, str(path), number) from None
        try:
            return orjson.loads(line.decode("utf-8", "replace"))
        except orjson.JSONDecodeError as exc:
            error = exc
    raise InputError(f"invalid JSON: {error}", path=path, line=number, code="JSON") from None


def _read_jsonl(f: InputFile, cfg: InputConfig) -> Iterator[RawDocument]:
    for number, line in _jsonl_lines(f, cfg):
        where = f"{f.path}:{number}"
        try:
            if line is None:
                raise InputError(
                    f"record is over the {cfg.max_doc_bytes}-byte limit (--max-doc-bytes)",
                    path=f.path,
                    line=number,
                    code="TOO_LARGE",
                )
            rec = _parse_line(line, f.path, number, cfg.encoding_errors)
            if not isinstance(rec, dict):
                raise InputError("expected a JSON object", path=f.path, line=number, code="JSON")
            doc_id = _record_field(rec, "id", f.path, number)
            text = _record_field(rec, "text", f.path, number)
            if not doc_id:
                raise InputError("missing 'id'", path=f.path, line=number, code="FIELD")
            if text is None:
                raise InputError("missing 'text'", path=f.path, line=number, code="FIELD")
            url = _record_field(rec, "url", f.path, number)
            if len(text) > cfg.max_doc_bytes:  # chars <= bytes: cheap check first
                size = len(text.encode("utf-8", "surrogatepass"))
                if size > cfg.max_doc_bytes:
                    raise InputError(
                        f"text is {size} bytes, over the {cfg.max_doc_bytes}-byte limit "
                        "(--max-doc-bytes)",
                        path=f.path,
                        line=number,
                        code="TOO_LARGE",
                    )
        except InputError as exc:
            if cfg.on_error == "fail":
                raise
            yield RawDocument(doc_id=f"{f.rel}#L{number}", source=where, text="", error=exc)
            continue
        yield RawDocument(doc_id, where, text, url, safe_text_path(doc_id))


def _read_parquet(f: InputFile, cfg: InputConfig) -> Iterator[RawDocument]:
    import pyarrow.parquet as pq  # heavy import: only when Parquet is read

    _digest_file(f)
    try:
        pf = pq.ParquetFile(f.path)
    except Exception as exc:  # pyarrow raises several types for a bad file
        raise InputError(f"not a readable Parquet file: {exc}", path=f.path) from None
    names = set(pf.schema_arrow.names)
    missing = {"id", "text"} - names
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(sorted(missing))}; expected id, text[, url] "
            f"(found: {', '.join(sorted(names)) or 'none'})",
            path=f.path,
            code="COLUMNS",
        )
    columns = ["id", "text"] + (["url"] if "url" in names else [])
    row = 0
    for records in _parquet_batches(pf, columns, f.path):
        for rec in records:
            row += 1
            try:
                doc_id = _record_field(rec, "id", f.path, row)
                text = _record_field(rec, "text", f.path, row)
                if not doc_id or text is None:
                    raise InputError("null id or text", path=f.path, line=row, code="FIELD")
                url = _record_field(rec, "url", f.path, row)
            except InputError as exc:
                if cfg.on_error == "fail":
                    raise
                yield RawDocument(f"{f.rel}#row{row}", f"{f.path}#row{row}", "", error=exc)
                continue
            yield RawDocument(doc_id, f"{f.path}#row{row}", text, url, safe_text_path(doc_id))


def _parquet_batches(pf: Any, columns: list[str], path: Path) -> Iterator[list[dict[str, Any]]]:
    """The rows of ``pf`` in batches; a corrupt data page (bad compression, bad encoding)
    is an :class:`InputError` naming the file, like a bad footer."""
    batches = pf.iter_batches(columns=columns, batch_size=4096)
    rows = 0
    while True:
        try:
            batch = next(batches, None)
            if batch is None:
                return
            records: list[dict[str, Any]] = batch.to_pylist()
        except Exception as exc:  # pyarrow raises OSError, ArrowInvalid, ... for bad pages
            raise InputError(
                f"not a readable Parquet file: corrupt data after row {rows}: {exc}", path=path
            ) from None
        rows += len(records)
        yield records


_READERS = {"txt": _read_txt, "jsonl": _read_jsonl, "parquet": _read_parquet}


def read_documents(files: Sequence[InputFile], cfg: InputConfig) -> Iterator[RawDocument]:
    """Yield documents in input order. Duplicate ids are an error (or rejected under skip)."""
    seen: set[str] = set()
    for f in files:
        try:
            docs = _READERS[f.kind](f, cfg)
            for doc in docs:
                f.documents += 1
                if doc.doc_id in seen:
                    exc = InputError(
                        f"duplicate document id {doc.doc_id!r}", path=doc.source, code="DUP_ID"
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
