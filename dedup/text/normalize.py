"""The matching form of a line.

Used for matching only (rules, near-duplicates); the output keeps the raw text. NFKC
folds compatibility characters (full-width letters, ligatures, and U+00A0 to a space);
typographic quotes and dashes are unified so "Hanoi’s" matches "Hanoi's"; every run of
whitespace (including zero-width and no-break spaces) becomes one space.
"""

from __future__ import annotations

import re
import unicodedata

NORMALIZATION_VERSION = "nfkc-quotes-dashes-ws/1"

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u200b": " ",
        "\u200c": "",
        "\u200d": "",
        "\u2060": "",
        "\ufeff": "",
    }
)
_WS = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Return the matching form of ``text`` (NFKC, unified punctuation, folded spaces)."""
    if text.isascii():
        # Fast path: most news text is ASCII; NFKC and the table are no-ops there.
        return _WS.sub(" ", text).strip()
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    return _WS.sub(" ", text).strip()
