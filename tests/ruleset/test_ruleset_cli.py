"""`dedup rules test` / `dedup rules lint` through click's CliRunner."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from helpers_ruleset import RULES, write_pack

from dedup.cli.main import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["rules", *args])
    return result.exit_code, result.stdout, result.stderr


def test_rules_test_passes_on_bundled_packs() -> None:
    code, out, _ = run("test", str(RULES))
    assert code == 0
    assert out.strip().endswith("0 failed")


def test_rules_test_default_is_bundled_and_verbose_lists() -> None:
    code, out, _ = run("test", "-v")
    assert code == 0
    assert "hanoitimes/dateline: strip ok" in out


def test_rules_test_fails_on_a_failing_example(tmp_path: Path) -> None:
    write_pack(
        tmp_path,
        "pack: p\napplies_to: {any: true}\nrules:\n"
        "  - {id: a, kind: drop, why: w, exact: [x], examples: {drop: [y]}}\n",
    )
    code, out, err = run("test", str(tmp_path))
    assert code == 1
    assert ": p/a: drop FAIL: not removed" in err
    assert "0 passed, 1 failed" in out


def test_rules_lint_ok() -> None:
    code, out, _ = run("lint", str(RULES))
    assert code == 0
    assert "hanoitimes.yaml: ok (hanoitimes," in out


def test_rules_lint_broken_pack_file_line_no_traceback(tmp_path: Path) -> None:
    path = write_pack(
        tmp_path,
        "pack: p\napplies_to: {any: true}\nrules:\n  - {id: a, kind: drop, why: w,"
        " regex: '(?<=x)y', colour: red}\n",
    )
    code, _, err = run("lint", str(path))
    assert code == 2
    assert f"{path}:4: rules[0].regex[0]: invalid regex" in err
    assert f"{path}:4: rules[0].colour: unknown key" in err
    assert "Traceback" not in err


def test_rules_lint_yaml_syntax_error(tmp_path: Path) -> None:
    path = write_pack(tmp_path, "pack: p\napplies_to: {any: true\nrules: []\n")
    code, _, err = run("lint", str(path))
    assert code == 2
    assert f"{path}:3: yaml: YAML syntax error" in err


def test_help_ends_with_example() -> None:
    from dedup.cli.rules import command

    for cmd in (command, command.commands["test"], command.commands["lint"]):
        assert cmd.help is not None
        assert cmd.help.rstrip().splitlines()[-1].strip().startswith("dedup rules ")
        result = CliRunner().invoke(
            cli, ["rules", *([cmd.name] if cmd is not command else []), "--help"]
        )
        assert result.exit_code == 0 and "Example:" in result.output
