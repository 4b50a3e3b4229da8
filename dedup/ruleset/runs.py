"""The runs a ``drop_run`` rule removes, found among a document's kept paragraphs (its
three forms, see :class:`dedup.ruleset.models.DropRunRule`). Pure functions of the
paragraphs' positions and the rule's line tests; ``dedup.ruleset.engine`` removes them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dedup.model import Paragraph

LineTest = Callable[[Paragraph], bool]


def headed_lists(
    paragraphs: Sequence[Paragraph],
    indices: range,
    headings: list[int],
    min_run: int,
    is_item: LineTest,
) -> list[range]:
    """Each heading (``start``) and the ``line`` lines right under it, when there are at
    least ``min_run`` of them; a list ends at the first other line."""
    runs: list[range] = []
    reached = indices.start
    for h in headings:
        if h < reached:
            continue  # inside the list under a heading above (its list is no longer)
        j = h + 1
        while j < indices.stop and is_item(paragraphs[j]):
            j += 1
        reached = j
        if j - h - 1 >= min_run:
            runs.append(range(h, j))
    return runs


def line_runs(
    paragraphs: Sequence[Paragraph],
    indices: range,
    hit_set: set[int],
    min_run: int,
    bridges: LineTest,
    distinct: bool = False,
) -> list[range]:
    """Runs of consecutive ``line`` matches (``hit_set``, at least ``min_run``), joined
    across a ``bridge`` line; with ``distinct``, a line that repeats one of the run's
    lines ends it unless the run goes on under it."""
    runs: list[range] = []
    end = indices.stop
    i = indices.start
    while i < end:
        j, matched, segment = i, 0, 0
        seen: set[str] = set()
        while j < end:
            if j in hit_set:
                if distinct:
                    # a repeat with the run going on under it is a menu printed twice
                    if paragraphs[j].norm in seen and j + 1 not in hit_set:
                        break
                    seen.add(paragraphs[j].norm)
                matched += 1
                segment += 1
            elif (
                segment >= min_run
                and j + 1 in hit_set
                and j + 2 in hit_set
                and bridges(paragraphs[j])
            ):
                # A whole run above, two matching lines below: the menu goes on (one
                # line below could be the author under a headline).
                segment = 0
            else:
                break
            j += 1
        if matched >= min_run:
            runs.append(range(i, j))
        i = j + 1 if j == i else j
    return runs


def block_runs(starts: list[int], end: int, block_lines: int, min_blocks: int) -> list[range]:
    """Runs of blocks: each block is a start line plus the lines up to the next start line
    (at most ``block_lines`` in all); a run continues while the next line starts a block."""
    start_set = set(starts)
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
