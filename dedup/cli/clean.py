"""``dedup clean``: the pipeline command."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from dedup.api import clean
from dedup.cli.common import (
    EXIT_FINDINGS,
    CliProgress,
    config_option,
    error_boundary,
    load_config,
    refuse_dash,
    stderr_is_tty,
)
from dedup.cli.options import model_options, section_overrides
from dedup.io.readers import printable
from dedup.neardup.config import NearDupConfig
from dedup.validate.config import ValidationConfig


@click.command(name="clean", short_help="Clean and deduplicate a corpus into an output folder.")
# readable=False: an unreadable input is a bad document that --on-error decides about
# (dedup.io.readers), inside a folder or named here alike, not a usage error.
@click.argument(
    "inputs",
    nargs=-1,
    required=True,
    type=click.Path(path_type=Path, exists=False, readable=False),
)
@click.option(
    "--out",
    "-o",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Output folder (documents.jsonl, removed.jsonl, text/, manifest.json, ...).",
)
@click.option(
    "--rules",
    "rules",
    multiple=True,
    type=click.Path(path_type=Path, exists=True),
    help="Rule pack file or folder (repeatable). Default: the bundled rules/.",
)
@click.option(
    "--report",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the HTML review report here.",
)
@click.option(
    "--jobs",
    "-j",
    type=int,
    default=None,
    help="Worker processes for per-document work (default: the CPUs it may use).",
)
@click.option(
    "--on-error",
    type=click.Choice(["fail", "skip"]),
    default=None,
    help="A bad input document: stop the run (fail, default) or reject it and go on.",
)
@click.option(
    "--encoding-errors",
    type=click.Choice(["strict", "replace"]),
    default=None,
    help="Undecodable bytes: error (strict, default) or U+FFFD (replace).",
)
@click.option(
    "--max-doc-bytes",
    type=int,
    default=None,
    help="Largest document accepted, in bytes (default 64 MiB); a larger one is an input "
    "error (see --on-error).",
)
@click.option("--no-validate", is_flag=True, default=False, help="Skip validation.")
@click.option(
    "--index",
    "index_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also dedup against the documents earlier runs added to this index (the "
    "`dedup check` index file, e.g. .dedup/index.sqlite), then add this run's kept "
    "documents to it. Needs the MinHash parameters it was built with.",
)
@click.option(
    "--no-index-update",
    is_flag=True,
    default=False,
    help="With --index: only read the index; do not add this run's documents.",
)
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="No progress (a bar on a terminal, a line every 30 s in a log) and no summary line.",
)
@model_options("neardup", NearDupConfig)
@model_options("validation", ValidationConfig)
@config_option
def command(
    inputs: tuple[Path, ...],
    out_dir: Path,
    rules: tuple[Path, ...],
    report: Path | None,
    jobs: int | None,
    on_error: str | None,
    encoding_errors: str | None,
    max_doc_bytes: int | None,
    no_validate: bool,
    index_path: Path | None,
    no_index_update: bool,
    quiet: bool,
    config_file: Path | None,
    **section_flags: Any,
) -> None:
    """Clean INPUT... (txt folders, .txt, .jsonl[.gz], .parquet) into --out.

    Exit codes: 0 success; 1 validation failed (outputs still written) or an input stopped
    the run; 2 usage error (bad flag, configuration or rule pack).

    \b
    Example:
      dedup clean seeds/ --out build/seeds --report reports/seeds.html
    """
    if no_index_update and index_path is None:
        raise click.UsageError("--no-index-update needs --index")
    for value, what in ((out_dir, "--out"), (report, "--report"), (index_path, "--index")):
        refuse_dash(value, what)
    for given in inputs:
        refuse_dash(given, "INPUT")
    overrides: dict[str, object] = {
        "rules": tuple(rules) or None,
        "jobs": jobs,
        "input": {
            "on_error": on_error,
            "encoding_errors": encoding_errors,
            "max_doc_bytes": max_doc_bytes,
        },
        **section_overrides(section_flags),
    }
    with error_boundary():
        config = load_config(config_file, overrides)
        tty = stderr_is_tty()
        # In a pipeline: a heartbeat line every 30 s on long runs (silent on short ones).
        progress = CliProgress(enabled=not quiet and tty, log_every=None if quiet else 30.0)
        try:
            result = clean(
                list(inputs),
                out_dir,
                config,
                report=report,
                progress=progress,
                # Arguments as UTF-8 text: a file name that is not UTF-8 keeps its bytes as
                # \xNN escapes (the manifest is JSON).
                command=["dedup", *map(printable, sys.argv[1:])],
                validate=not no_validate,
                index=index_path,
                index_update=not no_index_update,
            )
        finally:
            progress.close()
    if result.validation is not None and not result.passed:
        for finding in result.validation.findings[:20]:
            click.echo(str(finding), err=True)
        more = len(result.validation.findings) - 20
        if more > 0:
            click.echo(f"... and {more} more; see {out_dir / 'validation.json'}", err=True)
    if not quiet:
        for note in result.validation.notes if result.validation is not None else []:
            click.echo(f"note: {note}", err=True)  # a check that ran in part or not at all
        click.echo(result.summary(), err=True)
        if result.report is not None:
            click.echo(f"report: {result.report}", err=True)
    if not result.passed:
        sys.exit(EXIT_FINDINGS)
