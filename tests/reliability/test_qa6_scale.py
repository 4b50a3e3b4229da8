"""Findings of the sixth adversarial QA pass (inputs that made the work grow with the
square of their size, twelfth session). Speed lives in benchmarks, so these tests assert
the bound that made it linear (what is cut, how many lines or pairs are looked at), not a
time; each fails on the code before its fix.

* A run of 400,000 combining marks on one letter: NFKC's reordering took 119 s.
* A title printed 16,000 times: ``title_echo`` rescanned every line above each repeat.
* ``dedup check`` on 5,000 files compared every pair of them (12.5 million pairs).
* 1,200 nested folders: ``os.walk`` recursed into a RecursionError.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest
from helpers_reliability import copy_seeds, one_error_line, run_cli

from dedup.text.normalize import normalize


def test_a_run_of_combining_marks_is_cut_before_nfkc() -> None:
    norm = normalize("a" + "\u0301\u0316" * 50_000)
    assert sum(unicodedata.combining(c) > 0 for c in norm) <= 30
    assert normalize("Cafe\u0301 re\u0301sume\u0301") == "Café résumé"  # ordinary marks stay


def test_title_echo_tests_each_line_once_however_often_the_title_repeats(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dedup.model import Paragraph
    from dedup.ruleset import layout
    from dedup.ruleset.models import TitleEchoRule

    calls = 0
    make = layout._running_text

    def counting(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        test = make(*args, **kwargs)  # type: ignore[arg-type]

        def running(i: int) -> bool:
            nonlocal calls
            calls += 1
            return test(i)

        return running

    monkeypatch.setattr(layout, "_running_text", counting)
    title = "Council approves the new school budget after a long debate"
    lines = [title]
    for i in range(2_000):
        lines += [title, f"Item {i}"]
    paragraphs = [Paragraph(n, t, t, normalize(t)) for n, t in enumerate(lines, start=1)]
    rule = TitleEchoRule.model_validate({"id": "e", "kind": "title_echo", "why": "w"})
    layout.title_echo_lines(paragraphs, rule)
    # each line once above the repeats, and up to body_within lines below each repeat
    assert calls <= (rule.body_within + 2) * len(lines)  # was ~ 4 million


def test_check_finds_candidate_pairs_by_band_key_not_by_testing_every_pair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dedup.check

    corpus = copy_seeds(tmp_path)
    new = tmp_path / "new"
    new.mkdir()
    words = [f"w{i}" for i in range(4_000)]
    for f in range(40):  # unrelated articles: no pair shares a band key
        body = " ".join(words[f * 100 : f * 100 + 100])
        (new / f"{f:02}.txt").write_text(f"Headline number {f} here\n{body}.\n{body}!\n")
    reads = 0

    class CountedKeys(list[int]):
        def __iter__(self):  # type: ignore[no-untyped-def]
            nonlocal reads
            reads += 1
            return super().__iter__()

    sign = dedup.check.sign

    def counting_sign(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        signed = sign(*args, **kwargs)  # type: ignore[arg-type]
        signed.keys = CountedKeys(signed.keys)
        return signed

    monkeypatch.setattr(dedup.check, "sign", counting_sign)
    dedup.check.check_files(sorted(new.glob("*.txt")), None, corpus, tmp_path / "i.sqlite")
    assert reads <= 3 * 40  # each file's keys read a few times, not once per pair (1,560)


def test_deeply_nested_folders_are_one_line_not_a_recursion_error(tmp_path: Path) -> None:
    root = tmp_path / "in"
    here = os.getcwd()
    root.mkdir()
    os.chdir(root)
    try:
        for _ in range(300):  # past the limit of 256
            os.mkdir("d")
            os.chdir("d")
        Path("a.txt").write_text("A title\nThe council approved the budget on Monday.\n")
    finally:
        os.chdir(here)
    run = run_cli("clean", root, "--out", tmp_path / "o", "-q")
    one_error_line(run, 1, "nested more than 256 levels deep")
