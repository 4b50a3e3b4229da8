"""Property tests: the rules stage never raises and never renumbers or alters raw lines."""

from __future__ import annotations

import copy

from helpers_ruleset import RULES
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.model import Document
from dedup.ruleset import load_rules
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
