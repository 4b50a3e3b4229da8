"""``dedup check``: the pre-commit hook for new seed files."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from dedup.cli.common import EXIT_FINDINGS, config_option, error_boundary
from dedup.cli.index import announce, config_from, location_options, scheme_options


@click.command(name="check", short_help="Pre-commit check: are new seed files usable and new?")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@location_options
@scheme_options
@click.option("--strict", is_flag=True, help="Warnings (W-*) fail the check too.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Findings as lines or as one JSON object.",
)
@config_option
def command(
    files: tuple[Path, ...],
    corpus: Path,
    index_path: Path,
    strict: bool,
    fmt: str,
    config_file: Path | None,
    **opts: Any,
) -> None:
    """Check new seed FILE... before they are committed: usable, clean, and new.

    Prints one finding per line, `path:line: CODE message`, sorted. Errors: MISSING,
    UNREADABLE, TOO_LARGE, DECODE, BINARY, EMPTY, SCHEMA-TITLE, SCHEMA-LENGTH,
    SCHEMA-CHROME, DUPLICATE (names the twin and the similarity). Warnings:
    W-BOILERPLATE (a line many corpus documents share that no rule removes, with a rule
    to paste). The index of --corpus is updated first (only new or changed files are
    signed). Exit codes: 0 no error; 1 an error finding (or a warning with --strict), or
    an unusable index; 2 usage error.

    \b
    Example:
      dedup check seeds/005_new_article.txt --corpus seeds/
    """
    from dedup.check import run_check

    with error_boundary():
        config = config_from(config_file, opts)
        result = run_check(list(files), config, corpus, index_path, strict)
    if result.index is not None:
        announce(result.index)
    if fmt == "json":
        click.echo(result.to_json(strict))
    else:
        for finding in result.findings:
            click.echo(str(finding))
        errors = len(result.errors(strict))
        warnings = len(result.findings) - errors
        if result.findings:
            click.echo(
                f"dedup check: {result.files} files, {errors} errors, {warnings} warnings",
                err=True,
            )
    if result.failed(strict):
        sys.exit(EXIT_FINDINGS)
