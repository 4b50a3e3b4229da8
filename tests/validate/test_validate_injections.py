"""Inject each kind of violation into a valid output folder; assert the exact findings."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_validate import FakeRules, Output, kept_doc, removal, sentence, valid_output

from dedup.config import DedupConfig
from dedup.validate import ValidationResult, validate_output

Inject = Callable[[Output], None]


def _add(*docs: dict[str, object]) -> Inject:
    return lambda out: out.documents.extend(copy.deepcopy(docs))


def _add_removal(**fields: object) -> Inject:
    def inject(out: Output) -> None:
        rest = {k: v for k, v in fields.items() if k not in ("doc_id", "line")}
        out.removals.append(removal(fields.get("doc_id", "c"), fields["line"], **rest))

    return inject


def _dup_removal(out: Output) -> None:
    out.removals.append(dict(out.removals[0]))  # a:3 twice


def sentence_with(seed: str, inject: str) -> str:
    """A 35-word sentence with ``inject`` replacing the space after its third word."""
    import random

    words = sentence(random.Random(seed), 35).split(" ")
    if not inject:
        return " ".join(words)
    return " ".join(words[:3]) + inject + " ".join(words[3:])


def _near_pair() -> tuple[dict[str, object], dict[str, object]]:
    import random

    rng = random.Random("near")
    paras = [sentence(rng, 40) for _ in range(3)]
    twin = [*paras[:2], paras[2].replace(".", " today.")]
    return (
        kept_doc("near1", title="Metro line opens", paragraphs=paras),
        kept_doc("near2", title="Metro line opens", paragraphs=twin),
    )


# name -> (injection, expected {(check, doc_id)})
CASES: dict[str, tuple[Inject, set[tuple[str, str | None]]]] = {
    "duplicate id": (
        _add(kept_doc("dupid"), kept_doc("dupid", title="Another story entirely here")),
        {("doc_id_unique", "dupid")},
    ),
    "empty id": (_add(kept_doc("")), {("doc_id_not_empty", "")}),
    "empty source": (_add(kept_doc("nosrc", source="")), {("source_not_empty", "nosrc")}),
    "empty title": (_add(kept_doc("notitle", title="")), {("title_not_empty", "notitle")}),
    "multi-line title": (
        _add(kept_doc("mltitle", title="First half\nsecond half")),
        {("title_one_line", "mltitle")},
    ),
    "too-long title": (
        _add(kept_doc("longtitle", title="word " * 80 + "end")),
        {("title_max_chars", "longtitle")},
    ),
    "too-short text": (
        _add(kept_doc("short", paragraphs=["Only a few words here."])),
        {("text_min_words", "short")},
    ),
    "no body paragraph": (
        _add(kept_doc("nobody", paragraphs=[])),
        {("text_min_words", "nobody"), ("text_min_paragraphs", "nobody")},
    ),
    "NBSP": (
        _add(kept_doc("nbsp", paragraphs=[sentence_with("nbsp", "\u00a0")])),
        {("no_nbsp", "nbsp")},
    ),
    "control char": (
        _add(kept_doc("ctrl", paragraphs=[sentence_with("ctrl", "\x07")])),
        {("no_control_chars", "ctrl")},
    ),
    "carriage return": (
        _add(kept_doc("cr", paragraphs=[sentence_with("cr", "\r")])),
        {("no_cr", "cr")},
    ),
    "trailing spaces": (
        _add(kept_doc("trail", paragraphs=[sentence_with("trail", "") + "  ", "Second part."])),
        {("no_trailing_spaces", "trail")},
    ),
    "blank run": (
        _add(kept_doc("blanks", text=sentence_with("blanks", "") + "\n\n\n\nSecond part.")),
        {("no_blank_runs", "blanks")},
    ),
    "lines mismatch": (
        _add(kept_doc("badlines", lines=[1, 5, 3])),
        {("lines_match_paragraphs", "badlines")},
    ),
    "bad status": (
        _add(kept_doc("badstatus", status="deleted")),
        {("status_allowed", "badstatus")},
    ),
    "dangling duplicate_of": (
        _add(kept_doc("dangling", status="duplicate", duplicate_of="nope", similarity=0.9)),
        {("duplicate_of_target", "dangling")},
    ),
    "duplicate_of on kept doc": (
        _add(kept_doc("keptdup", duplicate_of="a")),
        {("duplicate_of_consistent", "keptdup")},
    ),
    "document similarity out of range": (
        _add(kept_doc("docsim", status="duplicate", duplicate_of="a", similarity=2)),
        {("similarity_range", "docsim")},
    ),
    "removal for unknown doc": (
        _add_removal(doc_id="ghost", line=4),
        {("doc_id_exists", "ghost")},
    ),
    "line < 1": (_add_removal(line=0), {("line_positive", "c")}),
    "duplicate line per doc": (_dup_removal, {("line_unique_per_doc", "a")}),
    "removed line also kept": (_add_removal(line=2), {("line_not_kept", "c")}),
    "bad reason": (_add_removal(line=10, reason="spam"), {("reason_allowed", "c")}),
    "missing detail": (_add_removal(line=11, detail=""), {("detail_present", "c")}),
    "similarity out of range": (
        _add_removal(line=12, reason="boilerplate", detail="a:2", similarity=1.5),
        {("similarity_range", "c")},
    ),
    "similarity missing": (
        _add_removal(line=13, reason="caption-echo", detail="a:2", similarity=None),
        {("similarity_missing", "c")},
    ),
    "leftover chrome line": (
        _add(kept_doc("chrome", paragraphs=[sentence_with("chrome", ""), "Share:"])),
        {("rule_leftover", "chrome")},
    ),
    "repeated paragraph": (
        _add(kept_doc("repeat", paragraphs=[sentence_with("repeat", "")] * 2)),
        {("paragraph_repeated", "repeat")},
    ),
    "near-duplicate kept docs": (_add(*_near_pair()), {("near_duplicate_kept", "near2")}),
}


def run(out: Output, tmp_path: Path) -> ValidationResult:
    folder = out.write(tmp_path / "out")
    return validate_output(folder, DedupConfig(), ruleset=FakeRules())


def pairs(result: ValidationResult) -> set[tuple[str, str | None]]:
    return {(f.check, f.doc_id) for f in result.findings}


def test_valid_output_passes(tmp_path: Path) -> None:
    result = run(valid_output(), tmp_path)
    assert result.findings == []
    assert result.passed
    assert result.to_json() == {"status": "passed", "findings": [], "notes": []}


@pytest.mark.parametrize("name", list(CASES))
def test_each_violation_is_reported_exactly(name: str, tmp_path: Path) -> None:
    inject, expected = CASES[name]
    out = valid_output()
    inject(out)
    result = run(out, tmp_path)
    assert pairs(result) == expected
    assert len(result.findings) == len(expected)
    assert not result.passed


def test_all_violations_reported_together(tmp_path: Path) -> None:
    out = valid_output()
    expected: set[tuple[str, str | None]] = set()
    for inject, exp in CASES.values():
        inject(out)
        expected |= exp
    result = run(out, tmp_path)
    assert pairs(result) == expected
    assert len(result.findings) == len(expected)
    counts = result.by_check()
    assert counts["similarity_range"] == 2  # one per table
    assert sum(counts.values()) == len(expected)
    assert result.to_json()["status"] == "failed"


def test_finding_fields_and_line(tmp_path: Path) -> None:
    out = valid_output()
    out.documents.append(kept_doc("nbsp", paragraphs=[sentence_with("nbsp", "\u00a0")]))
    (finding,) = run(out, tmp_path).findings
    assert finding.schema == "documents.jsonl"
    assert finding.column == "text"
    assert finding.line == 6  # 6th record of documents.jsonl
    assert "no-break space" in finding.message and "line 1" in finding.message
    assert str(finding).startswith("documents.jsonl:6: doc_id=nbsp: no_nbsp: no-break space")


def test_rule_leftover_names_rule_and_raw_line(tmp_path: Path) -> None:
    out = valid_output()
    out.documents.append(
        kept_doc("chrome", paragraphs=[sentence_with("x", ""), "Share:"], lines=[1, 3, 9])
    )
    (finding,) = run(out, tmp_path).findings
    assert finding.check == "rule_leftover"
    assert finding.failure_case == "Share:"
    assert "line 9" in finding.message and "test/share" in finding.message


def test_rule_check_skipped_with_note_without_ruleset(tmp_path: Path) -> None:
    out = valid_output()
    out.documents.append(kept_doc("chrome", paragraphs=[sentence_with("x", ""), "Share:"]))
    result = validate_output(out.write(tmp_path / "o"), DedupConfig())
    assert result.passed
    assert any("rule_leftover" in note for note in result.notes)


def test_missing_column_is_a_finding(tmp_path: Path) -> None:
    out = valid_output()
    for doc in out.documents:
        del doc["source"]
    result = run(out, tmp_path)
    assert pairs(result) == {("column_present", None)}
    assert result.findings[0].column == "source"


def test_thresholds_come_from_config(tmp_path: Path) -> None:
    out = valid_output()
    config = DedupConfig.model_validate({"validation": {"min_words": 1000}})
    result = validate_output(out.write(tmp_path / "o"), config, ruleset=FakeRules())
    assert pairs(result) == {("text_min_words", d) for d in ("a", "b", "c")}
    assert "(at least 1000)" in result.findings[0].message
