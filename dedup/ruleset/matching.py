"""Matching lines: a rule's line matcher, and which patterns a document contains.

:class:`LineMatcher` is the exact / regex / fuzzy test of ``drop`` and ``cut_after`` rules;
:class:`Presence` holds, for one document, the rule set's :class:`PatternBank` answer for
every text, so rules skip documents and lines that cannot match (the rules stage's hot
path, measured in docs/neardup.md "Performance").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz, process

from dedup.model import Paragraph
from dedup.ruleset.models import _Matcher, exact_form
from dedup.ruleset.patterns import Pattern, PatternBank


def subject(p: Paragraph, match_on: str) -> str:
    """What a rule matches: the normalised form (default) or the raw line."""
    return p.raw if match_on == "raw" else p.norm


def regex_pattern(source: str, ignore_case: bool) -> Pattern:
    return Pattern(f"(?i){source}" if ignore_case else source)


class LineMatcher:
    """exact / regex / fuzzy match of one line, with optional length bounds."""

    def __init__(self, model: _Matcher) -> None:
        self.match_on = model.match_on
        self.ignore_case = model.ignore_case
        on, fold = model.match_on, model.ignore_case
        self.exact = frozenset(exact_form(e, on, fold) for e in model.exact)
        self.fuzzy = [exact_form(f, on, fold) for f in model.fuzzy]
        self.score_cutoff = model.score_cutoff
        self.regex = [regex_pattern(r, model.ignore_case) for r in model.regex]
        self.min_chars = model.min_chars
        self.max_chars = model.max_chars

    def matches(self, p: Paragraph) -> bool:
        return self.matches_text(subject(p, self.match_on))

    def matches_text(self, text: str) -> bool:
        """Whether a line whose subject is ``text`` matches."""
        if self.min_chars is not None and len(text) < self.min_chars:
            return False
        if self.max_chars is not None and len(text) > self.max_chars:
            return False
        folded = text.casefold() if self.ignore_case else text
        if folded in self.exact:
            return True
        if any(r.search(text) for r in self.regex):
            return True
        if self.fuzzy:
            best = process.extractOne(
                folded, self.fuzzy, scorer=fuzz.ratio, score_cutoff=self.score_cutoff
            )
            return best is not None
        return False


def line_forms(paragraphs: Iterable[Paragraph]) -> set[str]:
    """Every text of these lines that :class:`Presence` asks the bank about (each line's
    normalised, raw and output forms)."""
    return {t for p in paragraphs for t in (p.norm, p.raw, p.text)}


class Presence:
    """Which patterns occur anywhere in one document (from the rule set's PatternBank).

    Most rules fire on few documents; knowing up front that none of a rule's patterns (or
    exact lines) occurs lets the rule skip the per-line loop entirely.
    """

    __slots__ = ("_folded", "bank", "by_pattern", "texts", "unknown")

    def __init__(self, bank: PatternBank, paragraphs: Sequence[Paragraph]) -> None:
        self.bank = bank
        # Pattern index -> the texts it occurs in: rules then test only those lines.
        self.by_pattern: dict[int, set[str]] = {}
        self.texts: set[str] = set()
        self.unknown = False
        self._folded: dict[str, list[str]] | None = None
        for p in paragraphs:
            self.add(p)

    def add(self, p: Paragraph) -> None:
        texts = self.texts
        for text in (p.norm, p.raw, p.text):  # the forms of line_forms
            if text in texts:
                continue
            texts.add(text)
            hits = self.bank.matches(text)
            if hits is None:
                self.unknown = True  # too long for the bank: rules check line by line
                continue
            for index in hits:
                self.by_pattern.setdefault(index, set()).add(text)
        self._folded = None

    def has(self, pattern: Pattern) -> bool:
        return pattern.bank_index in self.by_pattern

    def texts_with(self, pattern: Pattern) -> set[str]:
        return self.by_pattern.get(pattern.bank_index, set())

    def candidates(self, matcher: LineMatcher) -> set[str] | None:
        """The texts ``matcher`` can match (a superset), or None when it cannot tell
        (fuzzy matching, or a text too long for the bank)."""
        if self.unknown or matcher.fuzzy:
            return None
        found: set[str] = set()
        for r in matcher.regex:
            found.update(self.texts_with(r))
        if matcher.exact:
            if matcher.ignore_case:
                folded = self._by_folded()
                for key in folded.keys() & matcher.exact:
                    found.update(folded[key])
            else:
                found.update(matcher.exact & self.texts)
        return found

    def has_exact(self, matcher: LineMatcher) -> bool:
        if not matcher.exact:
            return False
        if matcher.ignore_case:
            return not self._by_folded().keys().isdisjoint(matcher.exact)
        return not matcher.exact.isdisjoint(self.texts)

    def _by_folded(self) -> dict[str, list[str]]:
        """Case-folded text -> the texts that fold to it, built once per document (each
        case-insensitive exact rule otherwise folded every text again)."""
        if self._folded is None:
            folded: dict[str, list[str]] = {}
            for text in self.texts:
                folded.setdefault(text.casefold(), []).append(text)
            self._folded = folded
        return self._folded
