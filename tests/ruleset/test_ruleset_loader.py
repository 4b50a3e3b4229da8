"""Loading packs: every problem is reported as file:line: field: message, all at once."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from helpers_ruleset import write_pack

from dedup.errors import RuleErrors
from dedup.ruleset import load_rules, loader

# Every test runs with libyaml's parser (used where PyYAML has it) and PyYAML's own (the
# fallback): they mark plain scalars differently, and errors must not depend on which.
PARSERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if yaml.__with_libyaml__ else [])


@pytest.fixture(autouse=True, params=PARSERS, ids=lambda p: p.__name__)
def yaml_parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "_YAML_LOADER", request.param)


GOOD_HEAD = """
pack: demo
applies_to: {any: true}
rules:
"""


def errors_of(path: Path) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(RuleErrors) as info:
        load_rules([path])
    assert all(r.path == str(path) for r in info.value.records)
    return [(r.line, r.field, r.message) for r in info.value.records]


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    path = write_pack(tmp_path, GOOD_HEAD + "  - id: a\n    why: [unclosed\n")
    [(line, field, message)] = errors_of(path)
    assert field == "yaml"
    assert "YAML syntax error" in message
    assert line is not None and line >= 5


def test_unknown_key_points_at_the_key(tmp_path: Path) -> None:
    rule = "  - id: a\n    kind: drop\n    why: w\n    regx: 'x'\n    exact: [x]\n"
    path = write_pack(tmp_path, GOOD_HEAD + rule)
    [(line, field, message)] = errors_of(path)
    assert (line, field, message) == (7, "rules[0].regx", "unknown key")
    with pytest.raises(RuleErrors) as info:
        load_rules([path])
    assert str(info.value) == f"{path}:7: rules[0].regx: unknown key"


def test_invalid_regex_and_lookahead(tmp_path: Path) -> None:
    path = write_pack(
        tmp_path,
        GOOD_HEAD
        + "  - id: a\n    kind: drop\n    why: w\n    regex: ['ok', '(unclosed']\n"
        + "  - id: b\n    kind: drop\n    why: w\n    regex: '(?=Log) in'\n",
    )
    errors = errors_of(path)
    assert [(e[0], e[1]) for e in errors] == [(7, "rules[0].regex[1]"), (11, "rules[1].regex[0]")]
    assert "invalid regex '(unclosed'" in errors[0][2]
    assert "lookaround" in errors[1][2]
    with pytest.raises(RuleErrors) as info:
        load_rules([path])
    assert f"{path}:11: rules[1].regex[0]: invalid regex" in str(info.value)


def test_a_regex_that_matches_the_empty_string_is_refused(tmp_path: Path) -> None:
    # "x*" dropped every line of every document; a strip of "q*" put its replacement
    # between every two characters (an adversarial pass found both linted ok).
    path = write_pack(
        tmp_path,
        GOOD_HEAD
        + "  - id: a\n    kind: drop\n    why: w\n    regex: ['ok', 'x*']\n"
        + "  - id: b\n    kind: strip\n    why: w\n    regex: 'q*'\n    replace: '_'\n"
        + "  - id: c\n    kind: cut_after\n    why: w\n    regex: '^'\n",
    )
    errors = errors_of(path)
    assert [e[1] for e in errors] == ["rules[0].regex[1]", "rules[1].regex", "rules[2].regex[0]"]
    assert all("matches the empty string" in e[2] for e in errors)


def test_length_bounds_that_exclude_every_line_are_refused(tmp_path: Path) -> None:
    rule = "  - id: a\n    kind: drop\n    why: w\n    exact: [x]\n"
    path = write_pack(tmp_path, GOOD_HEAD + rule + "    min_chars: 50\n    max_chars: 10\n")
    [(_, field, message)] = errors_of(path)
    assert field.startswith("rules[0]") and "min_chars (50) exceeds max_chars (10)" in message


def test_a_pack_that_is_a_broken_link_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "packs"
    folder.mkdir()
    write_pack(folder, GOOD_HEAD + "  - id: a\n    kind: drop\n    why: w\n    exact: [x]\n")
    (folder / "site.yaml").symlink_to(tmp_path / "gone.yaml")
    with pytest.raises(RuleErrors) as info:
        load_rules([folder])
    assert f"{folder / 'site.yaml'}: broken link to a rule pack" in str(info.value)


def test_missing_why_names_the_field(tmp_path: Path) -> None:
    path = write_pack(tmp_path, GOOD_HEAD + "  - id: a\n    kind: drop\n    exact: [x]\n")
    assert errors_of(path) == [(4, "rules[0].why", "missing required key")]


def test_duplicate_rule_id(tmp_path: Path) -> None:
    rule = "  - id: a\n    kind: drop\n    why: w\n    exact: [x]\n"
    path = write_pack(tmp_path, GOOD_HEAD + rule + rule)
    [(line, field, message)] = errors_of(path)
    assert (line, field) == (8, "rules[1].id")
    assert "duplicate rule id 'a' (first at line 4)" in message


def test_an_exact_label_listed_twice_names_the_label(tmp_path: Path) -> None:
    # Compared as matched: case-folded under ignore_case, and normalised (so "Log  in"
    # with two spaces is "Log in" again).
    rule = "  - id: a\n    kind: drop\n    why: w\n    ignore_case: true\n"
    path = write_pack(tmp_path, GOOD_HEAD + rule + "    exact: [Log in, Sign up, LOG IN]\n")
    assert errors_of(path) == [(8, "rules[0].exact", "'LOG IN' is listed twice")]
    path = write_pack(tmp_path, GOOD_HEAD + rule + "    exact: [Log in, 'Log  in']\n")
    assert errors_of(path) == [(8, "rules[0].exact", "'Log  in' is listed twice")]
    case_sensitive = "  - id: a\n    kind: drop\n    why: w\n    exact: [Log in, LOG IN]\n"
    assert len(load_rules([write_pack(tmp_path, GOOD_HEAD + case_sensitive)])) == 1


def test_unknown_kind_and_bad_type(tmp_path: Path) -> None:
    path = write_pack(
        tmp_path,
        GOOD_HEAD
        + "  - id: a\n    kind: delete\n    why: w\n"
        + "  - id: b\n    kind: drop\n    why: w\n    exact: [x]\n    where: {head: many}\n",
    )
    errors = errors_of(path)
    assert (errors[0][0], errors[0][1]) == (5, "rules[0].kind")
    assert (errors[1][0], errors[1][1]) == (11, "rules[1].where.head")


def test_errors_collected_across_files_and_duplicate_keys(tmp_path: Path) -> None:
    write_pack(tmp_path, "pack: a\npack: b\napplies_to: {any: true}\n", "a.yaml")
    write_pack(tmp_path, "pack: c\nrules: []\n", "b.yaml")
    with pytest.raises(RuleErrors) as info:
        load_rules([tmp_path])
    text = str(info.value).splitlines()
    assert text[0] == f"{tmp_path / 'a.yaml'}:2: pack: duplicate key"
    assert text[1] == f"{tmp_path / 'b.yaml'}:1: applies_to: missing required key"


def test_unsafe_yaml_tag_is_rejected(tmp_path: Path) -> None:
    path = write_pack(tmp_path, "pack: !!python/object/apply:os.system ['true']\n")
    [(line, field, message)] = errors_of(path)
    assert (line, field) == (1, "yaml")
    assert "unsupported YAML tag" in message


def test_missing_path_and_empty_pack(tmp_path: Path) -> None:
    empty = write_pack(tmp_path, "# nothing\n")
    with pytest.raises(RuleErrors) as info:
        load_rules([tmp_path / "nope.yaml", empty])
    messages = [r.message for r in info.value.records]
    assert messages == ["no such rule pack file or folder", "empty rule pack"]


def test_bundled_packs_load() -> None:
    from helpers_ruleset import RULES

    ruleset = load_rules([RULES])
    described = ruleset.describe()
    names = [d["pack"] for d in described]
    assert names == ["hanoitimes", "generic"]  # generic has priority 100: runs last
    for pack in described:
        assert len(pack["sha256"]) == 64
        assert all(r["id"].startswith(pack["pack"] + "/") and r["why"] for r in pack["rules"])


def test_strip_rule_with_a_scope_is_rejected(tmp_path: Path) -> None:
    # A scope counts lines that near-dup stages remove later: a rerun could strip more.
    path = write_pack(
        tmp_path,
        GOOD_HEAD
        + "  - id: d\n    kind: strip\n    why: w\n    where: {head: 6}\n    regex: '^X'\n",
    )
    [(line, field, message)] = errors_of(path)
    assert (line, field) == (7, "rules[0].where")
    assert "strip rules take no where" in message


def test_recursive_alias_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = write_pack(tmp_path, "applies_to: {any: true}\npack: &a [*a]\n")
    [(line, field, message)] = errors_of(path)
    assert (line, field) == (2, "yaml") and "recursive alias" in message


# --- third QA pass: folders with editor files, clearer messages ---------------------------


def test_a_folder_scan_skips_dot_files(tmp_path: Path) -> None:
    # Emacs locks an open pack with a dangling link `.#pack.yaml`: it made the whole folder
    # invalid for every run. A hidden `.x.yaml` was loaded as a pack.
    folder = tmp_path / "packs"
    folder.mkdir()
    write_pack(folder, GOOD_HEAD + "  - id: a\n    kind: drop\n    why: w\n    exact: [x]\n")
    (folder / ".#pack.yaml").symlink_to("qa@host.12345:1700000000")
    (folder / ".hidden.yaml").write_bytes(b"\xff\xfe")
    assert [p.name for p in load_rules([folder]).packs] == ["demo"]
    (folder / "site.yaml").symlink_to(tmp_path / "gone.yaml")  # a real pack name: an error
    with pytest.raises(RuleErrors, match=r"site\.yaml: broken link to a rule pack"):
        load_rules([folder])


def test_a_merge_key_says_it_is_not_supported(tmp_path: Path) -> None:
    head = (
        "pack: p\napplies_to: {any: true}\nrules:\n  - &r {id: a, kind: drop, why: w, exact: [x]}\n"
    )
    path = write_pack(tmp_path, head + "  - <<: *r\n    id: b\n")
    errors = errors_of(path)
    assert errors[0] == (5, "rules[1].<<", "merge keys (<<) are not supported; repeat the fields")


def test_a_missing_kind_reads_like_a_missing_id(tmp_path: Path) -> None:
    path = write_pack(tmp_path, GOOD_HEAD + "  - id: a\n    why: w\n    exact: [x]\n")
    assert errors_of(path) == [(4, "rules[0].kind", "missing required key")]


def test_yaml_booleans_and_numbers_in_a_string_list_say_quote_it(tmp_path: Path) -> None:
    rule = "  - id: a\n    kind: drop\n    why: w\n    exact: [Yes, ~, 12, 'No']\n"
    rule += "    examples: {drop: [Off]}\n"
    path = write_pack(tmp_path, GOOD_HEAD + rule)
    assert [(line, field, message.split(" (")[1]) for line, field, message in errors_of(path)] == [
        (7, "rules[0].exact[0]", "YAML reads Yes as a boolean; quote it)"),
        (7, "rules[0].exact[1]", "YAML reads ~ as no value; quote it)"),
        (7, "rules[0].exact[2]", "YAML reads 12 as a number; quote it)"),
        # once, not once per member of `str | list[str]`
        (8, "rules[0].examples.drop[0]", "YAML reads Off as a boolean; quote it)"),
    ]


def test_the_node_limit_says_the_pack_is_too_large(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dedup.ruleset import loader

    monkeypatch.setattr(loader, "MAX_NODES", 20)
    labels = ", ".join(f"'Label {i}'" for i in range(30))  # no alias at all
    path = write_pack(
        tmp_path, GOOD_HEAD + f"  - {{id: a, kind: drop, why: w, exact: [{labels}]}}\n"
    )
    assert errors_of(path) == [
        (1, "yaml", "pack too large: more than 20 YAML nodes (split it into packs)")
    ]


def test_min_chars_over_max_chars_names_min_chars_and_its_line(tmp_path: Path) -> None:
    rule = "  - id: a\n    kind: drop\n    why: w\n    exact: [x]\n"
    path = write_pack(tmp_path, GOOD_HEAD + rule + "    min_chars: 50\n    max_chars: 10\n")
    [(line, field, _)] = errors_of(path)
    assert (line, field) == (8, "rules[0].min_chars")


def test_errors_are_listed_by_line(tmp_path: Path) -> None:
    # pydantic reported the missing kind of rules[0] after rules[1]'s duplicate id.
    rule = "  - id: a\n    why: w\n    exact: [x]\n"
    path = write_pack(tmp_path, GOOD_HEAD + rule + rule.replace("why", "kind: drop\n    why"))
    lines = [line or 0 for line, _, _ in errors_of(path)]
    assert lines == sorted(lines) and len(lines) == 2


def test_examples_a_rule_cannot_satisfy_or_with_no_text_are_errors(tmp_path: Path) -> None:
    path = write_pack(
        tmp_path,
        GOOD_HEAD
        + "  - id: d\n    kind: drop\n    why: w\n    exact: [Log in]\n    examples:\n"
        + "      strip: [{in: Log in, out: ''}]\n      drop: ['', [' ', '']]\n"
        + "      keep: ['  ']\n"
        + "  - id: s\n    kind: strip\n    why: w\n    regex: '^Foo: '\n    examples:\n"
        + "      drop: ['Foo: bar']\n      strip: [{in: '', out: x}]\n",
    )
    errors = errors_of(path)
    assert [(line, field) for line, field, _ in errors] == [
        (9, "rules[0].examples.strip"),
        (10, "rules[0].examples.drop[0]"),
        (10, "rules[0].examples.drop[1]"),
        (11, "rules[0].examples.keep[0]"),
        (17, "rules[1].examples.drop"),
        (18, "rules[1].examples.strip[0].in"),
    ]
    assert "strip examples need a strip rule" in errors[0][2]
    assert errors[1][2] == "empty example: give the line(s) the rule must drop"
    assert "a strip rule edits lines" in errors[4][2]


def test_an_example_with_no_text_fails_with_a_reason() -> None:
    # The loader refuses one; a rule built in code still gets a reason, not a bare FAIL.
    from dedup.ruleset.engine import CompiledRule
    from dedup.ruleset.examples import run_examples
    from dedup.ruleset.models import DropRule

    model = DropRule.model_validate(
        {"id": "a", "kind": "drop", "why": "w", "exact": ["x"], "examples": {"drop": [""]}}
    )
    [result] = run_examples("p.yaml", [CompiledRule("p", model, {})])
    assert not result.ok and str(result).endswith("drop FAIL: the example has no text")
