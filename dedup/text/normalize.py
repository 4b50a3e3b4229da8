"""The matching form of a line.

Used for matching only (rules, near-duplicates); the output keeps the raw text. NFKC
folds compatibility characters (full-width letters, ligatures, and U+00A0 to a space);
typographic quotes and dashes are unified so "Hanoi’s" matches "Hanoi's"; every run of
whitespace (including zero-width and no-break spaces) becomes one space.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

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


# A run of more than 30 combining marks on one character (no script writes one: Unicode's
# stream-safe form caps it at 30) is cut to 30 before NFKC, whose canonical reordering of
# such a run is quadratic in CPython (400,000 marks: 119 s). Only the matching form.
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f"
    "\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
)
_MARK_RUN: Final = re.compile(f"([{_MARKS}]{{30}})[{_MARKS}]+")


def normalize(text: str) -> str:
    """Return the matching form of ``text`` (NFKC, unified punctuation, folded spaces)."""
    # str.split() splits on exactly the characters ``\s`` matches and is 3x faster.
    if text.isascii():
        # Fast path: most news text is ASCII; NFKC and the table are no-ops there.
        return " ".join(text.split())
    if _MARK_RUN.search(text):
        text = _MARK_RUN.sub(r"\1", text)
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    return " ".join(text.split())


def word_count(norm: str) -> int:
    """Words of a normalised line (:func:`normalize` joins them with single spaces, so
    counting the spaces is exact and far cheaper than splitting)."""
    return norm.count(" ") + 1 if norm else 0


# Sentence ends of other scripts that NFKC leaves as they are: the ideographic full stop
# "。", the Devanagari danda "।" / "॥" (Hindi, Marathi, Nepali), the Arabic question mark
# "؟" and the Urdu full stop "۔". (NFKC folds "！？…" to ASCII; quotes are already straight.)
SCRIPT_SENTENCE_ENDS: Final = "。।॥؟۔"
# How a sentence ends in the normalised form.
_SENTENCE_END = frozenset(".!?\"'" + SCRIPT_SENTENCE_ENDS)


# Chinese and Japanese write no spaces between words: two of these characters count as a
# word (roughly what an English word carries).
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def unspaced_words(text: str) -> int:
    """Words a text's Chinese and Japanese characters carry (two characters a word), on top
    of its space-separated ones."""
    return 0 if text.isascii() else len(_UNSPACED.findall(text)) // 2


def has_words(norm: str, min_words: int) -> bool:
    """Whether a normalised line says as much as ``min_words`` words: counted by its words,
    Chinese and Japanese characters two a word, and where that falls short, seven
    characters a word: Finnish or Hungarian says in nine long words what English says in
    twelve, German in four what English says in six (English averages under six
    characters a word, so its lines are counted by their words)."""
    words = word_count(norm)
    if words < min_words:
        words += unspaced_words(norm)
    if words < min_words:
        words = max(words, len(norm) // 7)
    return words >= min_words


# A transcript's stage direction: a short note in brackets on a line of its own.
_STAGE_DIRECTION: Final = re.compile(r"[(\[][^()\[\]]{1,40}[)\]]")


def is_stage_direction(norm: str) -> bool:
    """ "(LAUGHTER)", "[APPLAUSE]": it recurs in a transcript, each time the text where it
    stands, so no repeat of itself (the engine's repeat stage and validation agree)."""
    return _STAGE_DIRECTION.fullmatch(norm) is not None


def reads_as_prose(norm: str, min_words: int) -> bool:
    """Whether a normalised line reads as a paragraph of prose: ``min_words`` words or
    more (:func:`has_words`) and a sentence ending. Menus, headlines, captions and buttons
    have neither."""
    return norm[-1:] in _SENTENCE_END and has_words(norm, min_words)


OUTPUT_FORM_RULE = "output-form"
# Whitespace other than the plain space (no-break, thin, ideographic, tabs ...) and
# invisible format characters; control characters are dropped.
_ODD_SPACE = re.compile(r"[^\S ]|[\u200b\u2060\ufeff]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u200c\u200d]")
_SPACE_RUN = re.compile(r" {2,}")


def output_form(text: str) -> str:
    """What the cleaned corpus shows for a kept line: its text with no-break and other odd
    spaces turned into plain single spaces and control characters dropped. Letters, quotes
    and dashes are left as written (unlike :func:`normalize`, which is for matching)."""
    # isprintable() is False for every separator but the ASCII space and for control and
    # format characters, so it alone says whether there is anything to tidy.
    if text.isprintable() and "  " not in text:
        return text.strip()
    text = _CONTROL.sub("", _ODD_SPACE.sub(" ", text))
    return _SPACE_RUN.sub(" ", text).strip()
