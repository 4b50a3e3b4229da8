"""Property tests: the rules stage never raises and never renumbers or alters raw lines."""

from __future__ import annotations

import copy
import itertools
from unittest import mock

from helpers_ruleset import RULES
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.model import Document
from dedup.ruleset import load_rules
from dedup.ruleset import ruleset as ruleset_module
from dedup.ruleset.ruleset import LIVE_KEY
from dedup.text import segment

RULESET = load_rules([RULES])
STAGE = RULESET.stage()

# Lines mixing arbitrary text with the chrome the packs look for, so rules actually fire.
CHROME = st.sampled_from(
    [
        "Log in",
        "Hanoi",
        "Share:",
        "Reactions:",
        "Related news",
        "|",
        "20:51, 2025/01/22",
        "- A headline",
        "THE HANOI TIMES — body",
        "\u00a0Caption\u00a0",
        "x. Photo: Y",
        "14TH NATIONAL CONGRESS OF THE PARTY",
        "",
        "   ",
    ]
)
LINE = st.one_of(st.text(max_size=80), CHROME)
TEXT = st.lists(LINE, max_size=30).map("\n".join)


@settings(max_examples=200, deadline=None)
@given(TEXT, st.sampled_from(["\n", "\r\n", "\r"]))
def test_rules_stage_total_and_keeps_line_numbers(text: str, newline: str) -> None:
    text = text.replace("\n", newline)
    doc = Document(doc_id="d", source="d", paragraphs=segment(text))
    before = copy.deepcopy(doc.paragraphs)
    out = STAGE.process(doc)
    assert [(p.line, p.raw) for p in out.paragraphs] == [(p.line, p.raw) for p in before]
    for p in out.paragraphs:
        if p.kept:
            assert p.text  # an emptied line is removed, never kept empty
            assert not p.edits or p.edits[-1].after == p.text
    # Idempotent: a second pass removes nothing more.
    assert RULESET.would_remove(out) == []


# Lines the position-dependent rules (head/tail scopes, cut markers, runs) react to.
POSITIONAL = st.sampled_from(
    [
        "THE HANOI TIMES — body",
        "Politics",
        "World",
        "Home",
        "Log in",
        "Related news",
        "Most Read",
        "BIG BANNER WORDS HERE NOW",
        "Business News",
        "- A headline about the port",
        "- Another headline on trade",
        "20:51, 2025/01/22",
        "A sentence of the article body, long enough to be kept.",
    ]
)
POSITIONAL_TEXT = st.lists(st.one_of(POSITIONAL, POSITIONAL, st.text(max_size=40)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(POSITIONAL_TEXT.map("\n".join), st.lists(st.booleans(), max_size=40))
def test_settle_from_carried_matches_equals_settle_from_scratch(
    text: str, drop: list[bool]
) -> None:
    # After the map phase a document carries, per live rule, the texts its line test
    # accepted (LIVE_KEY); the reduce phase then only removes lines, and settling from
    # those texts must remove exactly what settling with fresh regex matching removes.
    doc = Document(doc_id="d", source="d", paragraphs=segment(text))
    RULESET.apply(doc)
    kept = [p for p in doc.paragraphs if p.kept]
    for p, gone in zip(kept, drop, strict=False):
        if gone:
            p.remove("boilerplate", "other:1")
    carried, fresh = copy.deepcopy(doc), copy.deepcopy(doc)
    assert LIVE_KEY in carried.meta
    del fresh.meta[LIVE_KEY]
    assert RULESET.settle(carried) == RULESET.settle(fresh)
    assert [p.removal for p in carried.paragraphs] == [p.removal for p in fresh.paragraphs]


@settings(max_examples=300, deadline=None)
@given(POSITIONAL_TEXT.map("\n".join))
def test_skipping_rules_that_cannot_change_their_answer_changes_nothing(text: str) -> None:
    # The rules stage skips a rule whose patterns occur nowhere in the document
    # (ruleset._Wakes) and, in a settle round, a rule that saw exactly these lines
    # (dedup.model.changes). Without either shortcut the same lines go, for the same rules.
    fast = STAGE.process(Document(doc_id="d", source="d", paragraphs=segment(text)))
    ticks = itertools.count()
    with (
        mock.patch.object(ruleset_module, "changes", lambda: next(ticks)),
        mock.patch.object(ruleset_module._Wakes, "awake", lambda self, present: None),
    ):
        slow = STAGE.process(Document(doc_id="d", source="d", paragraphs=segment(text)))
    assert [(p.line, p.removal, p.text) for p in fast.paragraphs] == [
        (p.line, p.removal, p.text) for p in slow.paragraphs
    ]


def test_settle_after_the_reduce_matches_no_line_again() -> None:
    # The settle after the reduce runs serially in the main process, whose pattern bank
    # is cold: the texts carried from the map (LIVE_KEY) must answer every line test,
    # also header_above's test of the anchors other rules removed (a dateline here).
    text = (
        "Council approves budget for new schools | The Daily Paper\nLog in\nTrending\n"
        "Budget for new schools approved by the council\n"
        "November 20, 2019 / 1:07 AM / The Daily Paper\n"
        "November 20, 2019 was the day the council approved the budget for twenty schools.\n"
        "The mayor said the money would come from a new tax on the largest companies here.\n"
        "The council will vote on the hospitals next year, the mayor's office said today."
    )
    doc = Document(doc_id="d", source="d", paragraphs=segment(text))
    RULESET.apply(doc)
    dateline = doc.paragraphs[4]
    assert dateline.removal is not None and dateline.removal.reason == "rule"
    assert "generic/header-above-byline" in doc.meta[LIVE_KEY]
    doc.paragraphs[-1].remove("boilerplate", "other:1")
    fresh = copy.deepcopy(doc)
    del fresh.meta[LIVE_KEY]
    with (
        mock.patch("dedup.ruleset.patterns.PatternBank.matches", side_effect=AssertionError),
        mock.patch("dedup.ruleset.patterns.Pattern.search", side_effect=AssertionError),
    ):
        carried = RULESET.settle(doc)
    assert carried == RULESET.settle(fresh)
    assert [p.removal for p in doc.paragraphs] == [p.removal for p in fresh.paragraphs]
