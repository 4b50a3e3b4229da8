"""Rule kinds, scoping, applies_to, RE2 safety, pickling, would_remove, examples."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from helpers_ruleset import doc_of, removed_lines, write_pack

from dedup.errors import RuleErrors
from dedup.model import REASON_EMPTY
from dedup.pipeline import DocumentStage, apply_document_stages
from dedup.ruleset import RuleSet, load_rules


def pack(tmp_path: Path, rules: str, applies: str = "{any: true}", name: str = "t") -> RuleSet:
    text = f"pack: {name}\napplies_to: {applies}\nrules:\n{rules}"
    return load_rules([write_pack(tmp_path, text, f"{name}.yaml")])


DOC = (
    "Log in\nHanoi\n\nTitle here\nBody one. Photo: X\n|\nBody two\n"
    "Related news\nHeadline\nSummary.\n"
)


def test_drop_exact_regex_fuzzy(tmp_path: Path) -> None:
    rs = pack(
        tmp_path,
        "  - {id: login, kind: drop, why: w, exact: [Log in]}\n"
        "  - {id: sep, kind: drop, why: w, regex: '^[|]$'}\n"
        "  - {id: fz, kind: drop, why: w, fuzzy: [body twoo], score_cutoff: 85,"
        " ignore_case: true}\n",
    )
    doc = rs.apply(doc_of(DOC))
    assert removed_lines(doc) == {1: "t/login", 6: "t/sep", 7: "t/fz"}


def test_max_chars_and_match_on_raw(tmp_path: Path) -> None:
    rs = pack(
        tmp_path,
        "  - {id: cap, kind: drop, why: w, regex: 'Photo:', max_chars: 12}\n"
        "  - {id: nb, kind: drop, why: w, match_on: raw, regex: '^\\x{a0}'}\n",
    )
    doc = rs.apply(doc_of("A long body line. Photo: X\nPhoto: Y\n\u00a0Caption\nPlain\n"))
    assert removed_lines(doc) == {2: "t/cap", 3: "t/nb"}


def test_cut_after_with_and_without_marker(tmp_path: Path) -> None:
    rules = "  - {id: cut, kind: cut_after, why: w, regex: '^Related news$'%s}\n"
    doc = pack(tmp_path, rules % "").apply(doc_of(DOC))
    assert sorted(removed_lines(doc)) == [8, 9, 10]
    doc = pack(tmp_path, rules % ", include_marker: false", name="u").apply(doc_of(DOC))
    assert sorted(removed_lines(doc)) == [9, 10]


def test_strip_records_edit_and_empty_line(tmp_path: Path) -> None:
    rs = pack(
        tmp_path, "  - {id: dl, kind: strip, why: w, regex: '^THE HANOI TIMES\\s*[—-]\\s*'}\n"
    )
    doc = rs.apply(doc_of("Title\nTHE HANOI TIMES — Body text\nTHE HANOI TIMES —\n"))
    body, empty = doc.paragraphs[1], doc.paragraphs[2]
    assert body.kept and body.text == "Body text" and body.norm == "Body text"
    assert [(e.rule, e.before, e.after) for e in body.edits] == [
        ("t/dl", "THE HANOI TIMES — Body text", "Body text")
    ]
    assert body.raw == "THE HANOI TIMES — Body text"  # raw is never touched
    assert empty.removal is not None
    assert (empty.removal.reason, empty.removal.detail) == (REASON_EMPTY, "t/dl")


def test_drop_run_line_min_run(tmp_path: Path) -> None:
    rs = pack(tmp_path, "  - {id: b, kind: drop_run, why: w, line: '^- ', min_run: 3}\n")
    doc = rs.apply(doc_of("T\n- a\n- b\nBody\n- c\n- d\n- e\n"))
    assert sorted(removed_lines(doc)) == [5, 6, 7]


def test_drop_run_to_end(tmp_path: Path) -> None:
    rs = pack(tmp_path, "  - {id: b, kind: drop_run, why: w, line: '^- ', to_end: true}\n")
    doc = rs.apply(doc_of("T\n- body a\n- body b\nBody\n- link c\n- link d\n"))
    assert sorted(removed_lines(doc)) == [5, 6]


def test_drop_run_bridge_joins_a_whole_run_to_what_follows(tmp_path: Path) -> None:
    rule = "  - {id: m, kind: drop_run, why: w, line: '^- ', min_run: 3, bridge: '^[^.]{1,20}$'}\n"
    rs = pack(tmp_path, rule)
    # A whole run, a short line, the menu again: one run, bridge included.
    menu = rs.apply(doc_of("T\n- a\n- b\n- c\nOther\n- d\n- e\nBody.\n"))
    assert sorted(removed_lines(menu)) == [2, 3, 4, 5, 6, 7]
    # One matching line under the short line is not the menu going on: a headline under a
    # menu, with its author's name below it, stays.
    headline = rs.apply(doc_of("T\n- a\n- b\n- c\nHeadline\n- d\nBody.\n"))
    assert sorted(removed_lines(headline)) == [2, 3, 4]
    # Two short runs are not joined into one (a list in an article); nor is a sentence
    # bridged, nor a line with no run line after it.
    assert removed_lines(rs.apply(doc_of("T\n- a\n- b\nOther\n- c\n- d\n"))) == {}
    sentence = rs.apply(doc_of("T\n- a\n- b\n- c\nA sentence.\n- d\n"))
    assert sorted(removed_lines(sentence)) == [2, 3, 4]
    tail = rs.apply(doc_of("T\n- a\n- b\n- c\nOther\nBody\n"))
    assert sorted(removed_lines(tail)) == [2, 3, 4]


def test_drop_run_not_after_leaves_a_list_the_article_introduces(tmp_path: Path) -> None:
    rule = (
        "  - {id: m, kind: drop_run, why: w, line: '^[A-Z][a-z]+$', min_run: 3,"
        " not_after: '^(?:\\S+ ){4,}\\S+:$'}\n"
    )
    rs = pack(tmp_path, rule)
    listed = "Text one.\nAreas that will be affected include:\nKothrud\nWarje\nAundh\nText two.\n"
    assert removed_lines(rs.apply(doc_of(listed))) == {}
    menu = "Home\nPolitics\nSport\nText one.\n"  # at the top: nothing above it
    assert removed_lines(rs.apply(doc_of(menu))) == {1: "t/m", 2: "t/m", 3: "t/m"}
    short = "Text one.\nSections:\nHome\nPolitics\nSport\n"  # a label, not a sentence
    assert sorted(removed_lines(rs.apply(doc_of(short)))) == [3, 4, 5]
    with pytest.raises(RuleErrors):  # it reads the line above a run of line matches
        pack(tmp_path, "  - {id: r, kind: drop_run, why: w, start: '^x', not_after: ':$'}\n")


def test_drop_run_distinct_ends_a_run_at_a_repeated_item(tmp_path: Path) -> None:
    rule = "  - {id: s, kind: drop_run, why: w, line: '^Part \\d: ', min_run: 2, distinct: true}\n"
    rs = pack(tmp_path, rule)
    # The list of parts goes; the part's title printed again as the headline under it stays.
    page = "Series\nPart 1: A river\nPart 2: The water\nPart 2: The water\nBody text.\n"
    assert sorted(removed_lines(rs.apply(doc_of(page)))) == [2, 3]
    # Without distinct, the headline is one more item of the run.
    plain = pack(tmp_path, rule.replace(", distinct: true", ""))
    assert sorted(removed_lines(plain.apply(doc_of(page)))) == [2, 3, 4]
    with pytest.raises(RuleErrors):  # it shapes a run of line matches
        pack(tmp_path, "  - {id: r, kind: drop_run, why: w, start: '^x', distinct: true}\n")


def test_drop_run_unless_start_vetoes_a_heading(tmp_path: Path) -> None:
    rule = (
        "  - {id: n, kind: drop_run, why: w, start: '^[A-Z][a-z]+ [A-Z][a-z]+$',"
        " line: '\\d{4}$', min_run: 1, unless_start: '^Our '}\n"
    )
    rs = pack(tmp_path, rule)
    assert removed_lines(rs.apply(doc_of("T\nJane Doe\nNov. 9, 2026\nText.\n"))) == {
        2: "t/n",
        3: "t/n",
    }
    assert removed_lines(rs.apply(doc_of("T\nOur Sources\nFacebook post, Nov. 9, 2026\n"))) == {}
    with pytest.raises(RuleErrors):  # it vetoes headings: only with start and line
        pack(tmp_path, "  - {id: r, kind: drop_run, why: w, line: '^x', unless_start: '^y'}\n")


def test_drop_run_subheading_words_leaves_the_articles_subheading(tmp_path: Path) -> None:
    rule = (
        "  - {id: r, kind: drop_run, why: w, start: '^Read more$', line: '^[^.]+$',"
        " min_run: 1, subheading_words: 5}\n"
    )
    rs = pack(tmp_path, rule)
    box = "Read more\nEU agrees climate target after months of talks\n"
    # The question under the box is the article's: it stays, the box goes.
    page = f"T\nText one.\n{box}Why does it matter?\nScientists say emissions must fall.\n"
    assert removed_lines(rs.apply(doc_of(page))) == {3: "t/r", 4: "t/r"}
    # At the end of the page a short last headline is still the box's.
    assert removed_lines(rs.apply(doc_of(f"T\nText one.\n{box}Trump wins Iowa\n"))) == {
        3: "t/r",
        4: "t/r",
        5: "t/r",
    }


def test_drop_run_heading_and_the_list_under_it(tmp_path: Path) -> None:
    rule = "  - {id: r, kind: drop_run, why: w, start: '^Related$', line: '^[^.]+$', min_run: 2}\n"
    rs = pack(tmp_path, rule)
    # A box inside the article: the heading and its two headlines go, the text stays.
    box = rs.apply(doc_of("T\nText one.\nRelated\nHeadline one\nHeadline two\nText two.\n"))
    assert removed_lines(box) == {3: "t/r", 4: "t/r", 5: "t/r"}
    # One headline is no list; a heading over text is a subheading.
    assert removed_lines(rs.apply(doc_of("T\nRelated\nHeadline one\nText.\n"))) == {}
    assert removed_lines(rs.apply(doc_of("T\nRelated\nText one.\nText two.\n"))) == {}


def test_drop_run_heading_a_line_rule_removed_still_heads_its_list(tmp_path: Path) -> None:
    # A pack's section-name rule takes "Trending" first (packs run in order); the list
    # under it must go all the same, and a rerun over the output removes nothing more.
    section = "  - {id: s, kind: drop, why: w, where: {head: 3}, regex: '^[A-Z][a-z]+$'}\n"
    box = "  - {id: r, kind: drop_run, why: w, start: '^Trending$', line: '^[^.]+$', min_run: 2}\n"
    menu = "  - {id: m, kind: drop_run, why: w, line: '^(?:Home|News|Trending)$', min_run: 3}\n"
    rs = pack(tmp_path, section + box)
    page = "Trending\nMetro line opens to passengers\nLow-emission zone piloted\nText one.\n"
    doc = rs.apply(doc_of(page))
    assert removed_lines(doc) == {1: "t/s", 2: "t/r", 3: "t/r"}
    cleaned = "\n".join(p.text for p in doc.kept_paragraphs())
    assert removed_lines(rs.apply(doc_of(cleaned))) == {}
    # Not a heading inside a removed menu run: the title and lead under the menu stay.
    rs = pack(tmp_path, menu + box)
    page = "Home\nTrending\nNews\nCouncil approves new schools\nThe budget passed\nText one.\n"
    assert removed_lines(rs.apply(doc_of(page))) == {1: "t/m", 2: "t/m", 3: "t/m"}
    # Nor a list with a removed line ("Ad", a section name here too) between them.
    rs = pack(tmp_path, section + box)
    page = "Trending\nAd\nCouncil approves new schools\nThe budget passed\nText.\n"
    assert removed_lines(rs.apply(doc_of(page))) == {1: "t/s", 2: "t/s"}


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ("start: '^x', bridge: '^y'", "bridge"),
        ("start: '^x', min_run: 3", "min_run"),
        ("line: '^x', block_lines: 2", "block_lines"),
        ("start: '^x', line: '^y', min_blocks: 2", "min_blocks"),
    ],
)
def test_drop_run_fields_of_another_form_are_errors(
    tmp_path: Path, fields: str, named: str
) -> None:
    with pytest.raises(RuleErrors) as info:
        pack(tmp_path, f"  - {{id: m, kind: drop_run, why: w, {fields}}}\n")
    assert named in info.value.records[0].message


def test_drop_run_blocks(tmp_path: Path) -> None:
    rs = pack(
        tmp_path,
        "  - {id: ts, kind: drop_run, why: w, start: '^\\d\\d:\\d\\d$', block_lines: 3,"
        " min_blocks: 2}\n",
    )
    text = (
        "T\n10:00\nBody after a stray stamp\nMore body\nX\n"
        "11:00\nH1\nS1\n12:00\nH2\n13:00\nH3\nS3\nEnd\n"
    )
    doc = rs.apply(doc_of(text))
    # The lone stamp at line 2 is one block only; the run 6..13 has four blocks (one short).
    assert sorted(removed_lines(doc)) == list(range(6, 14))


def test_where_head_tail_skip_head(tmp_path: Path) -> None:
    rs = pack(
        tmp_path,
        "  - {id: h, kind: drop, why: w, exact: [x], where: {head: 2}}\n"
        "  - {id: t, kind: drop, why: w, exact: [y], where: {tail: 2}}\n"
        "  - {id: s, kind: cut_after, why: w, exact: [z], where: {skip_head: 2}}\n",
    )
    doc = rs.apply(doc_of("x\nz\nx\ny\nbody\ny\nz\nend\n"))
    # Scopes count the lines still kept, and scoped rules settle to a fixed point: once
    # line 1 and the cut (7-8) are gone, line 3 is in the head and 6, then 4, in the tail,
    # exactly what a rerun over the cleaned text would find.
    assert removed_lines(doc) == {1: "t/h", 3: "t/h", 4: "t/t", 6: "t/t", 7: "t/s", 8: "t/s"}
    again = rs.apply(doc_of("z\nbody\n"))
    assert removed_lines(again) == {}


PROSE = "The council approved the budget for twenty new schools and three hospitals in the city."
PROSE2 = (
    "The mayor said the money would come from a new tax on the largest companies in the region."
)
PROSE3 = (
    "Work on the first schools will begin in the spring and should be finished within two years."
)
PROSE4 = (
    "Opposition members said the plan was rushed and asked for an audit of the city's accounts."
)
# An article's running text: prose lines that differ (a line the page repeats word for word
# is no article prose, see dedup.ruleset.layout).
BODY = f"{PROSE}\n{PROSE2}\n"


def test_where_after_prose_starts_below_the_articles_running_text(tmp_path: Path) -> None:
    rs = pack(
        tmp_path,
        "  - {id: f, kind: cut_after, why: w, exact: [Share], where: {after_prose: 12}}\n"
        "  - {id: c, kind: drop, why: w, regex: '^We use cookies'}\n",
    )
    # The share bar above the article and the subheading inside it stay; below the last
    # paragraph the share bar cuts to the end, over a teaser's lone summary sentence.
    text = (
        f"Title\nShare\n{PROSE}\n{PROSE2}\nA subheading\n{PROSE3}\n"
        f"Share\nFacebook\nAnother story\n{PROSE4}\nMore news\n"
    )
    assert removed_lines(rs.apply(doc_of(text))) == {n: "t/f" for n in range(7, 12)}
    # An inline box of two lines above the last paragraph does not make it a teaser.
    boxed = f"{BODY}Share\nAnother story\n{PROSE3}\nShare\nFacebook\n"
    assert removed_lines(rs.apply(doc_of(boxed))) == {6: "t/f", 7: "t/f"}
    # A teaser list's summaries read as prose two lines apart, yet none has a prose line
    # next to it: they are no running text, and the list below the article is cut.
    teasers = "".join(f"Headline {n}\n{p}\n" for n, p in enumerate((PROSE2, PROSE3, PROSE4)))
    listed = f"{PROSE}\n{PROSE2}\nShare\nMore news\n{teasers}"
    assert removed_lines(rs.apply(doc_of(listed))) == {n: "t/f" for n in range(3, 11)}
    # The article's own paragraphs printed again under it (a teaser quoting its lead) are
    # no running text: the page repeats them word for word.
    quoted = f"{BODY}Share\nFacebook\n{BODY}"
    assert removed_lines(rs.apply(doc_of(quoted))) == {n: "t/f" for n in range(3, 7)}
    # No running text: the article's end is unknown (a brief of short lines), no scope.
    assert removed_lines(rs.apply(doc_of(f"Brief\nShare\n{PROSE}\nThe mayor resigned.\n"))) == {}
    # Prose counts only while kept: once the cookie banner (two sentences) is gone, the
    # rules settle and the share bar above it is below the article.
    cookies = "We use cookies to improve your experience and to show you relevant content here."
    cookies2 = "We use cookies to measure how the site is used and to remember your settings."
    doc = rs.apply(doc_of(f"{BODY}Share\nTwitter\n{cookies}\n{cookies2}\n"))
    assert removed_lines(doc) == {3: "t/f", 4: "t/f", 5: "t/c", 6: "t/c"}


def test_after_prose_leaves_out_a_short_stretch_of_prose_far_below_the_article(
    tmp_path: Path,
) -> None:
    rs = pack(
        tmp_path,
        "  - {id: f, kind: cut_after, why: w, exact: [Share], where: {after_prose: 12}}\n",
    )
    policy = "Thank you for taking the time to send us your opinion about this story today."
    policy2 = "Our editors read every message and will take appropriate action where needed."
    links = "".join(f"Link {n}\n" for n in range(21))
    article = f"Title\n{PROSE}\n{PROSE2}\n{PROSE3}\n"
    # A feedback form's two sentences 21 lines below the article are no article text:
    # the share bar under the article cuts to the end, form included.
    page = doc_of(f"{article}Share\n{links}{policy}\n{policy2}\nEnd\n")
    assert removed_lines(rs.apply(page)) == {n: "t/f" for n in range(5, 30)}
    # Closer below the article, the same sentences are its last paragraphs: the share bar
    # above them is inside the article and cuts nothing.
    few = "".join(f"Link {n}\n" for n in range(5))
    near = doc_of(f"{article}Share\n{few}{policy}\n{policy2}\nEnd\n")
    assert removed_lines(rs.apply(near)) == {}
    # A page whose only running text is such a short stretch keeps it (a brief): only the
    # share bar under it cuts.
    brief = doc_of(f"Title\nShare\n{links}{policy}\n{policy2}\nShare\nEnd\n")
    assert removed_lines(rs.apply(brief)) == {26: "t/f", 27: "t/f"}


def test_after_prose_on_a_page_with_no_two_prose_lines_in_a_row(tmp_path: Path) -> None:
    rs = pack(
        tmp_path,
        "  - {id: f, kind: cut_after, why: w, exact: [Share], where: {after_prose: 12}}\n",
    )
    # An explainer: every paragraph under its own subheading. With no two prose lines in a
    # row anywhere, a prose line near another one is running text: the share bar under the
    # last paragraph cuts to the end, and the subheadings stay.
    qa = f"Title\nWhat changed?\n{PROSE}\nWho pays?\n{PROSE2}\nWhat next?\n{PROSE3}\n"
    assert removed_lines(rs.apply(doc_of(f"{qa}Share\nFacebook\n"))) == {8: "t/f", 9: "t/f"}
    # A share bar between two of its paragraphs is inside the article.
    inside = f"Title\nWhat changed?\n{PROSE}\nShare\n{PROSE2}\n"
    assert removed_lines(rs.apply(doc_of(inside))) == {}
    # A lone prose line has no other one near it: still no running text, no scope.
    lone = f"Title\n{PROSE}\nA\nB\nC\nShare\nFacebook\n"
    assert removed_lines(rs.apply(doc_of(lone))) == {}


def test_after_prose_on_a_brief_of_short_paragraphs(tmp_path: Path) -> None:
    rs = pack(
        tmp_path,
        "  - {id: f, kind: cut_after, why: w, exact: [Share], where: {after_prose: 15}}\n",
    )
    # A brief whose paragraphs all have 10 to 14 words has no running text at 15 words:
    # two thirds of the count (10) then make it running text, and the share bar under
    # it cuts to the end; the one above the text stays.
    brief = (
        "Title\nShare\nThe council approved the budget for twenty new schools on Monday.\n"
        "The mayor said the money would come from a new tax.\n"
        "Work on the first schools will start early next year.\nShare\nFacebook\nMore news\n"
    )
    assert removed_lines(rs.apply(doc_of(brief))) == {6: "t/f", 7: "t/f", 8: "t/f"}
    # Shorter still (under 10 words a line): no running text, no scope.
    shorter = "Title\nThe council approved the budget.\nThe mayor resigned.\nShare\nMore news\n"
    assert removed_lines(rs.apply(doc_of(shorter))) == {}


def test_runs_are_made_of_kept_lines(tmp_path: Path) -> None:
    rs = pack(
        tmp_path,
        "  - {id: menu, kind: drop_run, why: w, line: '^[A-Z][a-z]+$', min_run: 3}\n"
        "  - {id: sep, kind: drop, why: w, exact: ['|']}\n",
    )
    # The separators break the run when the run rule first looks; settling sees the
    # run of three that a rerun over the cleaned text would see.
    doc = rs.apply(doc_of("A title here.\nNews\n|\nSport\n|\nWeather\nBody text here.\n"))
    assert sorted(removed_lines(doc)) == [2, 3, 4, 5, 6]


def test_where_needs_exactly_one_bound(tmp_path: Path) -> None:
    with pytest.raises(RuleErrors) as info:
        pack(tmp_path, "  - {id: h, kind: drop, why: w, exact: [x], where: {head: 2, tail: 1}}\n")
    assert info.value.records[0].field == "rules[0].where"
    assert "after_prose" in info.value.records[0].message


def test_applies_to_line_pattern_domain_glob(tmp_path: Path) -> None:
    rule = "  - {id: d, kind: drop, why: w, exact: [Log in]}\n"
    by_line = pack(tmp_path, rule, "{line_pattern: {regex: '^SITE$', where: {tail: 1}}}", "a")
    by_domain = pack(tmp_path, rule, "{url_domain: example.com}", "b")
    by_glob = pack(tmp_path, rule, "{path_glob: 'site/*.txt'}", "c")
    assert removed_lines(by_line.apply(doc_of("Log in\nBody\nSITE\n")))
    assert not removed_lines(by_line.apply(doc_of("Log in\nSITE\nBody\n")))
    assert removed_lines(by_domain.apply(doc_of("Log in\n", url="https://www.example.com/a")))
    assert not removed_lines(by_domain.apply(doc_of("Log in\n", url="https://badexample.com/")))
    assert removed_lines(by_glob.apply(doc_of("Log in\n", doc_id="site/1.txt")))
    assert not removed_lines(by_glob.apply(doc_of("Log in\n", doc_id="other/1.txt")))


def test_catastrophic_pattern_is_linear(tmp_path: Path) -> None:
    rs = pack(tmp_path, "  - {id: evil, kind: drop, why: w, regex: '(a+)+$'}\n")
    # A backtracking engine would take exponential time on the first line; RE2 is linear.
    doc = rs.apply(doc_of("a" * 50000 + "b\n" + "a" * 50000 + "\n"))
    assert removed_lines(doc) == {2: "t/evil"}


def test_lookahead_rejected_with_clear_message(tmp_path: Path) -> None:
    with pytest.raises(RuleErrors) as info:
        pack(tmp_path, "  - {id: la, kind: drop, why: w, regex: 'Log(?= in)'}\n")
    record = info.value.records[0]
    assert (record.line, record.field) == (4, "rules[0].regex[0]")
    assert "no lookaround or backreferences" in record.message


def test_stage_pickles_and_runs_after_unpickling(tmp_path: Path) -> None:
    rs = pack(tmp_path, "  - {id: sep, kind: drop, why: w, regex: '^[|]$'}\n")
    stage = rs.stage()
    assert isinstance(stage, DocumentStage) and stage.name == "rules"
    stage.process(doc_of("|\n"))  # compiles the RE2 pattern first: must still pickle
    clone = pickle.loads(pickle.dumps(stage))
    doc = apply_document_stages(doc_of("T\n|\n"), [clone])
    assert removed_lines(doc) == {2: "t/sep"}


def test_would_remove_runs_on_a_copy(tmp_path: Path) -> None:
    rs = pack(tmp_path, "  - {id: sep, kind: drop, why: w, regex: '^[|]$'}\n")
    doc = doc_of("T\n|\nB\n")
    assert rs.would_remove(doc) == [(2, "t/sep")]
    assert all(p.kept for p in doc.paragraphs)
    rs.apply(doc)
    assert rs.would_remove(doc) == []  # already removed: nothing more


def test_strip_replacement_keeps_non_ascii_text_and_expands_groups(tmp_path: Path) -> None:
    # google-re2's own template expansion wrote "â\x80\x94" for "—" (silent mojibake).
    rs = pack(
        tmp_path,
        "  - {id: d, kind: strip, why: w, regex: ' -- ', replace: ' — '}\n"
        "  - {id: g, kind: strip, why: w, regex: '(\\d+) EUR', replace: '€\\1'}\n",
    )
    doc = rs.apply(doc_of("Title\nPrices -- now 12 EUR -- rose.\n"))
    assert doc.paragraphs[1].text == "Prices — now €12 — rose."


def test_a_strip_example_whose_output_would_be_edited_again_fails(tmp_path: Path) -> None:
    # "HCM" -> "HCM City" passes once, and becomes "HCM City City" when cleaned again.
    rs = pack(
        tmp_path,
        "  - id: c\n    kind: strip\n    why: w\n    regex: '\\bHCM\\b'\n"
        "    replace: HCM City\n"
        "    examples:\n      strip: [{in: 'HCM grows', out: 'HCM City grows'}]\n",
    )
    [result] = rs.run_examples()
    assert not result.ok and "not idempotent" in result.message


def test_examples_runner_reports_failures_with_lines(tmp_path: Path) -> None:
    rs = pack(
        tmp_path,
        "  - id: sep\n    kind: drop\n    why: w\n    regex: '^[|]$'\n"
        "    examples:\n      drop: ['|', 'not a separator']\n      keep: ['a | b']\n"
        "  - id: dl\n    kind: strip\n    why: w\n    regex: '^X - '\n"
        "    examples:\n      strip: [{in: 'X - body', out: body}, {in: 'X - b', out: c}]\n",
    )
    results = rs.run_examples()
    assert [(r.rule, r.expect, r.ok) for r in results] == [
        ("t/sep", "drop", True),
        ("t/sep", "drop", False),
        ("t/sep", "keep", True),
        ("t/dl", "strip", True),
        ("t/dl", "strip", False),
    ]
    failed = [r for r in results if not r.ok]
    assert failed[0].line == 9 and "not removed" in failed[0].message
    assert str(failed[0]).startswith(f"{tmp_path / 't.yaml'}:9: t/sep: drop FAIL")
    assert "got 'b', want 'c'" in failed[1].message


def test_packs_run_in_priority_order(tmp_path: Path) -> None:
    write_pack(
        tmp_path,
        "pack: late\npriority: 5\napplies_to: {any: true}\nrules:\n"
        "  - {id: a, kind: drop, why: w, exact: [x]}\n",
        "a.yaml",
    )
    write_pack(
        tmp_path,
        "pack: early\napplies_to: {any: true}\nrules:\n"
        "  - {id: a, kind: drop, why: w, exact: [x]}\n",
        "b.yaml",
    )
    rs = load_rules([tmp_path])
    assert removed_lines(rs.apply(doc_of("x\n"))) == {1: "early/a"}


def test_cut_after_confirm_needs_what_follows_the_marker(tmp_path: Path) -> None:
    rs = pack(
        tmp_path,
        "  - id: c\n    kind: cut_after\n    why: w\n    exact: [Comments]\n"
        "    confirm: {regex: 'says:$', within: 3, min: 2}\n",
    )
    # A counter under the headline is followed by the article: no cut there. The heading
    # of the comment section is followed by signed comments: the cut starts at it.
    text = f"Title\nComments\n{BODY}Comments\nann says:\nNice.\nbob says:\nNo.\n"
    assert removed_lines(rs.apply(doc_of(text))) == {n: "t/c" for n in range(5, 10)}
    # One signature in the window is not enough; a second one beyond it does not count.
    few = "Title\nComments\nann says:\nNice.\nA reply.\nbob says:\n"
    assert removed_lines(rs.apply(doc_of(few))) == {}


def test_confirm_min_cannot_exceed_within(tmp_path: Path) -> None:
    with pytest.raises(RuleErrors) as info:
        pack(
            tmp_path,
            "  - id: c\n    kind: cut_after\n    why: w\n    exact: [Comments]\n"
            "    confirm: {regex: 'x', within: 2, min: 3}\n",
        )
    record = info.value.records[0]
    assert record.field.startswith("rules[0].confirm") and "min (3)" in record.message


ECHO = "  - {id: e, kind: title_echo, why: w}\n"
ABOVE = "  - {id: h, kind: header_above, why: w, regex: ['^By [A-Z]\\w+ [A-Z]\\w+$']}\n"
HEADLINE = "Council approves the budget for new schools"


def test_title_echo_needs_the_article_right_below_the_repeat(tmp_path: Path) -> None:
    rs = pack(tmp_path, ECHO)
    # The title listed again under the article (running text comes first): no header.
    listed = f"{HEADLINE}\n{BODY}Most read\n{HEADLINE}\n{PROSE3}\n{PROSE4}\n"
    assert removed_lines(rs.apply(doc_of(listed))) == {}
    # A brief (no running text) whose own title its footer lists: left alone.
    brief = f"{HEADLINE}\nThe mayor resigned.\nMost read\n{HEADLINE}\nAnother story\n"
    assert removed_lines(rs.apply(doc_of(brief))) == {}
    # A short first line is no title to look for, nor a site name of four words that
    # stands again as a credit line over the text, below the real headline and lead.
    assert removed_lines(rs.apply(doc_of(f"Home\nNews\nHome\n{BODY}"))) == {}
    # One line between the title and its repeat is a lead, the headline repeated as the
    # photo's caption.
    lead = f"{HEADLINE}\nA short lead\n{HEADLINE}\n{BODY}"
    assert removed_lines(rs.apply(doc_of(lead))) == {}
    masthead = "The Daily Paper Online"
    page = f"{masthead}\nLog in\n{HEADLINE}\nThe lead.\n{masthead}\n{BODY}"
    assert removed_lines(rs.apply(doc_of(page))) == {}


def test_title_echo_drops_a_title_with_the_site_name_and_keeps_a_bare_one(
    tmp_path: Path,
) -> None:
    rs = pack(tmp_path, ECHO)
    header = "Home\nNews\nA teaser\n"
    # The headline right below a title with the site's name: the title alone goes.
    page = f"{HEADLINE} - The Daily\n{HEADLINE}\nBy Ann\n{BODY}"
    assert removed_lines(rs.apply(doc_of(page))) == {1: "t/e"}
    # A title that is the headline word for word stays; its repeat is the near-duplicate
    # engine's (a repeated paragraph), not the rule's.
    page = f"{HEADLINE}\n{header}{HEADLINE}\nBy Ann\n{BODY}"
    assert removed_lines(rs.apply(doc_of(page))) == {2: "t/e", 3: "t/e", 4: "t/e"}
    # drop_title: false keeps the first line whatever it carries.
    keep = pack(tmp_path, ECHO.replace("why: w", "why: w, drop_title: false"))
    page = f"{HEADLINE} - The Daily\n{header}{HEADLINE}\nBy Ann\n{BODY}"
    assert removed_lines(keep.apply(doc_of(page))) == {2: "t/e", 3: "t/e", 4: "t/e"}
    # A German headline of four long words is a title to look for (seven characters a
    # word where the words fall short, as for running text).
    german = "Bundestag beschließt höhere Pendlerpauschale"
    page = f"{german} | tagesschau.de\n{header}{german}\nVon Ann Lee\n{BODY}"
    assert removed_lines(rs.apply(doc_of(page))) == {n: "t/e" for n in range(1, 5)}
    # No repeat with the article under it: the title stays, with or without a site name.
    page = f"{HEADLINE} - The Daily\n{header}By Ann\n{BODY}"
    assert removed_lines(rs.apply(doc_of(page))) == {}


def test_header_above_drops_the_title_only_when_it_has_parts(tmp_path: Path) -> None:
    rs = pack(tmp_path, ABOVE)
    header = "Home\nNews\nA teaser\n"
    page = f"{HEADLINE}\n{header}Council budget approved for new schools\nBy Ann Lee\n{BODY}"
    assert removed_lines(rs.apply(doc_of(page))) == {2: "t/h", 3: "t/h", 4: "t/h"}


PAGE_HEADERS = {
    # "Section | Headline - Site": its longest part is printed again over the article.
    "title_echo": (
        ECHO,
        f"Local | {HEADLINE} - The Daily\nHome\nNews\nA teaser\n{HEADLINE}\nBy Ann\n",
    ),
    # The H1 is worded differently from the HTML title; the byline under it, with the
    # article right below, says where the header ends. The standfirst stays.
    "header_above": (
        ABOVE,
        f"{HEADLINE} - The Daily\nHome\nNews\nA teaser\n"
        "Council budget approved for new schools\nThe vote was close.\nBy Ann Lee\n",
    ),
}


@pytest.mark.parametrize("kind", PAGE_HEADERS)
def test_page_header_kinds_drop_the_header_and_nothing_more_on_a_rerun(
    tmp_path: Path, kind: str
) -> None:
    rule, top = PAGE_HEADERS[kind]
    rs = pack(tmp_path, rule)
    doc = rs.apply(doc_of(f"{top}{BODY}"))
    rule_id = "t/e" if rule == ECHO else "t/h"
    # The title goes too: it carries the site's name beside the headline kept below.
    assert removed_lines(doc) == {1: rule_id, 2: rule_id, 3: rule_id, 4: rule_id}
    # On the cleaned text the headline follows the title at once: nothing more goes.
    cleaned = "\n".join(p.text for p in doc.kept_paragraphs())
    assert removed_lines(rs.apply(doc_of(cleaned))) == {}


def test_header_above_leaves_pages_it_cannot_read(tmp_path: Path) -> None:
    rs = pack(tmp_path, ABOVE)
    header = "Home\nNews\nA teaser\n"
    body = BODY
    pages = {
        # No line over the byline shares the title's words: the headline is unknown.
        "no headline": f"{HEADLINE}\n{header}Mayor resigns\nBy Ann Lee\n{body}",
        # A byline over a second story, under the article's running text.
        "second story": f"{HEADLINE}\n{body}{header}{HEADLINE}\nBy Ann Lee\n{body}",
        # A byline with no running text under it (a teaser's credit).
        "teaser": f"{HEADLINE}\n{header}{HEADLINE}\nBy Ann Lee\nMost read\nAnother story\n",
        # The seeds' shape: title, byline, text.
        "title first": f"{HEADLINE}\nBy Ann Lee\n{body}",
        # One line between the title and the headline is a lead.
        "lead": f"{HEADLINE}\nA short lead\n{HEADLINE}\nBy Ann Lee\n{body}",
        # A first line too short for a headline is the site's name: a line naming the
        # site under the real headline is no headline (the headline stays).
        "site name first": (
            f"The Daily Post\n{header}{HEADLINE}\nAnn Lee (The Daily Post)\nBy Ann Lee\n{body}"
        ),
    }
    for name, page in pages.items():
        assert removed_lines(rs.apply(doc_of(page))) == {}, name


def test_header_above_anchors_on_a_byline_another_rule_removed(tmp_path: Path) -> None:
    # The byline rule removes the anchor in the first pass, while the share bar under it
    # still keeps the article seven lines below (too far). Once the bar is gone, the
    # header is found from the removed byline.
    byline = ABOVE.replace("{id: h, kind: header_above", "{id: b, kind: drop")
    bar = "  - {id: s, kind: drop, why: w, exact: [Share, Tweet, Email, Print, Copy link, Save]}\n"
    rs = pack(tmp_path, ABOVE + byline + bar)
    top = (
        f"{HEADLINE} - The Daily\nHome\nNews\nA teaser\n"
        "Council budget approved for new schools\nBy Ann Lee\n"
        "Share\nTweet\nEmail\nPrint\nCopy link\nSave\n"
    )
    doc = rs.apply(doc_of(f"{top}{BODY}"))
    want = {1: "t/h", 2: "t/h", 3: "t/h", 4: "t/h", 6: "t/b"} | {n: "t/s" for n in range(7, 13)}
    assert removed_lines(doc) == want
    cleaned = "\n".join(p.text for p in doc.kept_paragraphs())
    assert removed_lines(rs.apply(doc_of(cleaned))) == {}


@pytest.mark.parametrize("kind", PAGE_HEADERS)
def test_page_header_kinds_take_no_where(tmp_path: Path, kind: str) -> None:
    rule, _ = PAGE_HEADERS[kind]
    with pytest.raises(RuleErrors) as info:
        pack(tmp_path, rule.replace("why: w", "why: w, where: {head: 3}"))
    record = info.value.records[0]
    assert record.field == "rules[0].where"
    assert record.message.startswith(f"{kind} rules take no where")


def test_a_cut_after_that_keeps_its_marker_can_pass_a_drop_example(tmp_path: Path) -> None:
    rs = pack(
        tmp_path,
        "  - id: c\n    kind: cut_after\n    why: w\n    include_marker: false\n"
        "    exact: [Related news]\n"
        '    examples:\n      drop: ["Related news\\nA headline\\nAnother"]\n',
    )
    [result] = rs.run_examples()
    assert result.ok, result.message
