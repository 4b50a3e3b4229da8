"""``dedup index build|update|info``: manage the persistent signature index of a corpus."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from dedup.cli.common import config_option, error_boundary, load_config
from dedup.config import DedupConfig
from dedup.errors import IndexError_

F = Callable[..., Any]


def location_options(f: F) -> F:
    """--corpus and --index, shared with ``dedup check``."""
    f = click.option(
        "--index",
        "index_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=Path(".dedup/index.sqlite"),
        show_default=True,
        help="The SQLite index file (created when missing; keep it out of git).",
    )(f)
    return click.option(
        "--corpus",
        type=click.Path(path_type=Path, file_okay=False),
        default=Path("seeds"),
        show_default=True,
        help="Folder of corpus *.txt files the index describes.",
    )(f)


def scheme_options(f: F) -> F:
    """Options that change the signatures (a different value rebuilds the index)."""
    f = click.option(
        "--rules",
        multiple=True,
        type=click.Path(path_type=Path, exists=True),
        help="Rule pack file or folder (repeatable). Default: the bundled rules/.",
    )(f)
    f = click.option("--num-perm", type=int, default=None, help="MinHash permutations.")(f)
    f = click.option("--seed", type=int, default=None, help="MinHash seed.")(f)
    f = click.option("--shingle-size", type=int, default=None, help="Word n-gram size.")(f)
    return click.option(
        "--doc-threshold",
        type=float,
        default=None,
        help="Jaccard similarity from which two documents are near-duplicates.",
    )(f)


def config_from(config_file: Path | None, opts: dict[str, Any]) -> DedupConfig:
    overrides: dict[str, Any] = {
        "rules": tuple(opts.get("rules") or ()) or None,
        "jobs": opts.get("jobs"),
        "neardup": {k: opts.get(k) for k in ("num_perm", "seed", "shingle_size", "doc_threshold")},
    }
    return load_config(config_file, overrides)


def announce(report: Any) -> None:
    """Rebuilds and creations go to stderr, so stdout stays machine-readable."""
    if report.rebuilt:
        click.echo(f"dedup: index {report.index} rebuilt: {report.rebuilt}", err=True)
    elif report.created:
        click.echo(f"dedup: index {report.index} created for {report.corpus}", err=True)


@click.group(name="index")
def command() -> None:
    """Manage the persistent signature index used by `dedup check`.

    The index (one SQLite file) holds, per corpus file, its content hash, the LSH band keys
    of its MinHash signature, its cleaned normalised text and the hashes of its lines. It
    records the scheme it was built with; `check` and `update` rebuild it, with a message,
    when the scheme or the rule packs change.

    \b
    Example:
      dedup index build --corpus seeds/ && dedup index info
    """


def _update(
    config_file: Path | None, corpus: Path, index_path: Path, rebuild: bool, opts: dict[str, Any]
) -> None:
    from dedup.index.sync import build, open_index, update
    from dedup.ruleset import load_rules

    config = config_from(config_file, opts)
    ruleset = load_rules(config.rules)
    if rebuild:
        _, report = build(index_path, corpus, config, ruleset)
    else:
        with open_index(index_path) as store:
            _, report = update(store, corpus, config, ruleset)
        announce(report)
    click.echo(report.summary())


@command.command(name="build")
@location_options
@scheme_options
@click.option(
    "--jobs", "-j", type=int, default=None, help="Worker processes (default: the CPUs it may use)."
)
@config_option
def build(config_file: Path | None, corpus: Path, index_path: Path, **opts: Any) -> None:
    """Build the index of --corpus from scratch, replacing an existing or corrupted index.

    The new index is built beside the old one and replaces it only when complete; a file
    at --index that is not a dedup index is refused, never overwritten.

    \b
    Example:
      dedup index build --corpus seeds/ --index .dedup/index.sqlite
    """
    with error_boundary():
        _update(config_file, corpus, index_path, True, opts)


@command.command(name="update")
@location_options
@scheme_options
@click.option(
    "--jobs", "-j", type=int, default=None, help="Worker processes (default: the CPUs it may use)."
)
@config_option
def update_cmd(config_file: Path | None, corpus: Path, index_path: Path, **opts: Any) -> None:
    """Bring the index up to date: sign only new and changed files, drop deleted ones.

    \b
    Example:
      dedup index update --corpus seeds/
    """
    with error_boundary():
        _update(config_file, corpus, index_path, False, opts)


@command.command(name="info")
@click.option(
    "--index",
    "index_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path(".dedup/index.sqlite"),
    show_default=True,
    help="The SQLite index file.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def info(index_path: Path, fmt: str) -> None:
    """Show what an index holds: corpus, scheme, counts, size.

    \b
    Example:
      dedup index info --format json
    """
    from dedup.index.store import IndexStore

    with error_boundary():
        if not index_path.is_file():
            raise IndexError_("no index here; run `dedup index build`", path=index_path)
        with IndexStore(index_path) as store:
            meta = store.meta()
            scheme = store.scheme()
            stats = store.stats()
    data = {
        "index": str(index_path),
        "corpus": meta.get("corpus"),
        "created": meta.get("created"),
        "updated": meta.get("updated"),
        "scheme": scheme.to_dict() if scheme is not None else None,
        **stats,
    }
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
        return
    for key, value in data.items():
        if key == "scheme" and isinstance(value, dict):
            click.echo("scheme:")
            for k, v in value.items():
                click.echo(f"  {k}: {v}")
        else:
            click.echo(f"{key}: {value}")
