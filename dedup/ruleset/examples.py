"""Run the ``examples:`` of rules (``dedup rules test``).

Each example is a small document built from its line(s); only the rule that carries it
runs, with its ``where`` scope ignored (an example of a tail rule is not at a tail).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dedup.model import Document, Paragraph
from dedup.ruleset.engine import CompiledRule
from dedup.ruleset.models import CutAfterRule, HeaderAboveRule, TitleEchoRule
from dedup.text.normalize import normalize


@dataclass(frozen=True, slots=True)
class ExampleResult:
    path: str
    line: int | None
    rule: str  # full id pack/rule
    expect: str  # drop | keep | strip
    text: str
    ok: bool
    message: str = ""

    def __str__(self) -> str:
        loc = f"{self.path}:{self.line}" if self.line is not None else self.path
        status = "ok" if self.ok else "FAIL"
        detail = f": {self.message}" if self.message else ""
        return f"{loc}: {self.rule}: {self.expect} {status}{detail}"


def _doc(lines: Sequence[str]) -> Document:
    paragraphs = [
        Paragraph(line=n, raw=raw, text=raw.strip(), norm=normalize(raw))
        for n, raw in enumerate(lines, start=1)
        if raw.strip()
    ]
    return Document(doc_id="example", source="example", paragraphs=paragraphs)


def _lines(example: str | list[str]) -> list[str]:
    return example.splitlines() if isinstance(example, str) else list(example)


def _run(rule: CompiledRule, example: str | list[str]) -> Document:
    doc = _doc(_lines(example))
    rule.apply(doc.paragraphs, scoped=False)
    return doc


def _not_dropped(kept: list[str]) -> str:
    # An example with no text removes nothing and keeps nothing: still say why it failed.
    return f"not removed: {kept!r}" if kept else "the example has no text"


def run_examples(path: str, rules: Sequence[CompiledRule]) -> list[ExampleResult]:
    results: list[ExampleResult] = []
    for rule in rules:
        ex = rule.model.examples

        def result(
            expect: str, j: int, text: str, ok: bool, message: str, rule: CompiledRule = rule
        ) -> None:
            line = rule.lines.get((expect, j), rule.lines.get(()))
            results.append(ExampleResult(path, line, rule.full_id, expect, text, ok, message))

        for j, example in enumerate(ex.drop):
            doc = _run(rule, example)
            if isinstance(rule.model, TitleEchoRule | HeaderAboveRule):
                # These remove a page header: the lines from the headline on stay by
                # design, and the first line unless it is a title with a site's name
                # (``drop_title``). The example passes when lines 2..k of it went, and
                # no later one.
                gone = [i for i, p in enumerate(doc.paragraphs) if not p.kept]
                header = [i for i in gone if i]
                ok = bool(header) and header == list(range(1, len(header) + 1))
                result("drop", j, str(example), ok, "" if ok else f"removed: {gone!r}")
                continue
            kept = [p.raw for p in doc.paragraphs if p.kept]
            if isinstance(rule.model, CutAfterRule) and not rule.model.include_marker:
                # The marker stays by design: the example passes when all after it went.
                kept = kept[1:] if doc.paragraphs and doc.paragraphs[0].kept else kept
            ok = not kept and bool(doc.paragraphs)
            result("drop", j, str(example), ok, "" if ok else _not_dropped(kept))
        for j, example in enumerate(ex.keep):
            doc = _run(rule, example)
            hit = [p.raw for p in doc.paragraphs if not p.kept or p.edits]
            result("keep", j, str(example), not hit, f"changed: {hit!r}" if hit else "")
        for j, strip in enumerate(ex.strip):
            got = _stripped(rule, strip.in_)
            why = "" if got == strip.out.strip() else f"got {got!r}, want {strip.out!r}"
            if not why and got:
                # The output must be left as it is: a rerun over the cleaned text edits it
                # again otherwise ("HCM" -> "HCM City" -> "HCM City City").
                again = _stripped(rule, got)
                if again != got:
                    why = f"not idempotent: its output {got!r} becomes {again!r} when cleaned again"
            result("strip", j, strip.in_, not why, why)
    return results


def _stripped(rule: CompiledRule, line: str) -> str:
    doc = _run(rule, [line])
    return doc.paragraphs[0].text if doc.paragraphs and doc.paragraphs[0].kept else ""
