"""The fast paths agree with the plain ones: in-memory paragraphs and engine signatures
(``dedup clean``) versus re-reading the files (``dedup validate DIR``); every pair of an
LSH bucket verified; the trailing-whitespace gate."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import numpy as np
import pytest
from helpers_validate import sentence
from hypothesis import given
from hypothesis import strategies as st

from dedup.api import clean
from dedup.config import build_config
from dedup.model import Document, Edit, Paragraph
from dedup.neardup.verification import same_numbers
from dedup.records import document_record
from dedup.text import normalize, segment
from dedup.validate import textchecks as tc
from dedup.validate import validate_output
from dedup.validate.corpus import KeptDoc, memory_paragraphs
from dedup.validate.neardups import _bucket_pairs, engine_near_duplicates

ROOT = Path(__file__).resolve().parents[2]


def _para(line: int, raw: str) -> Paragraph:
    return Paragraph(line, raw, raw.strip(), normalize(raw))


def _fields(paras: list[Paragraph]) -> list[tuple[int, str, str, str]]:
    return [(p.line, p.raw, p.text, p.norm) for p in paras]


def test_memory_paragraphs_equal_resegmented_record() -> None:
    title = _para(1, "  Metro line opens  ")
    chrome = _para(2, "Share:")
    chrome.remove("rule", "test/share")
    body = _para(4, "\tThe city\u2019s first metro line opened on Monday.")
    edited = _para(5, "Photo: VNA  Crowds at the station")
    # a later edit (like the output form) leaves p.norm stale: it must not be reused
    edited.add_edit(Edit("test/photo", edited.text, "Crowds at the station"))
    edited.text = "Crowds at the station"
    doc = Document("d1", "d1.txt", [title, chrome, body, edited])
    rec = document_record(doc)
    kd = KeptDoc("d1", 1, "d1.txt", None, rec["title"], rec["text"], rec["lines"])
    known = memory_paragraphs(doc, rec["title"], rec["text"], rec["lines"])
    assert known is not None
    assert _fields(known) == _fields(kd.paragraphs())
    assert known[-1].norm == "Crowds at the station"


def test_memory_paragraphs_refuse_a_record_they_did_not_write() -> None:
    doc = Document("d1", "d1.txt", [_para(1, "Title"), _para(3, "Body text here.")])
    rec = document_record(doc)
    assert memory_paragraphs(doc, rec["title"], rec["text"] + " changed", rec["lines"]) is None
    assert memory_paragraphs(doc, rec["title"], rec["text"], [1, 2]) is None
    doc.paragraphs[1].text = "two\nlines"  # would segment differently
    rec = document_record(doc)
    assert memory_paragraphs(doc, rec["title"], rec["text"], rec["lines"]) is None


def test_bucket_pairs_link_every_member_not_a_star() -> None:
    keys = np.array([[7, 1], [7, 2], [7, 3], [9, 3]], dtype=np.uint64)
    assert _bucket_pairs(keys).tolist() == [[0, 1], [0, 2], [1, 2], [2, 3]]


def _norms(text: str) -> list[str]:
    return [p.norm for p in segment(text)]


def test_near_pair_found_when_first_bucket_member_is_unrelated() -> None:
    rng = random.Random(3)
    body = [sentence(rng, 40) for _ in range(3)]
    twin = [*body[:2], body[2].replace(".", " today.")]
    other = [sentence(rng, 40) for _ in range(3)]
    docs = [other, body, twin]
    ids = ["x", "a", "b"]
    norms = [_norms("\n".join(d)) for d in docs]
    found = engine_near_duplicates(ids, norms, 0.8)
    assert [(a, b) for a, b, _ in found] == [("a", "b")]
    # the same answer with signatures handed in (as the engine's are in `dedup clean`)
    from dedup.neardup.signatures import Signer

    signer = Signer()
    sigs = [signer.document_signature(signer.paragraph_signatures(n)) for n in norms]
    assert engine_near_duplicates(ids, norms, 0.8, signatures=sigs) == found


def _corpus(folder: Path) -> Path:
    rng = random.Random(11)
    folder.mkdir()
    base = [sentence(rng, 30) for _ in range(6)]
    for n in range(8):
        paras = [sentence(rng, 30) for _ in range(6)] if n % 3 else list(base)
        if n % 3 == 0 and n:
            paras[-1] = base[-1].replace(".", " today.")  # a near twin of document 0
        lines = [f"Story {n}: " + sentence(rng, 5), "Share:", *paras, "Subscribe to our newsletter"]
        (folder / f"doc{n}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_clean_in_memory_validation_equals_validating_the_folder(tmp_path: Path) -> None:
    # LSH the engine cannot hit (one band of all rows): twins stay kept, so the
    # validation's own LSH (on the engine's reused signatures) must find them.
    config = build_config(
        {
            "jobs": 1,
            "neardup": {"doc_bands": 1, "doc_rows": 128},
            "validation": {"min_words": 1000},
        }
    )
    out = tmp_path / "out"
    result = clean([_corpus(tmp_path / "in")], out, config)
    assert result.validation is not None
    in_memory = result.validation.to_json()
    checks = {f["check"] for f in in_memory["findings"]}
    assert {"near_duplicate_kept", "text_min_words"} <= checks
    from dedup.ruleset import load_rules

    again = validate_output(out, config, ruleset=load_rules(config.rules))
    assert again.to_json() == in_memory
    assert json.loads((out / "validation.json").read_text())["findings"] == in_memory["findings"]


# A pack that is not idempotent: the strip rule leaves a line the earlier drop rule would
# remove, so validation must report a rule leftover.
_LEFTOVER_PACK = """pack: leftover
applies_to: {any: true}
rules:
  - {id: drop-promo, kind: drop, why: w, exact: [Promo]}
  - {id: strip-tag, kind: strip, why: w, regex: '^TAG '}
"""


@pytest.mark.parametrize("jobs", [1, 2])
def test_rule_leftovers_probed_in_the_map_equal_validating_the_folder(
    tmp_path: Path, jobs: int
) -> None:
    pack = tmp_path / "leftover.yaml"
    pack.write_text(_LEFTOVER_PACK, encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    rng = random.Random(3)
    for n in range(6):
        body = [sentence(rng, 25) for _ in range(4)]
        if n % 2:
            body.insert(2, "TAG Promo")
        (folder / f"doc{n}.txt").write_text(f"Title {n}\n" + "\n".join(body) + "\n", "utf-8")
    config = build_config({"jobs": jobs, "rules": (pack,)})
    out = tmp_path / "out"
    result = clean([folder], out, config)
    assert result.validation is not None
    in_memory = result.validation.to_json()
    leftovers = [f for f in in_memory["findings"] if f["check"] == "rule_leftover"]
    assert len(leftovers) == 3
    assert all("leftover/drop-promo" in f["message"] for f in leftovers)
    from dedup.ruleset import load_rules

    assert validate_output(out, config, ruleset=load_rules(config.rules)).to_json() == in_memory


def test_probed_answers_are_used_only_for_the_lines_they_were_asked_of() -> None:
    from dedup.ruleset import load_rules
    from dedup.validate.corpus import check_rule_leftovers, repeated_pairs
    from dedup.validate.probe import ValidationProbeStage, probed_answers

    config = build_config({"rules": (ROOT / "rules",)})
    rules = load_rules(config.rules)
    said = (
        "The council approved twenty new schools and three hospitals on Monday evening, "
        "after a debate that lasted most of the day."
    )
    doc = Document("d", "d.txt", segment(f"Title\nShare:\n{said}\n{said}\nAnother line.\n"))
    ValidationProbeStage(rules, config).process(doc)
    copies = [Paragraph(p.line, p.text, p.text, p.norm) for p in doc.paragraphs]
    kd = KeptDoc("d", 1, "d.txt", None, "Title", "", None, known=copies)
    probed, earlier = probed_answers(doc, kd)
    assert probed is not None and earlier is None
    assert probed.leftovers == rules.would_remove(kd.document()) == [(2, "generic/share-widgets")]
    assert (
        probed.repeats.pairs == repeated_pairs(kd.norms(), *probed.repeat_params) == [(2, 3, None)]
    )
    # Fewer lines (the corpus step removed one): asked again, with the bank primed by the
    # earlier answers, which give the same findings as a cold bank.
    fewer = KeptDoc("d", 1, "d.txt", None, "Title", "", None, known=copies[:-1])
    probed, earlier = probed_answers(doc, fewer)
    assert probed is None and earlier is probed_answers(doc, kd)[0]
    fewer.earlier = earlier
    cold = load_rules(config.rules)
    assert check_rule_leftovers([fewer], rules) == check_rule_leftovers([fewer], cold)
    assert rules.bank.matches("Share:") == cold.bank.matches("Share:") != frozenset()
    # A record not known line for line: no answers at all.
    assert probed_answers(doc, KeptDoc("d", 1, "d.txt", None, "Title", "", None)) == (None, None)


def test_primed_answers_equal_the_bank_s_own() -> None:
    from dedup.ruleset import load_rules

    texts = ["Share:", "Log in", "Politics", "A sentence of the article.", "© 2019 News Inc."]
    asked = load_rules([ROOT / "rules"])
    found = asked.bank.answers(texts)
    assert set(found) < set(texts) and "A sentence of the article." not in found
    primed = load_rules([ROOT / "rules"])
    assert primed.bank.fingerprint == asked.bank.fingerprint
    primed.bank.prime(found, texts)
    assert all(primed.bank.matches(t) == asked.bank.matches(t) for t in texts)
    assert all(t in primed.bank._memo for t in texts)  # answered without matching


_WS = st.sampled_from(["a", "b", " ", "\t", "\n", "\r", "\u00a0", "\u2028", "\x1c", "\x85"])


@given(st.lists(_WS, max_size=12).map("".join))
def test_trailing_gate_changes_nothing(value: str) -> None:
    plain = re.compile(r"[^\S\n\r]+(?=\r?\n|\r|$)").search(value)
    found = tc.find_trailing(value)
    assert (found is None) == (plain is None)


@given(st.lists(_WS, max_size=16).map("".join), st.integers(0, 8))
def test_min_words_without_a_full_split_agrees_with_the_count(value: str, n: int) -> None:
    assert tc.has_min_words(value, n) == (tc.word_count(value) >= n)
    assert not tc.has_min_words(None, 1)


@given(st.lists(_WS, max_size=12).map("".join))
def test_character_finders_agree_with_plain_searches(value: str) -> None:
    for find, chars in ((tc.find_nbsp, tc.NBSP_CHARS), (tc.find_cr, "\r")):
        assert (find(value) is None) == (not any(c in value for c in chars))


def _repeats_by_every_pair(norms: list[str], threshold: float) -> list[tuple[int, int]]:
    # The check's near-repeat rule written as the plain double loop it replaces.
    from rapidfuzz import fuzz

    idx = [k for k, n in enumerate(norms) if len(n) >= 10 and norms.index(n) == k]
    flagged: list[tuple[int, int]] = []
    for b in range(len(idx)):
        for a in range(b):
            score = fuzz.ratio(norms[idx[a]], norms[idx[b]], score_cutoff=threshold * 100)
            same = same_numbers(norms[idx[a]], norms[idx[b]])
            if score and same and idx[a] not in {j for _, j in flagged}:
                flagged.append((idx[a], idx[b]))
                break
    return flagged


_VARIANTS = [
    "the minister said the city is growing fast",
    "the minister said the city is growing quickly",
    "the minister says the city grows fast",
    "a new bridge opens over the river next spring",
    "a new bridge opened over the river last spring",
    "prices rose sharply in the third quarter",
    "prices rose 3% in the third quarter of 2019",
    "prices rose 4% in the third quarter of 2019",
    "prices rose 3% in the 3rd quarter of 2019",
]


@given(st.lists(st.sampled_from(_VARIANTS), min_size=2, max_size=10))
def test_near_repeat_pairs_equal_the_pairwise_loop(lines: list[str]) -> None:
    from dedup.validate.corpus import check_repeated_paragraphs

    kd = KeptDoc("d", 1, "d.txt", None, lines[0], "\n\n".join(lines[1:]), None)
    found = check_repeated_paragraphs([kd], 0.8, 10)
    near = [
        (int(m[2]), int(m[1]))
        for f in found
        if (m := re.match(r"line (\d+) nearly repeats \(similarity [\d.]+\) line (\d+)", f.message))
    ]

    def line(k: int) -> int:  # the title is line 1, body paragraphs follow blank lines
        return 1 if k == 0 else 2 * k

    assert near == [(line(a), line(b)) for a, b in _repeats_by_every_pair(lines, 0.8)]


def test_streamed_removals_give_the_findings_of_a_list() -> None:
    """``dedup clean`` streams its removal records into validation's columns; a list of
    the same records (``dedup validate DIR``) must give the same findings, bad rows too."""
    from helpers_validate import FakeRules, removal, valid_output

    from dedup.config import DedupConfig
    from dedup.validate import validate_records

    out = valid_output()
    removals = [
        *out.removals,
        removal("a", 3, detail="test/again"),  # line removed twice
        removal("nobody", 0, reason="vanished", detail=" "),  # four bad fields
        removal("b", 2, reason="repeated", detail="b:1"),  # kept line; no similarity
        {"doc_id": "c", "line": 5},  # missing columns
        removal("c", [1, 2]),  # an unhashable line
    ]
    config, rules = DedupConfig(), FakeRules()
    listed = validate_records(out.documents, removals, config, ruleset=rules)
    streamed = validate_records(out.documents, iter(removals), config, ruleset=rules)
    assert {f.check for f in listed.findings if f.schema == "removed.jsonl"} >= {
        "line_unique_per_doc",
        "doc_id_exists",
        "line_positive",
        "reason_allowed",
        "detail_present",
        "similarity_missing",
        "line_not_kept",
    }
    assert streamed.to_json() == listed.to_json()


def test_chinese_text_is_counted_in_words_of_two_characters(tmp_path: Path) -> None:
    """Chinese and Japanese are written without spaces: a Chinese article is no "ten-word"
    body, and validation must not fail it for being short (as the rules' prose test, two
    characters count as a word)."""
    zh = "上海市政府宣布，到二零三零年将新建五十座城市公园，进一步改善市民的生活环境。"
    hanzi = len(zh.replace("，", "").replace("。", ""))
    assert tc.word_count(zh) == 1 + hanzi // 2  # one space-separated token, 35 characters
    assert tc.has_min_words(zh, 15) and not tc.has_min_words(zh, 25)
    page = tmp_path / "in" / "zh.txt"
    page.parent.mkdir()
    lines = [
        "上海将新建五十座公园",
        zh,
        "据介绍，新建公园将主要分布在人口密集的中心城区和新城地区，总面积约为一千公顷。",
        "相关部门表示，公园建设将与城市更新项目相结合，优先利用闲置土地和老旧厂房。",
    ]
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = clean([page.parent], tmp_path / "out", build_config({"jobs": 1}))
    assert result.validation is not None
    assert [f.check for f in result.validation.findings] == []
