"""Bytes to text: UTF-8 (with or without BOM), UTF-16 with a BOM; everything else is an error.

We do not guess legacy encodings (Latin-1, cp1252): a wrong guess silently corrupts text,
which is worse than a clear error. ``errors="replace"`` is the documented opt-in escape.
"""

from __future__ import annotations

import codecs

from dedup.errors import DecodeError, InputError


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode_bytes(
    data: bytes, path: str, *, errors: str = "strict", replace_hint: bool = True
) -> str:
    """Decode ``data`` read from ``path``; raise :class:`DecodeError` naming file and line.
    ``replace_hint``: whether the error may suggest ``--encoding-errors replace`` (only
    commands that have the option: ``dedup check`` and the index read UTF-8 alone)."""
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DecodeError(
                f"invalid UTF-16 at byte {exc.start}; re-save the file as UTF-8", path=path
            ) from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    nul = data.find(b"\x00")
    if nul != -1:
        order = _utf16_without_bom(data)
        if order is not None:
            raise InputError(
                f"looks like UTF-16 without a byte order mark (NUL byte at offset {nul}); "
                f"convert it with `iconv -f utf-16{order} -t utf-8`",
                path=path,
                code="BINARY",
            )
        raise InputError(
            f"binary data (NUL byte at offset {nul}); not a text file",
            path=path,
            line=_line_of(data, nul),
            code="BINARY",
        )
    try:
        return data.decode("utf-8", errors=errors)
    except UnicodeDecodeError as exc:
        raise utf8_error(data, exc, path, _line_of(data, exc.start), replace_hint) from None


def _utf16_without_bom(data: bytes) -> str | None:
    """ "le" or "be" when the first bytes read as UTF-16 text of mostly Latin script (every
    other byte NUL, the others not), else None."""
    head = data[:512]
    even, odd = head[0::2], head[1::2]
    if len(odd) < 8:
        return None
    if odd.count(0) >= 0.8 * len(odd) and even.count(0) <= 0.05 * len(even):
        return "le"
    if even.count(0) >= 0.8 * len(even) and odd.count(0) <= 0.05 * len(odd):
        return "be"
    return None


def utf8_error(
    data: bytes, exc: UnicodeDecodeError, path: str, line: int, replace_hint: bool = True
) -> DecodeError:
    """The error for ``data`` (a file, or one JSONL line) that ``exc`` found not UTF-8."""
    bad = data[exc.start : exc.start + 4].hex(" ")
    also = " or pass --encoding-errors replace" if replace_hint else ""
    return DecodeError(
        f"not valid UTF-8 (bytes {bad} at offset {exc.start}); convert it with "
        f"`iconv -f cp1252 -t utf-8`{also}",
        path=path,
        line=line,
    )
