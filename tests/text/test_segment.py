from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from dedup.text import normalize, segment
from dedup.text.normalize import has_words, reads_as_prose, word_count
from dedup.text.segment import split_lines


def test_paragraphs_are_non_blank_lines_with_raw_line_numbers() -> None:
    paras = segment("Title\n\nFirst para.\n  \nSecond para.\n")
    assert [(p.line, p.text) for p in paras] == [
        (1, "Title"),
        (3, "First para."),
        (5, "Second para."),
    ]


def test_both_layouts_segment_the_same_text() -> None:
    dense = segment("A\nB\nC")
    sparse = segment("A\n\nB\n\nC\n\n\n")
    assert [p.text for p in dense] == [p.text for p in sparse]


def test_crlf_and_cr_line_endings() -> None:
    assert [p.line for p in segment("a\r\nb\r\n\r\nc")] == [1, 2, 4]
    assert [p.text for p in segment("a\rb\r\rc")] == ["a", "b", "c"]


def test_raw_text_is_kept_and_normalised_form_is_for_matching() -> None:
    [p] = segment("\u00a0Overview of the meeting.\u00a0")
    assert p.raw == "\u00a0Overview of the meeting.\u00a0"
    assert p.norm == "Overview of the meeting."


def test_normalize_unifies_quotes_dashes_and_spaces() -> None:
    assert (
        normalize("Hanoi\u2019s  \u201cbig\u201d\u00a0day \u2014 now") == 'Hanoi\'s "big" day - now'
    )
    assert normalize("ﬁne ＡＢＣ") == "fine ABC"  # NFKC


@given(st.text())
def test_segment_never_loses_a_non_blank_line(text: str) -> None:
    lines = split_lines(text)
    paras = segment(text)
    assert [p.raw for p in paras] == [ln for ln in lines if ln.strip()]
    for p in paras:
        assert lines[p.line - 1] == p.raw
        assert p.norm == normalize(p.norm)  # idempotent


def test_text_is_in_output_form_before_any_rule_sees_it() -> None:
    # Found by the idempotence property: "\x1b|" kept by the separator rule, then shown as
    # "|" in the output, which a second clean removed. Rules now see the shown form.
    [p] = segment("\x1b|")
    assert (p.raw, p.text, p.norm) == ("\x1b|", "|", "|")
    assert [(e.before, e.after) for e in p.edits] == [("\x1b|", "|")]
    [empty] = segment("\x07")
    assert empty.text == "" and empty.removal is not None


@given(
    st.lists(
        st.one_of(
            st.text(alphabet=st.characters(max_codepoint=127), max_size=40),
            st.text(max_size=20),
        ),
        max_size=15,
    ).map("\n".join)
)
def test_fast_paths_equal_the_general_path(text: str) -> None:
    # segment() skips normalize/output_form for plain printable ASCII lines and splits on
    # "\n" without a regex when there is no CR; both must change nothing.
    from dedup.model import Paragraph
    from dedup.text.tidy import apply_output_form

    expected = []
    for number, raw in enumerate(split_lines(text), start=1):
        if raw.strip():
            p = Paragraph(number, raw, raw.strip(), normalize(raw.strip()))
            apply_output_form(p)
            expected.append(p)
    assert segment(text) == expected
    reference = re.split(r"\r\n|\r|\n", text)
    assert split_lines(text) == (reference[:-1] if reference[-1] == "" else reference)


def test_reads_as_prose_needs_words_and_a_sentence_ending() -> None:
    sentence = "The city council approved the budget for twenty new schools and three hospitals"
    assert reads_as_prose(normalize(sentence + "."), 12)
    assert reads_as_prose(normalize("“" + sentence + ".”"), 12)  # curly quotes fold
    assert not reads_as_prose(normalize(sentence), 12)  # a headline: no ending
    assert not reads_as_prose(normalize("Share this article."), 12)  # too short
    assert not reads_as_prose("", 1)
    # Chinese and Japanese have no spaces: two characters count as a word.
    japanese = "日本の首相は月曜日、新しい経済対策を発表し、補正予算を組むと述べた。"
    assert reads_as_prose(normalize(japanese), 12)
    assert not reads_as_prose(normalize("関連記事。"), 12)
    # Hindi ends a sentence with the danda, Arabic a question with its own mark.
    hindi = "राजधानी दिल्ली में वायु प्रदूषण का स्तर गंभीर श्रेणी में पहुंचने के बाद सरकार ने छुट्टी की घोषणा की है।"
    assert reads_as_prose(normalize(hindi), 12)
    assert not reads_as_prose(normalize(hindi[:-1]), 12)
    arabic = (
        "هل ستنجح خطة الحكومة الجديدة في خفض أسعار الكهرباء للمنازل والمصانع خلال العام المقبل؟"
    )
    assert reads_as_prose(normalize(arabic), 12)
    # Finnish and Hungarian say in 7-9 long words what English says in 10-12: a line of
    # 7 characters per required word counts as prose too.
    finnish = "Kaupunki avaa uuden uimahallin keskustan lähelle ensi vuoden syksyllä."
    assert word_count(normalize(finnish)) == 9 and reads_as_prose(normalize(finnish), 10)
    assert not reads_as_prose(normalize(finnish), 11)
    assert not reads_as_prose(normalize("Lue lisää."), 3)  # 2 words, 10 characters


def test_has_words_counts_long_words_and_unspaced_scripts() -> None:
    # A German headline says in four long words what English says in six.
    assert has_words("Bundestag beschließt höhere Pendlerpauschale", 5)
    assert not has_words("The Daily Paper", 5)  # a masthead stays short
    assert has_words("日本の首相が新しい経済対策を発表", 5)
    assert not has_words("関連記事", 5)
