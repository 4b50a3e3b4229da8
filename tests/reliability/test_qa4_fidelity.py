"""Findings of the fourth adversarial QA pass (data fidelity, twelfth session); each test
fails on the code before its fix. (Strip replacements with non-ASCII text and strip
examples that are not idempotent: tests/ruleset/test_ruleset_kinds.py; which file of a
duplicate pair `dedup check` names: tests/check/test_check_findings.py.)

* A ``.txt`` name starting with a letter and a colon (``q:a.txt``) was taken for a Windows
  drive: alone it stopped the run, in a folder its text went to the folder's name.
* ``dedup check`` counted a Chinese article's words by spaces ("1 words") and rejected
  what ``dedup clean`` validates.
* ``dedup restore`` skipped rejected documents without a word; ``dedup check`` counted
  words before the exact repeats ``dedup clean`` removes.
* ``manifest.json``'s ``removed_by_rule`` left out the lines a strip rule emptied, which
  the report counts as the rule's hits.
"""

from __future__ import annotations

import json
from pathlib import Path

from helpers_reliability import copy_seeds, run_cli

TEXT = "A headline about the port\n" + "The port opened on Monday after years of work. " * 8


def test_names_with_a_colon_are_plain_names(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    (inputs / "sub").mkdir(parents=True)
    (inputs / "q:a.txt").write_text(TEXT)
    (inputs / "sub" / "q:a.txt").write_text(TEXT.replace("port", "harbour"))
    (inputs / "sub" / "y.txt").write_text(TEXT.replace("port", "airport"))
    out = tmp_path / "out"
    run = run_cli("clean", inputs, "--out", out, "-q", "-j", "1")
    assert run.exit_code == 0, run.output
    assert (out / "text" / "q:a.txt").is_file() and (out / "text" / "sub" / "q:a.txt").is_file()
    assert run_cli("restore", out, "--to", tmp_path / "r").exit_code == 0
    restored = (tmp_path / "r" / "sub" / "q:a.txt").read_text()
    assert restored == TEXT.replace("port", "harbour").rstrip() + "\n"  # trailing space: docs


def test_check_counts_chinese_words_as_validation_does(tmp_path: Path) -> None:
    corpus = copy_seeds(tmp_path)
    new = tmp_path / "zh.txt"
    body = "上海今冬首轮寒潮来袭，周末最低气温跌至两摄氏度，市民出行需注意保暖。" * 3
    new.write_text("上海迎来寒潮\n" + "\n".join([body] * 4) + "\n")
    run = run_cli("check", new, "--corpus", corpus, "--index", tmp_path / "i.sqlite")
    assert "SCHEMA-LENGTH" not in run.output, run.output
    out = tmp_path / "out"
    assert run_cli("clean", new, "--out", out, "-q").exit_code == 0  # and clean agrees


def test_restore_names_the_documents_it_cannot_rebuild(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "good.txt").write_text(TEXT)
    (inputs / "bad.txt").write_bytes("A title\nCaf\xe9 prices rose.\n".encode("cp1252"))
    (inputs / "empty.txt").write_text("\n\n")
    out = tmp_path / "out"
    run = run_cli("clean", inputs, "--out", out, "-q", "--on-error", "skip", "-j", "1")
    assert run.exit_code == 0, run.output
    run = run_cli("restore", out, "--to", tmp_path / "r")
    assert run.exit_code == 0
    assert "restored 1 documents" in run.output
    assert "not rebuilt: 2 rejected documents" in run.output
    assert "bad.txt (" in run.output and "empty.txt (" in run.output


def test_manifest_counts_a_strip_rules_emptied_lines_as_its_hits(tmp_path: Path) -> None:
    pack = tmp_path / "p.yaml"
    pack.write_text(
        "pack: p\napplies_to: {any: true}\nrules:\n"
        "  - {id: dl, kind: strip, why: w, regex: '^DATELINE\\s*-\\s*'}\n"
    )
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.txt").write_text("Title\nDATELINE - \nDATELINE - The port opened.\n" + TEXT)
    out = tmp_path / "out"
    assert run_cli("clean", inputs, "--out", out, "-q", "--rules", pack).exit_code == 0
    counts = json.loads((out / "manifest.json").read_text())["counts"]
    assert counts["removed_by_reason"] == {"empty-after-edit": 1}
    assert counts["removed_by_rule"] == {"p/dl": 1}


def test_check_counts_words_as_clean_will_after_exact_repeats(tmp_path: Path) -> None:
    # One short paragraph written three times: clean removes two as repeats and then fails
    # text_min_words; check passed it.
    corpus = copy_seeds(tmp_path)
    new = tmp_path / "rep.txt"
    para = "The council approved the new school budget on Monday evening."  # 10 words
    new.write_text("A headline about the school budget\n" + "\n".join([para] * 3) + "\n")
    run = run_cli("check", new, "--corpus", corpus, "--index", tmp_path / "i.sqlite")
    assert "SCHEMA-LENGTH body has 10 words" in run.output, run.output
    out = tmp_path / "out"
    assert run_cli("clean", new, "--out", out, "-q").exit_code == 1  # and clean agrees
