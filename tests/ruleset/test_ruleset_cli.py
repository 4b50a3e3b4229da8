"""`dedup rules test` / `dedup rules lint` through click's CliRunner."""

from __future__ import annotations

from pathlib import Path

import pytest
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


# --- third QA pass: the configured packs by default, one format for many errors ----------

BROKEN = "pack: p\napplies_to: {any: true}\npriority: high\nrules:\n"
BROKEN += "  - {id: a, kind: drop, why: w, exact: [x], colour: red}\n"


def test_lint_and_test_default_to_the_configured_packs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # They checked the bundled packs and said ok while `clean` refused the project's own.
    project = tmp_path / "project"
    (project / "myrules").mkdir(parents=True)
    (project / "dedup.toml").write_text('rules = ["myrules"]\n')
    pack = write_pack(project / "myrules", BROKEN, "zz.yaml")
    monkeypatch.chdir(project)
    for command in ("lint", "test"):
        code, _, err = run(command)
        assert code == 2, err
        assert f"configured in {project / 'dedup.toml'}: {project / 'myrules'}" in err
        assert f"{pack}:3: priority:" in err
    write_pack(project / "myrules", "pack: p\napplies_to: {any: true}\n", "zz.yaml")
    monkeypatch.chdir(tmp_path)  # and with --config from elsewhere
    code, out, err = run("lint", "--config", str(project / "dedup.toml"))
    assert code == 0 and out == f"{pack}: ok (p, 0 rules)\n", err


def test_lint_without_a_config_names_the_bundled_packs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("lint")
    assert code == 0 and f"checking the bundled rule packs: {RULES}" in err


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("a", "b"):
        (corpus / f"{name}.txt").write_text(f"Title {name}\n\nSome words of article {name}.\n")
    return corpus


def test_every_command_prints_each_rule_error_then_one_error_line(tmp_path: Path) -> None:
    # clean/check/validate/index printed "Error: " before the first problem only.
    corpus = _corpus(tmp_path)
    good = CliRunner().invoke(cli, ["clean", str(corpus), "--out", str(tmp_path / "o"), "-q"])
    assert good.exit_code in (0, 1), good.output
    bad = write_pack(tmp_path, BROKEN, "bad.yaml")
    index = str(tmp_path / "idx.sqlite")
    commands = [
        ["clean", str(corpus), "--out", str(tmp_path / "o2"), "--rules", str(bad)],
        ["check", str(corpus / "a.txt"), "--corpus", str(corpus), "--index", index],
        ["validate", str(tmp_path / "o"), "--rules", str(bad)],
        ["index", "build", "--corpus", str(corpus), "--index", index, "--rules", str(bad)],
    ]
    commands[1] += ["--rules", str(bad)]
    expected = [
        f"{bad}:3: priority: Input should be a valid integer, unable to parse string as an integer",
        f"{bad}:5: rules[0].colour: unknown key",
        "Error: invalid rule pack",
    ]
    for args in [*commands, ["rules", "lint", str(bad)]]:
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.splitlines() == expected, args
