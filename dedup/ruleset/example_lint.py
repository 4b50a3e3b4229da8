"""Lint a pack's ``examples:`` before they run: an example that cannot test its rule.

An empty example fails ``dedup rules test`` with nothing to show, a ``strip`` example on a
drop rule passes whatever the rule does, and a ``drop`` example on a strip rule tests a
line the rule only edits. These are checked on the YAML data (not the models), so each is
reported with its own line even when the rest of the pack has errors too.
"""

from __future__ import annotations

from typing import Any

from dedup.errors import ErrorRecord
from dedup.ruleset.models import RULE_KINDS

Loc = tuple[str | int, ...]
Lines = dict[Loc, int]


def example_errors(data: dict[str, Any], path: str, lines: Lines) -> list[ErrorRecord]:
    """Every empty example and every example section the rule's kind cannot satisfy."""
    rules = data.get("rules")
    if not isinstance(rules, list):
        return []
    errors: list[ErrorRecord] = []
    for i, rule in enumerate(rules):
        if isinstance(rule, dict) and isinstance(rule.get("examples"), dict):
            errors.extend(_rule_errors(i, rule, path, lines))
    return errors


def _rule_errors(i: int, rule: dict[str, Any], path: str, lines: Lines) -> list[ErrorRecord]:
    examples: dict[str, Any] = rule["examples"]
    kind = rule.get("kind")
    at: Loc = ("rules", i, "examples")
    errors: list[ErrorRecord] = []

    def error(loc: Loc, message: str) -> None:
        field = f"rules[{i}].examples" + "".join(
            f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc
        )
        errors.append(ErrorRecord(path, _line((*at, *loc), lines), field, message))

    # An unknown kind is the models' to report: no advice about its examples.
    if _given(examples.get("strip")) and isinstance(kind, str) and kind in RULE_KINDS - {"strip"}:
        error(
            ("strip",),
            f"strip examples need a strip rule; a {kind} rule removes lines:"
            " give drop and keep examples",
        )
    if _given(examples.get("drop")) and kind == "strip":
        error(
            ("drop",),
            "a strip rule edits lines, it does not drop them: give strip"
            " examples ({in: ..., out: ...}) and keep examples",
        )
    for section in ("drop", "keep"):
        items = examples.get(section)
        for j, item in enumerate(items if isinstance(items, list) else []):
            if _blank(item):
                error((section, j), f"empty example: give the line(s) the rule must {section}")
    strips = examples.get("strip")
    for j, item in enumerate(strips if isinstance(strips, list) else []):
        if isinstance(item, dict) and _blank(item.get("in")):
            error(("strip", j, "in"), "empty example: give the line the rule must edit")
    return errors


def _given(section: Any) -> bool:
    return isinstance(section, list) and bool(section)


def _blank(item: Any) -> bool:
    """A string or list of strings with no text (other types are the models' to report)."""
    if isinstance(item, str):
        return not item.strip()
    if isinstance(item, list) and all(isinstance(s, str) for s in item):
        return not any(s.strip() for s in item)
    return False


def _line(loc: Loc, lines: Lines) -> int | None:
    while loc not in lines and loc:
        loc = loc[:-1]
    return lines.get(loc)
