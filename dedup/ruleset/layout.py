"""Where the article runs on a page: the paragraphs a rule's ``where`` scope covers, the
article's running text that ``after_prose`` counts from, and the page header above the
headline (the ``title_echo`` and ``header_above`` kinds). Pure functions of the kept
paragraphs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from dedup.model import Paragraph
from dedup.ruleset.models import HeaderAboveRule, TitleEchoRule, Where
from dedup.text.normalize import has_words, reads_as_prose

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


def _running_text(
    paragraphs: Sequence[Paragraph], min_words: int, *, loose: bool = False
) -> Callable[[int], bool]:
    """Whether line ``i`` is part of the article's running text: it reads as prose and has
    another such line at most three lines away, one of the two next to a third. An
    article's paragraphs come in runs, interrupted by a subheading, a caption or an inline
    box of two lines ("Related" + a headline) at most. A teaser's one-sentence summary
    stands alone between headlines, and so does every summary of a teaser list: prose two
    lines apart, but never two prose lines in a row. A line printed before on the page,
    word for word, is no prose here: an article does not repeat its paragraphs, while a
    teaser under it quoting its lead, or a caption printed twice, does (the repeat is
    removed later, by the near-duplicate engine).

    ``loose``: any prose line with another one at most three lines away, no line next to
    it needed (for pages with no two prose lines in a row, see :func:`_last_running_text`)."""
    count = len(paragraphs)
    prose: dict[int, bool] = {}
    first: dict[str, int] = {}  # line -> where it first stands; built when first needed

    def is_prose(i: int) -> bool:
        if i not in prose:
            found = 0 <= i < count and reads_as_prose(paragraphs[i].norm, min_words)
            if found:
                if not first:
                    for j in range(count - 1, -1, -1):
                        first[paragraphs[j].norm] = j
                found = first[paragraphs[i].norm] == i
            prose[i] = found
        return prose[i]

    def in_run(i: int) -> bool:
        return is_prose(i - 1) or is_prose(i + 1)

    def running(i: int) -> bool:
        return is_prose(i) and any(
            is_prose(i + d) and (in_run(i) or in_run(i + d)) for d in (-3, -2, -1, 1, 2, 3)
        )

    def near_prose(i: int) -> bool:
        return is_prose(i) and any(is_prose(i + d) for d in (-3, -2, -1, 1, 2, 3))

    return near_prose if loose else running


def _starts_below(running: Callable[[int], bool], line: int, within: int, count: int) -> bool:
    """Whether running text starts at most ``within`` lines below ``line``."""
    return any(running(k) for k in range(line + 1, min(count, line + 1 + within)))


# A trailing stretch of running text this far below the rest (in kept lines) and this short
# (in running lines) is page furniture that reads as prose: a feedback form's thanks, a
# comment policy, an author's bio under the share bar; not the article's last paragraphs.
DETACHED_GAP = 20
DETACHED_MAX_LINES = 2


def _last_running_text(paragraphs: Sequence[Paragraph], min_words: int) -> int:
    """Index of the last line of the article's running text, or -1.

    The running text comes in stretches: runs of running lines at most
    :data:`DETACHED_GAP` kept lines apart. Short stretches (at most
    :data:`DETACHED_MAX_LINES` running lines) below the last long one are left out, so the
    footer scope (``after_prose``) starts under the article, not under a form's prose. A
    page with no long stretch (a brief) keeps its last running line as before.

    A page with no two prose lines in a row anywhere (an explainer whose every paragraph
    sits under its own subheading: heading, paragraph, heading, paragraph) has no running
    text by that test, and its footer would stay whole. There, any prose line with another
    one at most three lines away counts (``loose``): a teaser list below such an article
    then counts too, which only moves the footer scope down.

    A page with no running text at ``min_words`` (a brief whose paragraphs have 10-14
    words) tries again at two thirds of it; only pages with none at either count have no
    footer scope."""
    count = len(paragraphs)
    stretches: list[list[int]] = []
    for words in (min_words, min_words * 2 // 3):
        stretches = _stretches(_running_text(paragraphs, words), count)
        if not stretches:
            stretches = _stretches(_running_text(paragraphs, words, loose=True), count)
        if stretches:
            break
    if not stretches:
        return -1
    for stretch in reversed(stretches):
        if len(stretch) > DETACHED_MAX_LINES:
            return stretch[-1]
    return stretches[-1][-1]


def _stretches(running: Callable[[int], bool], count: int) -> list[list[int]]:
    """The running lines, in runs at most :data:`DETACHED_GAP` kept lines apart."""
    stretches: list[list[int]] = []
    for i in range(count):
        if running(i):
            if stretches and i - stretches[-1][-1] <= DETACHED_GAP:
                stretches[-1].append(i)
            else:
                stretches.append([i])
    return stretches


# A page title is "Headline - Site" or "Section | Headline - Site": one of its parts is
# the headline the page prints again above the article.
_TITLE_PARTS = re.compile(r"\s+[-|–—]\s+")


def _has_parts(title: str) -> bool:
    return _TITLE_PARTS.search(title) is not None


def title_echo_lines(paragraphs: Sequence[Paragraph], rule: TitleEchoRule) -> list[int]:
    """The page header: the lines strictly between the first line (the page title) and its
    repeat, and the first line itself when ``rule.drop_title`` and the repeat is only a
    part of it (the headline without the site's name); empty when there is none.

    A repeat is a later line equal (case-folded) to the whole first line or to one of its
    parts. The first repeat with running text starting at most ``rule.body_within`` lines
    below it counts (the headline stands over the article; a brief whose own title the
    page's footer lists is left alone), and none once running text has begun above it (a
    title listed again under the article is no header's end). A repeat of the whole line
    is left to the near-duplicate engine (a repeated paragraph), so the title stays."""
    if len(paragraphs) < 2:
        return []
    first = paragraphs[0].norm
    titles = [
        t
        for t in (first, *_TITLE_PARTS.split(first))
        if len(t) >= rule.min_chars and has_words(t, rule.min_words)
    ]
    if not titles:
        return []
    # Most pages have no repeat: compare lengths before case-folding (runs on every page).
    lengths = {len(t) for t in titles}
    wanted = {t.casefold() for t in titles}
    running = _running_text(paragraphs, rule.prose_words)
    checked = 1  # lines above the current repeat already found not running text
    for repeat in range(1, len(paragraphs)):
        norm = paragraphs[repeat].norm
        if len(norm) not in lengths or norm.casefold() not in wanted:
            continue
        # Each line is tested once across all repeats (a page repeating its title 16,000
        # times rescanned every line above each: 35 s for 1 MB).
        if any(running(k) for k in range(checked, repeat)):
            return []  # the article began before this repeat
        checked = repeat
        if not _starts_below(running, repeat, rule.body_within, len(paragraphs)):
            continue
        title = [0] if rule.drop_title and norm.casefold() != first.casefold() else []
        # One line between is more likely a lead under the title, the headline printed
        # again as the photo's caption, than a header.
        return title + list(range(1, repeat)) if repeat > 2 else title
    return []


_WORDS = re.compile(r"\w+")


def _words(norm: str) -> set[str]:
    return set(_WORDS.findall(norm.casefold()))


def header_above_lines(
    paragraphs: Sequence[Paragraph], rule: HeaderAboveRule, anchors: Sequence[int]
) -> list[int]:
    """The page header: the lines strictly between the first line (the page title) and the
    headline over an anchor, and the first line itself when ``rule.drop_title`` and it
    has parts (a site's name or a section beside the headline's words); empty when there
    is none.

    ``anchors``: the kept lines the rule's line test accepts (bylines, datelines), in
    order. The first one with running text starting at most ``rule.body_within`` lines
    below it counts, and none once running text has begun above it (a byline under the
    article, or over a second story, is no header's end). The headline is the topmost of
    the ``rule.search_above`` lines over the anchor (and over anchors right above it: a
    byline over a dateline) whose words are mostly the title's: a headline printed a
    little differently from the HTML title, with the standfirst and author lines below
    it. No such line, no header: what the headline is stays unknown."""
    if not anchors or len(paragraphs) < 3:
        return []
    title = _words(paragraphs[0].norm)
    if len(title) < rule.min_words:
        # A first line too short to hold a headline is the site's name ("The Jakarta
        # Post"), not the page title: a byline naming the site would pass for the headline.
        return []
    running = _running_text(paragraphs, rule.prose_words)
    anchor_set = set(anchors)
    checked = 1  # the first line is the title
    for anchor in anchors:
        if any(running(k) for k in range(checked, anchor)):
            return []  # the article began above this anchor
        checked = anchor
        if not _starts_below(running, anchor, rule.body_within, len(paragraphs)):
            continue
        top = anchor
        while top - 1 in anchor_set:
            top -= 1
        for k in range(max(1, top - rule.search_above), top):
            words = _words(paragraphs[k].norm)
            if len(words) >= rule.min_words and len(words & title) >= rule.overlap * len(words):
                if k - 1 < rule.min_lines:
                    return []
                first = [0] if rule.drop_title and _has_parts(paragraphs[0].norm) else []
                return first + list(range(1, k))
        return []
    return []
