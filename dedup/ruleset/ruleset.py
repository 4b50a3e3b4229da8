"""A loaded set of rule packs: the rules stage, the manifest description, examples."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dedup.model import REASON_EMPTY, REASON_RULE, Document, Paragraph, changes
from dedup.ruleset.applicability import Applicability
from dedup.ruleset.engine import CompiledRule
from dedup.ruleset.examples import ExampleResult, run_examples
from dedup.ruleset.layout import RunningTextMemo
from dedup.ruleset.loader import LoadedPack, load_packs
from dedup.ruleset.matching import Presence, subject
from dedup.ruleset.patterns import Pattern, PatternBank

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Pack:
    name: str
    path: str
    sha256: str
    priority: int
    description: str
    applicability: Applicability
    rules: list[CompiledRule]
    # The rules a settle re-runs (scoped and run rules), in order; derived from ``rules``.
    position_dependent: list[CompiledRule]


def _compile(loaded: LoadedPack) -> Pack:
    model = loaded.model
    # Lines of each rule and of its examples, so `dedup rules test` can say file:line;
    # grouped in one pass over the pack's lines (a pass per rule was quadratic).
    lines: list[dict[tuple[str | int, ...], int]] = [
        {(): loaded.lines.get(("rules", i), 0)} for i in range(len(model.rules))
    ]
    for loc, line in loaded.lines.items():
        if len(loc) == 5 and loc[0] == "rules" and loc[2] == "examples":
            index = loc[1]
            if isinstance(index, int) and 0 <= index < len(lines):
                lines[index][loc[3:]] = line
    rules = [CompiledRule(model.pack, rule, lines[i]) for i, rule in enumerate(model.rules)]
    return Pack(
        name=model.pack,
        path=str(loaded.path),
        sha256=loaded.sha256,
        priority=model.priority,
        description=model.description,
        applicability=Applicability(model.applies_to),
        rules=rules,
        position_dependent=[r for r in rules if r.position_dependent],
    )


def _patterns(pack: Pack) -> list[Pattern]:
    """Every line pattern of a pack (applicability and rules), for the shared bank."""
    found = [pattern for pattern, _, _ in pack.applicability.lines]
    for rule in pack.rules:
        found.extend(rule.patterns())
    return found


# doc.meta key: names of the packs that applied (decided once, on the document as read).
PACKS_KEY = "rule_packs"
# doc.meta key: how many lines were removed when the rules last settled.
SETTLED_KEY = "rules_settled_at"
# doc.meta key: {rule id: texts its line test accepts} for the position-dependent rules
# with such a kept line when the rules last settled. Later stages only remove lines, so
# this answers every line test of a later settle (no other rule can fire then).
LIVE_KEY = "rules_live"
# Each round can only remove lines; real pages settle in one or two.
SETTLE_ROUNDS = 8


def _position_dependent(packs: Sequence[Pack]) -> list[CompiledRule]:
    # Per pack, listed once when compiled: filtering every rule for every document was
    # ~7% of the rules stage.
    return [r for pack in packs for r in pack.position_dependent]


class _Wakes:
    """Which rules can fire on a document, from the bank's answer for its lines: the
    rules of the patterns found, those with an exact line found, and those no bank answer
    rules out (fuzzy matching, line comparison). One pass over the patterns found instead
    of asking every rule (``CompiledRule.may_fire``, the same test) was ~8% of the rules
    stage."""

    def __init__(self, rules: Sequence[CompiledRule]) -> None:
        self.by_pattern: dict[int, list[CompiledRule]] = {}
        self.exact: list[CompiledRule] = []
        self.always: list[CompiledRule] = []
        for rule in rules:
            if rule.compares_lines or rule.fuzzy:
                self.always.append(rule)
                continue
            for pattern in rule.patterns():
                self.by_pattern.setdefault(pattern.bank_index, []).append(rule)
            if rule.exact:
                self.exact.append(rule)

    def awake(self, present: Presence) -> set[CompiledRule] | None:
        """The rules that may fire (None: any may, the bank could not read every line)."""
        if present.unknown:
            return None
        awake = set(self.always)
        for index in present.by_pattern:
            awake.update(self.by_pattern.get(index, ()))
        awake.update(r for r in self.exact if r not in awake and r.may_fire(present))
        return awake


def _removed(doc: Document) -> int:
    return sum(p.removal is not None for p in doc.paragraphs)


class RulesSettleStage:
    """Map stage after other removing stages: :meth:`RuleSet.settle` on the document."""

    name = "rules-settle"

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset

    def process(self, doc: Document) -> Document:
        self.ruleset.settle(doc)
        return doc


class RulesStage:
    """The map stage (``dedup.pipeline.DocumentStage``) that applies a :class:`RuleSet`."""

    name = "rules"

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset

    def process(self, doc: Document) -> Document:
        self.ruleset.apply(doc)
        return doc


class RuleSet:
    """Packs in the order they run: ascending ``priority``, then load order."""

    def __init__(self, packs: Sequence[Pack]) -> None:
        order = sorted(range(len(packs)), key=lambda i: (packs[i].priority, i))
        self.packs = [packs[i] for i in order]
        self.bank = PatternBank([pat for pack in self.packs for pat in _patterns(pack)])
        self._wakes = _Wakes([rule for pack in self.packs for rule in pack.rules])
        # The rules that judge a line alone: a heading one of them removed still heads
        # the list under it (CompiledRule._headed_lists).
        line_rules = frozenset(r.full_id for p in self.packs for r in p.rules if r.kind == "drop")
        for pack in self.packs:
            for rule in pack.rules:
                rule.line_rules = line_rules

    def __len__(self) -> int:
        return sum(len(p.rules) for p in self.packs)

    def applicable(self, doc: Document, present: Presence | None = None) -> list[Pack]:
        """Packs that apply, decided on the document as it came in, before any rule ran."""
        return [p for p in self.packs if p.applicability.applies(doc, present)]

    def apply(self, doc: Document, *, record_live: bool = True) -> Document:
        """Run every applicable rule on ``doc`` in place, then settle; returns it.

        ``record_live=False`` skips recording what a later settle needs (``LIVE_KEY``): for
        a trial run whose document is thrown away."""
        present = Presence(self.bank, doc.paragraphs)
        packs = self.applicable(doc, present)
        doc.meta[PACKS_KEY] = [p.name for p in packs]
        before = _removed(doc)
        memo: RunningTextMemo = {}
        seen: dict[str, int] = {}  # rule id -> changes() when it last started
        awake = self._wakes.awake(present)
        for pack in packs:
            for rule in pack.rules:
                seen[rule.full_id] = changes()
                if awake is not None and rule not in awake:
                    continue  # no line of the document can match
                rule.apply(doc.paragraphs, present=present, memo=memo)
                if rule.kind == "strip":
                    awake = self._wakes.awake(present)  # edited lines may match more
        self._settle(
            doc,
            _position_dependent(packs),
            present,
            since=before,
            record_live=record_live,
            seen=seen,
            awake=awake,
        )
        return doc

    def settle(self, doc: Document) -> int:
        """Re-run the position-dependent rules (scoped, runs) of the packs that applied to
        ``doc`` until nothing changes, after other stages removed lines; returns how many
        lines this removed. Cleaning the output again then removes nothing more."""
        names = set(doc.meta.get(PACKS_KEY, ()))
        packs = [p for p in self.packs if p.name in names]
        # Nothing removed since the rules last settled: nothing can have moved into reach.
        if not packs or doc.meta.get(SETTLED_KEY) == _removed(doc):
            return 0
        live = doc.meta.get(LIVE_KEY)
        if live is not None:
            # No regex matching at all: this runs serially after the reduce phase, once
            # per document that boilerplate removal touched.
            rules = [r for r in _position_dependent(packs) if r.full_id in live]
            known = {r.full_id: frozenset(live[r.full_id]) for r in rules}
            return self._settle(doc, rules, None, since=None, known=known)
        present = Presence(self.bank, [p for p in doc.paragraphs if p.removal is None])
        return self._settle(doc, _position_dependent(packs), present, since=None)

    def _settle(
        self,
        doc: Document,
        rules: Sequence[CompiledRule],
        present: Presence | None,
        *,
        since: int | None,
        known: dict[str, frozenset[str]] | None = None,
        record_live: bool = True,
        seen: dict[str, int] | None = None,
        awake: set[CompiledRule] | None = None,
    ) -> int:
        """Rounds of the position-dependent rules while the lines kept keep changing
        (``since``: the removal count the last round saw; None forces one round).

        ``seen``: per rule id, :func:`dedup.model.changes` when the rule last started. A
        rule that saw exactly these lines (no paragraph of any document removed or edited
        since it started, its own run included) would decide the same again: it is
        skipped. Most rules of a round are (a third of the rules stage went to rerunning
        them). ``awake``: the rules that may fire at all (see :class:`_Wakes`); removing
        lines wakes no other."""
        start = now = _removed(doc)
        memo: RunningTextMemo = {}
        seen = {} if seen is None else seen
        for _ in range(SETTLE_ROUNDS):
            if now == since:
                break
            since = now
            for rule in rules:
                if awake is not None and rule not in awake:
                    continue
                if seen.get(rule.full_id) == changes():
                    continue
                seen[rule.full_id] = changes()
                rule.apply(
                    doc.paragraphs,
                    present=present,
                    known=None if known is None else known[rule.full_id],
                    memo=memo,
                )
            now = _removed(doc)
        doc.meta[SETTLED_KEY] = now
        if present is not None and record_live:
            kept = [p for p in doc.paragraphs if p.removal is None]
            subjects: dict[str, set[str]] = {}  # the kept lines' subjects, once per form
            live: dict[str, list[str]] = {}
            for rule in rules:
                if awake is not None:
                    if rule not in awake:
                        continue
                elif not rule.may_fire(present):
                    continue
                on = rule.match_on
                if on not in subjects:
                    subjects[on] = {subject(p, on) for p in kept}
                texts = rule.matching_texts(subjects[on], present)
                if texts or rule.compares_lines:  # those can fire whatever the texts
                    live[rule.full_id] = texts + rule.anchor_texts(doc.paragraphs)
            doc.meta[LIVE_KEY] = live
        return now - start

    def stage(self) -> RulesStage:
        return RulesStage(self)

    def settle_stage(self) -> RulesSettleStage:
        return RulesSettleStage(self)

    def would_remove(self, doc: Document) -> list[tuple[int, str]]:
        """(line, rule id) of kept paragraphs the rules would remove now (on a copy)."""
        # A light copy, not copy.deepcopy (which dominated validation): rules only replace
        # a paragraph's text/norm/removal/edits (a tuple), so fresh Paragraph objects keep
        # ``doc`` untouched.
        trial = dataclasses.replace(
            doc,
            paragraphs=[
                Paragraph(p.line, p.raw, p.text, p.norm, p.removal, p.edits) for p in doc.paragraphs
            ],
            meta=dict(doc.meta),
        )
        self.apply(trial, record_live=False)
        out = []
        for before, after in zip(doc.paragraphs, trial.paragraphs, strict=True):
            removal = after.removal
            if (
                before.kept
                and removal is not None
                and removal.reason
                in (
                    REASON_RULE,
                    REASON_EMPTY,
                )
            ):
                out.append((after.line, removal.detail))
        return out

    def describe(self) -> list[dict[str, Any]]:
        """Per pack: path, sha256, name and its rules (for the manifest)."""
        return [
            {
                "path": p.path,
                "sha256": p.sha256,
                "pack": p.name,
                "rules": [{"id": r.full_id, "kind": r.kind, "why": r.model.why} for r in p.rules],
            }
            for p in self.packs
        ]

    def run_examples(self) -> list[ExampleResult]:
        """Run every example of every rule (scope and ``applies_to`` ignored)."""
        return [result for pack in self.packs for result in run_examples(pack.path, pack.rules)]


def load_rules(paths: Sequence[Path | str]) -> RuleSet:
    """Load rule packs from files and folders of ``*.yaml``.

    Raises :class:`dedup.errors.RuleErrors` listing every problem as ``file:line: field: msg``.
    """
    return RuleSet([_compile(p) for p in load_packs([Path(p) for p in paths])])
