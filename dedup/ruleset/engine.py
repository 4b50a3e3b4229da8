"""The rule kinds, compiled from their models and applied to a document's paragraphs.

Rules never delete: they mark paragraphs removed (reason ``rule``, detail ``pack/id``) or
record an in-line :class:`~dedup.model.Edit`. Rules look at the paragraphs still kept:
scopes count them and runs are made of them, exactly as a rerun over the cleaned text sees
the document, which is what makes cleaning idempotent (see ``RuleSet.settle``).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Sequence, Set
from urllib.parse import urlsplit

from dedup.model import REASON_EMPTY, REASON_RULE, Document, Edit, Paragraph
from dedup.ruleset.matching import LineMatcher, Presence, regex_pattern, subject
from dedup.ruleset.models import (
    AppliesTo,
    CutAfterRule,
    DropRule,
    DropRunRule,
    Rule,
    StripRule,
    TitleEchoRule,
    Where,
    _Matcher,
)
from dedup.ruleset.patterns import Pattern
from dedup.text.normalize import normalize, reads_as_prose, word_count
from dedup.text.tidy import apply_output_form

# Where the running text ends, per document pass: (min_words, kept lines) -> index. Within
# one pass lines are only ever removed, so the same number of kept lines is the same lines.
RunningTextMemo = dict[tuple[int, int], int]


def scope(
    where: Where | None, paragraphs: Sequence[Paragraph], memo: RunningTextMemo | None = None
) -> range:
    """Indices of the paragraphs a rule may look at (``paragraphs``: the kept ones)."""
    count = len(paragraphs)
    if where is None:
        return range(count)
    if where.head is not None:
        return range(min(where.head, count))
    if where.tail is not None:
        return range(max(0, count - where.tail), count)
    if where.after_prose is not None:
        key = (where.after_prose, count)
        if memo is not None and key in memo:
            last = memo[key]
        else:
            last = _last_running_text(paragraphs, where.after_prose)
            if memo is not None:
                memo[key] = last
        # No running text: the article's end is unknown (a short brief is all short
        # lines); nothing is in scope rather than everything.
        return range(last + 1, count) if last >= 0 else range(0)
    assert where.skip_head is not None
    return range(min(where.skip_head, count), count)


def _running_text(paragraphs: Sequence[Paragraph], min_words: int) -> Callable[[int], bool]:
    """Whether line ``i`` is part of the article's running text: it reads as prose and has
    another such line at most three lines away, one of the two next to a third. An
    article's paragraphs come in runs, interrupted by a subheading, a caption or an inline
    box of two lines ("Related" + a headline) at most. A teaser's one-sentence summary
    stands alone between headlines, and so does every summary of a teaser list: prose two
    lines apart, but never two prose lines in a row."""
    count = len(paragraphs)
    prose: dict[int, bool] = {}

    def is_prose(i: int) -> bool:
        if i not in prose:
            prose[i] = 0 <= i < count and reads_as_prose(paragraphs[i].norm, min_words)
        return prose[i]

    def in_run(i: int) -> bool:
        return is_prose(i - 1) or is_prose(i + 1)

    def running(i: int) -> bool:
        return is_prose(i) and any(
            is_prose(i + d) and (in_run(i) or in_run(i + d)) for d in (-3, -2, -1, 1, 2, 3)
        )

    return running


def _last_running_text(paragraphs: Sequence[Paragraph], min_words: int) -> int:
    """Index of the last line of the article's running text, or -1."""
    running = _running_text(paragraphs, min_words)
    for i in range(len(paragraphs) - 1, -1, -1):
        if running(i):
            return i
    return -1


# A page title is "Headline - Site" or "Section | Headline - Site": one of its parts is
# the headline the page prints again above the article.
_TITLE_PARTS = re.compile(r"\s+[-|–—]\s+")


def title_echo_span(paragraphs: Sequence[Paragraph], rule: TitleEchoRule) -> range | None:
    """The lines strictly between the first line (the page title) and its repeat, or None.

    A repeat is a later line equal (case-folded) to the whole first line or to one of its
    parts. The first repeat with running text starting at most ``rule.body_within`` lines
    below it counts (the headline stands over the article; a brief whose own title the
    page's footer lists is left alone), and none once running text has begun above it (a
    title listed again under the article is no header's end)."""
    if len(paragraphs) < 3:
        return None
    first = paragraphs[0].norm
    titles = [
        t
        for t in (first, *_TITLE_PARTS.split(first))
        if len(t) >= rule.min_chars and word_count(t) >= rule.min_words
    ]
    if not titles:
        return None
    # Most pages have no repeat: compare lengths before case-folding (runs on every page).
    lengths = {len(t) for t in titles}
    wanted = {t.casefold() for t in titles}
    running = _running_text(paragraphs, rule.prose_words)
    for repeat in range(2, len(paragraphs)):
        norm = paragraphs[repeat].norm
        if len(norm) not in lengths or norm.casefold() not in wanted:
            continue
        if any(running(k) for k in range(1, repeat)):
            return None  # the article began before this repeat
        below = range(repeat + 1, min(len(paragraphs), repeat + 1 + rule.body_within))
        if any(running(k) for k in below):
            # One line between is more likely a lead under the title, the headline printed
            # again as the photo's caption, than a header.
            return range(1, repeat) if repeat > 2 else None
    return None


_LineTest = Callable[[Paragraph], bool]


def _always(p: Paragraph) -> bool:
    return True


class CompiledRule:
    """One rule ready to run; ``full_id`` is ``pack/id``."""

    def __init__(self, pack: str, model: Rule, lines: dict[tuple[str | int, ...], int]) -> None:
        self.model = model
        self.full_id = f"{pack}/{model.id}"
        self.kind: str = model.kind
        # YAML lines: () -> the rule, (section, j) -> its j-th example.
        self.lines = lines
        self._matcher = LineMatcher(model) if isinstance(model, _Matcher) else None
        self._strip = regex_pattern(model.regex, False) if isinstance(model, StripRule) else None
        self._bank_ids: frozenset[int] | None = None
        self.match_on: str = getattr(model, "match_on", "norm")
        self._run_line = self._run_start = None
        if isinstance(model, DropRunRule):
            self._run_line = None if model.line is None else Pattern(model.line)
            self._run_start = None if model.start is None else Pattern(model.start)
        # The pattern a run rule tests each line with (its run line, else its block start).
        self._run_pattern = self._run_line or self._run_start
        # Tested only on the few lines after a marker, so not part of the pattern bank.
        confirm = model.confirm if isinstance(model, CutAfterRule) else None
        self._confirm = None if confirm is None else (Pattern(confirm.regex), confirm)

    def patterns(self) -> list[Pattern]:
        """The rule's line patterns (matched in bulk by the rule set's PatternBank)."""
        found: list[Pattern] = list(self._matcher.regex) if self._matcher is not None else []
        if self._strip is not None:
            found.append(self._strip)
        found.extend(p for p in (self._run_line, self._run_start) if p is not None)
        return found

    @property
    def position_dependent(self) -> bool:
        """Whether other lines' removal can change what this rule removes (scope, runs)."""
        return (
            self.model.where is not None
            or isinstance(self.model, DropRunRule | TitleEchoRule)
            or self._confirm is not None  # what follows a marker can change
        )

    @property
    def compares_lines(self) -> bool:
        """A rule without a line pattern: it compares lines with each other (title_echo)."""
        return isinstance(self.model, TitleEchoRule)

    def may_fire(self, present: Presence) -> bool:
        """False when no line of the document can match: the rule is skipped whole."""
        if present.unknown or self.compares_lines:
            return True
        m = self._matcher
        if m is not None and m.fuzzy:
            return True
        if self._bank_ids is None:
            # Bank indices are assigned when the rule set is built, after this rule.
            self._bank_ids = frozenset(p.bank_index for p in self.patterns())
        if not present.by_pattern.keys().isdisjoint(self._bank_ids):
            return True
        return m is not None and present.has_exact(m)

    def line_test(self, p: Paragraph) -> bool:
        """Whether the rule's line condition holds for ``p`` (its marker, its run line)."""
        return self._text_test(subject(p, self.match_on))

    def _text_test(self, text: str) -> bool:
        if self._matcher is not None:
            return self._matcher.matches_text(text)
        assert self._run_pattern is not None, "strip rules have no line test"
        return self._run_pattern.search(text)

    def _texts_that_may_pass(self, present: Presence | None) -> tuple[Set[str] | None, bool]:
        """From the bank's answers in ``present``: the texts that can pass the line test
        (None when it cannot tell), and whether every one of them does (a run pattern's
        answer is exact; a matcher's candidates are a superset)."""
        if present is None or present.unknown:
            return None, False
        if self._matcher is None:
            assert self._run_pattern is not None, "strip rules have no line test"
            return present.texts_with(self._run_pattern), True
        return present.candidates(self._matcher), False

    def matching_texts(self, kept_subjects: Set[str], present: Presence | None = None) -> list[str]:
        """Which of ``kept_subjects`` (the subjects, see :func:`subject`, of a document's
        kept lines) the line test accepts; ``present`` (built on a superset of those lines)
        narrows down what is tested."""
        if self.compares_lines:
            return []
        texts = kept_subjects
        candidates, exact = self._texts_that_may_pass(present)
        if candidates is not None:
            texts = texts & candidates  # a new set: the caller shares ``kept_subjects``
        return sorted(texts if exact else (t for t in texts if self._text_test(t)))

    def apply(
        self,
        paragraphs: list[Paragraph],
        *,
        scoped: bool = True,
        present: Presence | None = None,
        known: frozenset[str] | None = None,
        memo: RunningTextMemo | None = None,
    ) -> None:
        """Apply to the kept ``paragraphs``. ``present`` lets the rule skip lines that
        cannot match; ``known``, when given, is every text (line subject) the line test
        accepts, from :meth:`matching_texts` on a superset of these lines, so no line
        needs matching again. ``memo``: the running text's end shared by the rules of one
        pass over a document (a strip rule, which may change a line's words, clears it)."""
        if present is not None and not self.may_fire(present):
            return
        # Rules see the lines still kept, as a rerun over the cleaned text would: scopes
        # count them and runs are runs of them. Otherwise lines removed in between (by
        # another rule or a near-duplicate stage) make a second run remove more.
        paragraphs = [p for p in paragraphs if p.removal is None]
        where = self.model.where if scoped else None
        model = self.model
        if isinstance(model, TitleEchoRule):
            for i in title_echo_span(paragraphs, model) or ():
                paragraphs[i].remove(REASON_RULE, self.full_id)
            return
        in_scope = scope(where, paragraphs, memo)
        if isinstance(model, StripRule):
            # Strip rules have no scope (models.StripRule): position-free, so idempotent.
            self._strip_text(paragraphs, in_scope, model.replace, present)
            if memo is not None:
                memo.clear()
            return
        indices, test = self._lines_to_test(paragraphs, in_scope, present, known)
        if isinstance(model, DropRule):
            self._drop(paragraphs, indices, test)
        elif isinstance(model, CutAfterRule):
            # Markers are kept lines too: a marker another rule removed does not cut, as on
            # a rerun (measured on 181 pages: counting removed markers inside a window of
            # kept lines cut article text; this way keep recall is unchanged).
            self._cut(paragraphs, indices, test, model.include_marker)
        else:
            assert isinstance(model, DropRunRule)
            hits = [i for i in indices if test(paragraphs[i])]
            self._drop_run(paragraphs, in_scope, hits, model)

    def _lines_to_test(
        self,
        paragraphs: list[Paragraph],
        indices: Sequence[int],
        present: Presence | None,
        known: frozenset[str] | None,
    ) -> tuple[Sequence[int], _LineTest]:
        """The lines in ``indices`` that can pass the line test, and the test still to run
        on them: one set lookup per line instead of the full test where the texts that
        pass (``known``, or the bank's answer for a run pattern) or a superset of them
        (the bank's candidates for a matcher) are known."""
        if known is not None:
            return self._with_subject_in(paragraphs, indices, known), _always
        texts, exact = self._texts_that_may_pass(present)
        if texts is None:
            return indices, self.line_test
        return self._with_subject_in(
            paragraphs, indices, texts
        ), _always if exact else self.line_test

    def _with_subject_in(
        self, paragraphs: list[Paragraph], indices: Sequence[int], texts: Set[str]
    ) -> list[int]:
        if self.match_on == "raw":
            return [i for i in indices if paragraphs[i].raw in texts]
        return [i for i in indices if paragraphs[i].norm in texts]

    def _drop(self, paragraphs: list[Paragraph], indices: Sequence[int], test: _LineTest) -> None:
        for i in indices:
            p = paragraphs[i]
            if p.kept and test(p):
                p.remove(REASON_RULE, self.full_id)

    def _cut(
        self, paragraphs: list[Paragraph], indices: Sequence[int], test: _LineTest, include: bool
    ) -> None:
        for i in indices:
            if test(paragraphs[i]) and self._confirmed(paragraphs, i):
                for p in paragraphs[i if include else i + 1 :]:
                    p.remove(REASON_RULE, self.full_id)
                return

    def _confirmed(self, paragraphs: list[Paragraph], marker: int) -> bool:
        if self._confirm is None:
            return True
        pattern, confirm = self._confirm
        after = paragraphs[marker + 1 : marker + 1 + confirm.within]
        hits = sum(1 for p in after if pattern.search(subject(p, self.match_on)))
        return hits >= confirm.min

    def _strip_text(
        self,
        paragraphs: list[Paragraph],
        indices: Sequence[int],
        replace: str,
        present: Presence | None = None,
    ) -> None:
        assert self._strip is not None
        for i in indices:
            p = paragraphs[i]
            if not p.kept or not self._strip.search(p.text):
                continue
            after = self._strip.sub(replace, p.text).strip()
            if after == p.text:
                continue
            p.edits.append(Edit(self.full_id, p.text, after))
            p.text = after
            p.norm = normalize(after)
            if not after:
                p.remove(REASON_EMPTY, self.full_id)
                continue
            apply_output_form(p)  # what is left of the line is shown tidied, as elsewhere
            if present is not None:
                present.add(p)  # later rules may match the edited line

    def _drop_run(
        self, paragraphs: list[Paragraph], indices: range, hits: list[int], model: DropRunRule
    ) -> None:
        hit_set = set(hits)
        end = indices.stop
        runs: list[range] = []
        if self._run_line is not None:
            i = indices.start
            while i < end:
                j = i
                while j < end and j in hit_set:
                    j += 1
                if j - i >= model.min_run:
                    runs.append(range(i, j))
                i = j + 1 if j == i else j
        else:
            runs = _block_runs(hits, hit_set, end, model.block_lines, model.min_blocks)
        for run in runs:
            if model.to_end and run.stop != len(paragraphs):
                continue
            for i in run:
                paragraphs[i].remove(REASON_RULE, self.full_id)


def _block_runs(
    starts: list[int], start_set: set[int], end: int, block_lines: int, min_blocks: int
) -> list[range]:
    """Runs of blocks: each block is a start line plus the lines up to the next start line
    (at most ``block_lines`` in all); a run continues while the next line starts a block."""
    runs: list[range] = []
    k = 0
    while k < len(starts):
        first = i = starts[k]
        blocks = 0
        while i in start_set:
            j = i + 1
            while j < end and j - i < block_lines and j not in start_set:
                j += 1
            blocks += 1
            i = j
        if blocks >= min_blocks:
            runs.append(range(first, i))
        while k < len(starts) and starts[k] < i:
            k += 1
    return runs


class Applicability:
    """Compiled ``applies_to``: does a pack apply to this document?"""

    def __init__(self, model: AppliesTo) -> None:
        self.any = model.any
        self.lines = [(Pattern(lp.regex), lp.match_on, lp.where) for lp in model.line_pattern]
        self.domains = [d.lower().lstrip(".") for d in model.url_domain]
        self.globs = list(model.path_glob)

    def applies(self, doc: Document, present: Presence | None = None) -> bool:
        if self.any:
            return True
        if self.domains and doc.url:
            host = (urlsplit(doc.url).hostname or "").lower()
            if any(host == d or host.endswith("." + d) for d in self.domains):
                return True
        names = [n for n in (doc.source, doc.doc_id) if n]
        if any(fnmatch.fnmatchcase(n, g) for g in self.globs for n in names):
            return True
        paras: Sequence[Paragraph] = doc.paragraphs
        for pattern, match_on, where in self.lines:
            if present is not None and not present.unknown and not present.has(pattern):
                continue  # occurs nowhere in the document: no need to scan its scope
            if any(pattern.search(subject(paras[i], match_on)) for i in scope(where, paras)):
                return True
        return False
