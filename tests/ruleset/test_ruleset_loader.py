"""Loading packs: every problem is reported as file:line: field: message, all at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers_ruleset import write_pack

from dedup.errors import RuleErrors
from dedup.ruleset import load_rules

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
