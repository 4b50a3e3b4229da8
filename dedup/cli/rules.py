"""`dedup rules test` and `dedup rules lint`: check rule packs."""

from __future__ import annotations

from pathlib import Path

import click

from dedup.cli.common import config_option, error_boundary, load_config
from dedup.config import bundled_rules_dir, find_config_file
from dedup.ruleset import RuleSet, load_rules

_PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


def _load(paths: tuple[Path, ...], config_file: Path | None) -> RuleSet:
    """Load PATHS, else the packs ``dedup clean`` would use; invalid packs exit 2 with
    file:line lines.

    Callers run inside ``error_boundary``: rule-pack errors print one line each, and any
    other failure is one line, not a traceback (DEDUP_DEBUG=1 shows it).
    """
    return load_rules(list(paths) or _configured(config_file))


def _configured(config_file: Path | None) -> list[Path]:
    # The same resolution as `dedup clean` (dedup.toml / [tool.dedup], found upward, with
    # its paths relative to it): checking the bundled packs instead said "ok" while
    # `clean` refused the project's own.
    source = config_file or find_config_file()  # searched once: load_config takes it
    rules = list(load_config(source, {}).rules)
    shown = ", ".join(str(p) for p in rules)
    if rules == [bundled_rules_dir()]:
        click.echo(f"dedup: checking the bundled rule packs: {shown}", err=True)
    else:
        click.echo(f"dedup: checking the rule packs configured in {source}: {shown}", err=True)
    return rules


@click.group(name="rules")
def command() -> None:
    """Validate rule packs and run their examples.

    \b
    Example:
      dedup rules test rules/
    """


@command.command(name="lint")
@_PATHS
@config_option
def lint(paths: tuple[Path, ...], config_file: Path | None) -> None:
    """Validate rule packs (YAML, keys, types, RE2 regexes, unique ids).

    PATHS are pack files or folders of *.yaml (default: the packs `dedup clean` would use,
    from dedup.toml's `rules`, else the bundled rules/; named on stderr). Prints every
    problem as file:line: field: message and exits 2 if there is any.

    \b
    Example:
      dedup rules lint rules/hanoitimes.yaml
    """
    with error_boundary():
        ruleset = _load(paths, config_file)
        for pack in ruleset.packs:
            click.echo(f"{pack.path}: ok ({pack.name}, {len(pack.rules)} rules)")


@command.command(name="test")
@_PATHS
@click.option("-v", "--verbose", is_flag=True, help="Also list the examples that pass.")
@config_option
def test(paths: tuple[Path, ...], verbose: bool, config_file: Path | None) -> None:
    """Run every example (drop / keep / strip) of every rule of the packs.

    PATHS are pack files or folders of *.yaml (default: the packs `dedup clean` would use,
    from dedup.toml's `rules`, else the bundled rules/; named on stderr). Exits 1 if an
    example fails, 2 if a pack is invalid.

    \b
    Example:
      dedup rules test rules/ -v
    """
    with error_boundary():
        results = _load(paths, config_file).run_examples()
    failed = [r for r in results if not r.ok]
    for result in results:
        if verbose or not result.ok:
            click.echo(str(result), err=not result.ok)
    click.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed:
        raise SystemExit(1)
