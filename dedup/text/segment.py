"""Split a decoded document into paragraphs: one per non-blank line.

Both layouts found in scraped text (one paragraph per line; paragraphs separated by
blank lines) segment the same way because blank lines are simply skipped. Line numbers
are 1-based positions in the raw input after CRLF / CR are treated as line breaks.
"""

from __future__ import annotations

import re

from dedup.model import Paragraph
from dedup.text.normalize import normalize
from dedup.text.tidy import apply_output_form

# \r\n, \r and \n are line breaks; other Unicode separators (U+2028, \x0b, \x0c, \x1c-\x1e,
# \x85) are kept inside the line so line numbers agree with editors and `wc -l`.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """Raw lines without their endings; a final line ending does not add an empty line."""
    # str.split is several times faster than the regex; most text has no CR at all.
    lines = text.split("\n") if "\r" not in text else _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def is_blank(line: str) -> bool:
    return not line.strip()


def segment(text: str) -> list[Paragraph]:
    """Paragraphs of ``text``: every non-blank line with its 1-based line number."""
    paragraphs: list[Paragraph] = []
    for number, raw in enumerate(split_lines(text), start=1):
        stripped = raw.strip()
        if not stripped:  # blank lines only separate paragraphs
            continue
        if stripped.isascii() and stripped.isprintable() and "  " not in stripped:
            # The common case, already in both forms: printable ASCII has no whitespace
            # but the space, and there are no runs of it to fold.
            paragraphs.append(Paragraph(number, raw, stripped, stripped))
            continue
        p = Paragraph(number, raw, stripped, normalize(stripped))
        # The rules must see the text as the output will show it (no-break spaces and
        # control characters tidied), or a second clean of the output would differ.
        apply_output_form(p)
        paragraphs.append(p)
    return paragraphs
