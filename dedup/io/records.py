"""Documents from record files: JSONL (gzip too) and Parquet, streamed, one record per
document. A bad record is a document error at ``FILE:LINE`` (or ``FILE:ROW``); a bad
container (broken gzip, not Parquet, UTF-16 JSONL) is an error of the whole file."""

from __future__ import annotations

import codecs
import gzip
import hashlib
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from dedup.config import InputConfig
from dedup.errors import DecodeError, InputError
from dedup.io.decode import utf8_error
from dedup.io.files import (
    LIMIT_HINT,
    InputFile,
    RawDocument,
    reading,
    regular_file_size,
    safe_text_path,
)


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
    regular_file_size(f.path)
    digest = hashlib.sha256()
    size = 0
    with reading(f.path), f.path.open("rb") as fh:
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


def read_jsonl(f: InputFile, cfg: InputConfig) -> Iterator[RawDocument]:
    for number, line in _jsonl_lines(f, cfg):
        where = f"{f.path}:{number}"
        try:
            if line is None:
                raise InputError(
                    f"record is over the {cfg.max_doc_bytes}-byte limit ({LIMIT_HINT})",
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
                        f"({LIMIT_HINT})",
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


def read_parquet(f: InputFile, cfg: InputConfig) -> Iterator[RawDocument]:
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
