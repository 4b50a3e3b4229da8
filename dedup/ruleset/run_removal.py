"""The ``drop_run`` kind's removal steps (plain runs, blocks, and a heading's list), mixed
into :class:`dedup.ruleset.engine.CompiledRule`: which runs go is decided by the pure
functions of :mod:`dedup.ruleset.runs`; these methods add what needs the rule (its
patterns, the lines other rules removed, the article's subheading after a box)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dedup.model import REASON_RULE, Paragraph
from dedup.ruleset.matching import subject
from dedup.ruleset.models import DropRunRule
from dedup.ruleset.runs import block_runs, headed_lists, line_runs
from dedup.text.normalize import word_count

if TYPE_CHECKING:
    from dedup.ruleset.models import Rule
    from dedup.ruleset.patterns import Pattern


class RunRemoval:
    """Methods of :class:`~dedup.ruleset.engine.CompiledRule` for ``drop_run`` rules; the
    attributes are the compiled rule's."""

    model: Rule
    full_id: str
    match_on: str
    line_rules: frozenset[str]
    _run_line: Pattern | None
    _run_start: Pattern | None
    _bridge: Pattern | None
    _not_after: Pattern | None
    _unless_start: Pattern | None

    def _is_anchor(self, p: Paragraph, known: frozenset[str] | None) -> bool:
        raise NotImplementedError  # CompiledRule's

    def _headed_lists(
        self,
        every: list[Paragraph],
        kept: list[Paragraph],
        in_scope: range,
        hits: list[int],
        model: DropRunRule,
        known: frozenset[str] | None,
    ) -> None:
        """Remove the headed lists: a heading (``hits``, indices into ``kept``) and the
        ``line`` lines under it among the kept lines ``in_scope``.

        A heading a ``drop`` rule removed ("Trending" taken by a pack's section-name rule)
        still heads the list right under it, as :meth:`_header_above` counts removed
        anchors; without it the order of packs decided what a page kept. Only a line
        rule's heading, and only a list whole in the page (heading and lines next to each
        other): a heading inside a removed menu or page header ("Most read" among section
        names, "Up next:" over the title) took the title and lead under it as its list
        (measured on the 181 and unseen pages). A rerun has neither heading nor list."""
        removed = self._removed_headings(every, in_scope, known)  # before any removal
        if self._unless_start is not None:
            hits = [i for i in hits if not self._vetoed(kept[i])]
            removed = [(at, n) for at, n in removed if not self._vetoed(every[at])]
        for run in headed_lists(kept, in_scope, hits, model.min_run, self._run_item):
            if model.to_end and run.stop != len(kept):
                continue
            lines = self._without_subheading(kept[run.start : run.stop], run.stop < len(kept))
            if len(lines) - 1 < model.min_run:
                continue
            for p in lines:
                p.remove(REASON_RULE, self.full_id)
        for at, above in removed:
            items = self._items_under(every, at, in_scope.stop - above)
            more = above + len(items) < len(kept)  # kept lines go on under the list
            items = self._without_subheading(items, more, heading=False)
            if len(items) < model.min_run:
                continue
            if model.to_end and above + len(items) != len(kept):
                continue
            for p in items:
                p.remove(REASON_RULE, self.full_id)

    def _without_subheading(
        self, lines: list[Paragraph], more: bool, *, heading: bool = True
    ) -> list[Paragraph]:
        """``lines`` (a heading and its list, or the list alone) without a last list line
        too short to be a headline when the page goes on under it (``subheading_words``):
        the article's own subheading after the box."""
        limit = getattr(self.model, "subheading_words", None)
        if limit is None or not more or len(lines) <= (1 if heading else 0):
            return lines
        return lines[:-1] if word_count(lines[-1].norm) < limit else lines

    def _removed_headings(
        self, every: list[Paragraph], in_scope: range, known: frozenset[str] | None
    ) -> list[tuple[int, int]]:
        """The headings a ``drop`` rule removed in scope (above it too when it starts at
        the top): (index in ``every``, kept lines above it)."""
        found: list[tuple[int, int]] = []
        above = 0
        for at, p in enumerate(every):
            if p.removal is None:
                above += 1
            elif (
                (in_scope.start < above or above == in_scope.start == 0)
                and above < in_scope.stop
                and p.removal.reason == REASON_RULE
                and p.removal.detail in self.line_rules
                and self._is_anchor(p, known)
            ):
                found.append((at, above))
        return found

    def _items_under(self, every: list[Paragraph], at: int, room: int) -> list[Paragraph]:
        """The kept ``line`` lines right under ``every[at]`` (at most ``room``, the kept
        lines left in scope), up to the first other or removed line."""
        items: list[Paragraph] = []
        for p in every[at + 1 :]:
            if len(items) >= room or p.removal is not None or not self._run_item(p):
                break
            items.append(p)
        return items

    def _drop_run(
        self, paragraphs: list[Paragraph], indices: range, hits: list[int], model: DropRunRule
    ) -> None:
        """Remove the runs of a plain run rule (see :class:`DropRunRule`); with ``to_end``,
        only a run that reaches the document's last line."""
        if self._run_line is not None:
            runs = line_runs(
                paragraphs, indices, set(hits), model.min_run, self._bridges, model.distinct
            )
        else:
            runs = block_runs(hits, indices.stop, model.block_lines, model.min_blocks)
        for run in runs:
            if model.to_end and run.stop != len(paragraphs):
                continue
            if self._introduced(paragraphs, run.start):
                continue
            for i in run:
                paragraphs[i].remove(REASON_RULE, self.full_id)

    def _vetoed(self, heading: Paragraph) -> bool:
        assert self._unless_start is not None
        return bool(self._unless_start.search(subject(heading, self.match_on)))

    def _introduced(self, paragraphs: list[Paragraph], start: int) -> bool:
        """Whether the kept line right above a run introduces it as the article's list."""
        if self._not_after is None or start == 0:
            return False
        return bool(self._not_after.search(subject(paragraphs[start - 1], self.match_on)))

    def _run_item(self, p: Paragraph) -> bool:
        assert self._run_line is not None
        return bool(self._run_line.search(subject(p, self.match_on)))

    def _bridges(self, p: Paragraph) -> bool:
        return self._bridge is not None and bool(self._bridge.search(subject(p, self.match_on)))
