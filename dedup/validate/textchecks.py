"""Value-level predicates shared by the pandera checks and the finding messages.

Each ``find_*`` returns ``None`` when the value is fine, else a short description of the
first problem (with its line inside the field), so a finding says *where*, not just *that*.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from dedup.text.normalize import unspaced_words

NBSP_CHARS = "\u00a0\u202f\u2007"
_NBSP = re.compile(f"[{NBSP_CHARS}]")
# C0/C1 controls except \t and \n (tabs survive stripping inside a line) and \r (own check).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_TRAILING = re.compile(r"[^\S\n\r]+(?=\r?\n|\r|$)")
_BLANK_RUN = re.compile(r"\n[^\S\n]*\n[^\S\n]*\n")
_PARA_SPLIT = re.compile(r"\n[^\S\n]*\n")


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    start = max(0, pos - 20)
    snippet = text[start : pos + 20].replace("\n", "\\n")
    return f"line {line} of the field, near {snippet!r}"


def _search(
    pattern: re.Pattern[str], what: str, non_ascii_only: bool = False
) -> Callable[[Any], str | None]:
    """``non_ascii_only``: the pattern matches no ASCII character, so ASCII text (most
    news text; ``str.isascii`` reads a flag) needs no search."""

    def find(value: Any) -> str | None:
        if not isinstance(value, str) or (non_ascii_only and value.isascii()):
            return None
        m = pattern.search(value)
        if m is None:
            return None
        return f"{what} {m.group()!r} at {_where(value, m.start())}"

    return find


find_nbsp = _search(_NBSP, "no-break space", non_ascii_only=True)
find_control = _search(_CONTROL, "control character")
_find_cr = _search(re.compile("\r"), "carriage return")


def find_cr(value: Any) -> str | None:
    return _find_cr(value) if isinstance(value, str) and "\r" in value else None


_find_trailing = _search(_TRAILING, "trailing whitespace")
# _TRAILING tries every space between words; this starts only at line breaks (~5x faster).
# It and a whitespace last character cover every place _TRAILING can match.
_TRAILING_GATE = re.compile(r"[\r\n](?<=[^\S\n\r][\r\n])")


def find_trailing(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    if not value[-1:].isspace() and _TRAILING_GATE.search(value) is None:
        return None
    return _find_trailing(value)


def find_blank_run(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    m = _BLANK_RUN.search(value)
    if m is not None:
        return f"more than one blank line between paragraphs at {_where(value, m.start() + 1)}"
    if value != value.strip("\n"):
        return "blank line at the start or end of the text"
    return None


def is_nonblank_str(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def is_null(value: Any) -> bool:
    """None or NaN (pandas turns missing values of float columns into NaN)."""
    return value is None or (isinstance(value, float) and value != value)


def body_paragraphs(text: Any) -> list[str]:
    if not isinstance(text, str):
        return []
    return [p for p in _PARA_SPLIT.split(text) if p.strip()]


def word_count(text: Any) -> int:
    """Space-separated words, plus one per two Chinese or Japanese characters (they are
    written without spaces: a Chinese article is not "ten words" long)."""
    if not isinstance(text, str):
        return 0
    return len(text.split()) + unspaced_words(text)


def has_min_words(text: Any, n: int) -> bool:
    """``word_count(text) >= n`` without splitting the whole text: ``split(None, k)`` stops
    after ``k + 1`` words (this check was a tenth of validation at 100 MB)."""
    if n <= 0:
        return True
    if not isinstance(text, str):
        return False
    return len(text.split(None, n - 1)) >= n or word_count(text) >= n
