"""`dedup rules test` and `dedup rules lint`: check rule packs."""

from __future__ import annotations

from pathlib import Path

import click

from dedup.cli.common import UsageFailure, error_boundary
from dedup.config import bundled_rules_dir
from dedup.errors import RuleError
from dedup.ruleset import RuleSet, load_rules

_PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


def _load(paths: tuple[Path, ...]) -> RuleSet:
    """Load packs (default: the bundled ones); invalid packs exit 2 with file:line lines.

    Callers run inside ``error_boundary``, so any other failure is one line, not a
    traceback (DEDUP_DEBUG=1 shows it).
    """
    try:
        return load_rules(list(paths) or [bundled_rules_dir()])
    except RuleError as exc:
        # One problem per line (a pack may have many), then click's one "Error:" line.
        for line in str(exc).splitlines():
            click.echo(line, err=True)
        raise UsageFailure("invalid rule pack") from None


@click.group(name="rules")
def command() -> None:
    """Validate rule packs and run their examples.

    \b
    Example:
      dedup rules test rules/
    """


@command.command(name="lint")
@_PATHS
def lint(paths: tuple[Path, ...]) -> None:
    """Validate rule packs (YAML, keys, types, RE2 regexes, unique ids).

    PATHS are pack files or folders of *.yaml (default: the bundled rules/). Prints every
    problem as file:line: field: message and exits 2 if there is any.

    \b
    Example:
      dedup rules lint rules/hanoitimes.yaml
    """
    with error_boundary():
        ruleset = _load(paths)
        for pack in ruleset.packs:
            click.echo(f"{pack.path}: ok ({pack.name}, {len(pack.rules)} rules)")


@command.command(name="test")
@_PATHS
@click.option("-v", "--verbose", is_flag=True, help="Also list the examples that pass.")
def test(paths: tuple[Path, ...], verbose: bool) -> None:
    """Run every example (drop / keep / strip) of every rule of the packs.

    PATHS are pack files or folders of *.yaml (default: the bundled rules/). Exits 1 if an
    example fails, 2 if a pack is invalid.

    \b
    Example:
      dedup rules test rules/ -v
    """
    with error_boundary():
        results = _load(paths).run_examples()
    failed = [r for r in results if not r.ok]
    for result in results:
        if verbose or not result.ok:
            click.echo(str(result), err=not result.ok)
    click.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed:
        raise SystemExit(1)
