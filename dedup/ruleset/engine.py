"""The rule kinds, compiled from their models and applied to a document's paragraphs.

Rules never delete: they mark paragraphs removed (reason ``rule``, detail ``pack/id``) or
record an in-line :class:`~dedup.model.Edit`. Rules look at the paragraphs still kept:
scopes count them and runs are made of them, exactly as a rerun over the cleaned text sees
the document, which is what makes cleaning idempotent (see ``RuleSet.settle``).
"""

from __future__ import annotations

from collections.abc import Sequence, Set

from dedup.model import REASON_EMPTY, REASON_RULE, Edit, Paragraph
from dedup.ruleset.layout import RunningTextMemo, header_above_lines, scope, title_echo_lines
from dedup.ruleset.matching import LineMatcher, Presence, regex_pattern, subject
from dedup.ruleset.models import (
    CutAfterRule,
    DropRule,
    DropRunRule,
    HeaderAboveRule,
    Rule,
    StripRule,
    TitleEchoRule,
    _Matcher,
)
from dedup.ruleset.patterns import Pattern
from dedup.ruleset.run_removal import RunRemoval
from dedup.ruleset.runs import LineTest
from dedup.text.normalize import normalize
from dedup.text.tidy import apply_output_form


def _always(p: Paragraph) -> bool:
    return True


class CompiledRule(RunRemoval):
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
        self._run_line = self._run_start = self._bridge = self._not_after = None
        self._unless_start = None
        if isinstance(model, DropRunRule):
            self._run_line = None if model.line is None else Pattern(model.line)
            self._run_start = None if model.start is None else Pattern(model.start)
            # Tested only on the line in a gap between two run lines: not in the bank.
            self._bridge = None if model.bridge is None else Pattern(model.bridge)
            # Tested only on the line above a run: not in the bank either.
            self._not_after = None if model.not_after is None else Pattern(model.not_after)
            # Tested only on a heading found: not in the bank.
            self._unless_start = None if model.unless_start is None else Pattern(model.unless_start)
        # The pattern a run rule finds its lines with: its block start or heading, else its
        # run line (with a heading, the run line is tested only on the lines under it).
        self._run_pattern = self._run_start or self._run_line
        # A heading over a list of ``line`` lines (the other two forms are plain runs).
        self.headed = self._run_start is not None and self._run_line is not None
        # Set by the rule set: the ids of its ``drop`` rules (see :meth:`_headed_lists`).
        self.line_rules: frozenset[str] = frozenset()
        # Tested only on the few lines after a marker, so not part of the pattern bank.
        confirm = model.confirm if isinstance(model, CutAfterRule) else None
        self._confirm = None if confirm is None else (Pattern(confirm.regex), confirm)
        # A rule without a line pattern: it compares lines with each other (title_echo).
        # An attribute, not a property: asked for every rule of every document.
        self.compares_lines: bool = isinstance(model, TitleEchoRule)
        # Matcher traits the rule set's wake index needs (see ruleset._Wakes).
        self.fuzzy = bool(self._matcher is not None and self._matcher.fuzzy)
        self.exact = bool(self._matcher is not None and self._matcher.exact)

    def patterns(self) -> list[Pattern]:
        """The rule's line patterns (matched in bulk by the rule set's PatternBank)."""
        found: list[Pattern] = list(self._matcher.regex) if self._matcher is not None else []
        if self._strip is not None:
            found.append(self._strip)
        # A heading's list lines are tested only under a heading found: not in the bank
        # (a line pattern there made every line's bank match ~7% slower).
        if self._run_pattern is not None:
            found.append(self._run_pattern)
        return found

    @property
    def position_dependent(self) -> bool:
        """Whether other lines' removal can change what this rule removes (scope, runs)."""
        return (
            self.model.where is not None
            or isinstance(self.model, DropRunRule | TitleEchoRule | HeaderAboveRule)
            or self._confirm is not None  # what follows a marker can change
        )

    def may_fire(self, present: Presence) -> bool:
        """False when no line of the document can match: the rule is skipped whole."""
        if present.unknown or self.compares_lines or self.fuzzy:
            return True
        if self._bank_ids is None:
            # Bank indices are assigned when the rule set is built, after this rule.
            self._bank_ids = frozenset(p.bank_index for p in self.patterns())
        if not present.by_pattern.keys().isdisjoint(self._bank_ids):
            return True
        return self._matcher is not None and present.has_exact(self._matcher)

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
        every, paragraphs = paragraphs, [p for p in paragraphs if p.removal is None]
        where = self.model.where if scoped else None
        model = self.model
        if isinstance(model, TitleEchoRule):
            for i in title_echo_lines(paragraphs, model):
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
            hits = [i for i in indices if test(paragraphs[i])]
            if isinstance(model, HeaderAboveRule):  # the hits are its anchors
                self._header_above(every, paragraphs, hits, model, known)
            elif self.headed:
                assert isinstance(model, DropRunRule)
                self._headed_lists(every, paragraphs, in_scope, hits, model, known)
            else:
                assert isinstance(model, DropRunRule)
                self._drop_run(paragraphs, in_scope, hits, model)

    def _header_above(
        self,
        every: list[Paragraph],
        kept: list[Paragraph],
        hits: Sequence[int],
        model: HeaderAboveRule,
        known: frozenset[str] | None = None,
    ) -> None:
        """Remove the header over the anchors ``hits`` (indices into ``kept``).

        An anchor another rule already removed (a byline or date line, dropped as a line
        of its own) still marks where the header ends: the span is looked for on the kept
        lines plus such anchors. Without them the header was found only while the share
        bar under the byline had not yet gone (and so the article began too far below
        it). A rerun over the output has neither header nor anchor: nothing more goes.
        ``known`` (see :meth:`apply`) covers the removed anchors too (:meth:`anchor_texts`)."""
        anchors = {id(kept[i]) for i in hits}
        view: list[Paragraph] = []
        for p in every:
            if p.removal is None:
                view.append(p)
            elif view and p.removal.reason == REASON_RULE and self._is_anchor(p, known):
                anchors.add(id(p))
                view.append(p)
        marked = [i for i, p in enumerate(view) if id(p) in anchors]
        for i in header_above_lines(view, model, marked):
            if view[i].removal is None:
                view[i].remove(REASON_RULE, self.full_id)

    def _is_anchor(self, p: Paragraph, known: frozenset[str] | None) -> bool:
        if known is not None:
            return subject(p, self.match_on) in known
        return self.line_test(p)

    def anchor_texts(self, paragraphs: Sequence[Paragraph]) -> list[str]:
        """For a ``header_above`` rule or a headed ``drop_run``: the subjects of the lines
        other rules removed that pass its line test (anchors or headings it still counts);
        empty for other kinds. Recorded with :meth:`matching_texts` so the settle after the
        reduce matches no line again."""
        if not (isinstance(self.model, HeaderAboveRule) or self.headed):
            return []
        return sorted(
            {
                subject(p, self.match_on)
                for p in paragraphs
                if p.removal is not None and p.removal.reason == REASON_RULE and self.line_test(p)
            }
        )

    def _lines_to_test(
        self,
        paragraphs: list[Paragraph],
        indices: Sequence[int],
        present: Presence | None,
        known: frozenset[str] | None,
    ) -> tuple[Sequence[int], LineTest]:
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

    def _drop(self, paragraphs: list[Paragraph], indices: Sequence[int], test: LineTest) -> None:
        for i in indices:
            p = paragraphs[i]
            if p.kept and test(p):
                p.remove(REASON_RULE, self.full_id)

    def _cut(
        self, paragraphs: list[Paragraph], indices: Sequence[int], test: LineTest, include: bool
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
            p.add_edit(Edit(self.full_id, p.text, after))
            p.text = after
            p.norm = normalize(after)
            if not after:
                p.remove(REASON_EMPTY, self.full_id)
                continue
            apply_output_form(p)  # what is left of the line is shown tidied, as elsewhere
            if present is not None:
                present.add(p)  # later rules may match the edited line
