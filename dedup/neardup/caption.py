"""Caption echoes: the test for one caption candidate against one later paragraph.

A photo caption in scraped news often names the person the following text introduces:
``Minister of the Government of Moscow, Sergey Cheremin`` followed by ``Sergey Cheremin,
Minister of the Moscow Government, said ...``. Real subheadings look alike, so every part
of the test was checked against the article-extraction-benchmark ground truth (whose
subheadings must survive) and the BBC corpus (docs/neardup.md):

* the candidate does not end like a sentence and has ``caption_min_words`` or more words
  (shorter lines are mostly subheadings and product names: "Wi-Fi 6");
  at least half of its cased words are capitalised (names and titles);
* a paragraph within the next ``caption_window`` kept paragraphs ends like a sentence
  (:func:`ends_sentence`; body text, not another label: product listings repeat their
  headings, a theatre page its show titles in quotes), is longer, and
  contains
  ``caption_similarity`` of the candidate's distinct words (token matching, so the
  reordered "Government of Moscow" / "Moscow Government" still matches) inside a run of at
  most ``caption_max_span`` more words than the candidate has (the echo names the same
  thing in one place, not words scattered through a sentence).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Final

from dedup.text.normalize import SCRIPT_SENTENCE_ENDS

# A caption is a label, not a sentence: it does not end like one (other scripts' sentence
# ends count, as in dedup.text.normalize.reads_as_prose).
TERMINAL: Final = tuple(".!?:;…\"'" + SCRIPT_SENTENCE_ENDS)
_STOPS: Final = frozenset(".!?:;" + SCRIPT_SENTENCE_ENDS)
_QUOTES: Final = frozenset("\"'")


def ends_sentence(norm: str) -> bool:
    """Whether a normalised line ends like a sentence: a stop, or a closing quote right
    after one (or after a comma). A quoted title at the end of a label line ("... the
    '2018 Welcome Daehak-ro Festival'") does not."""
    end = norm[-1:]
    if end in _QUOTES:
        return norm[-2:-1] in _STOPS or norm[-2:-1] == ","
    return end in _STOPS


_WORD = re.compile(r"[^\W\d_][\w'-]*")


def capitalised_share(text: str) -> float:
    """Share of the cased words that start with a capital letter (0 when none is cased)."""
    firsts = [w[0] for w in _WORD.findall(text) if w[0].isupper() or w[0].islower()]
    if not firsts:
        return 0.0
    return sum(1 for c in firsts if c.isupper()) / len(firsts)


def shortest_span(needles: set[bytes], hay: list[bytes]) -> int:
    """Length of the shortest run of ``hay`` containing every token of ``needles``."""
    if not needles:
        return 0
    counts: Counter[bytes] = Counter()
    have = 0
    left = 0
    best = len(hay) + 1
    for right, tok in enumerate(hay):
        if tok in needles:
            counts[tok] += 1
            if counts[tok] == 1:
                have += 1
        while have == len(needles):
            best = min(best, right - left + 1)
            out = hay[left]
            if out in needles:
                counts[out] -= 1
                if counts[out] == 0:
                    have -= 1
            left += 1
    return best


def echo_score(
    caption: list[bytes], paragraph: list[bytes], min_share: float, max_extra: int
) -> float | None:
    """Share of the caption's distinct words found compactly in ``paragraph``, or None."""
    words = set(caption)
    if not words or len(paragraph) <= len(caption):
        return None
    found = words.intersection(paragraph)
    share = len(found) / len(words)
    if share < min_share:
        return None
    if shortest_span(found, paragraph) > len(caption) + max_extra:
        return None
    return share
