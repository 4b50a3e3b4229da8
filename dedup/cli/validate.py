"""`dedup validate DIR`: re-check an existing output folder and write DIR/validation.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

SUMMARY_LIMIT = 20


class UsageFailure(click.ClickException):
    """A one-line error with exit code 2 (folder not a usable output, bad config/rules)."""

    exit_code = 2


def _config(manifest: dict[str, Any], overrides: dict[str, Any]) -> Any:
    """defaults < dedup.toml / [tool.dedup] < the run's recorded thresholds < flags."""
    from pydantic import BaseModel

    from dedup.config import build_config, find_config_file, load_config_file
    from dedup.neardup.config import NearDupConfig
    from dedup.validate.config import ValidationConfig

    file_values: dict[str, Any] = {}
    found = find_config_file()
    if found is not None:
        file_values = load_config_file(found)
    recorded = manifest.get("parameters")
    if isinstance(recorded, dict):
        # only the sections validation reads (the rest, e.g. jobs, does not matter here),
        # and only keys this version knows: a compatible newer run may record more
        models: tuple[tuple[str, type[BaseModel]], ...] = (
            ("validation", ValidationConfig),
            ("neardup", NearDupConfig),
        )
        for section, model in models:
            values = recorded.get(section)
            if isinstance(values, dict):
                known = {k: v for k, v in values.items() if k in model.model_fields}
                file_values = {
                    **file_values,
                    section: {**file_values.get(section, {}), **known},
                }
    return build_config(overrides, file_values=file_values)


def _ruleset(
    rules: tuple[Path, ...], manifest: dict[str, Any], config: Any
) -> tuple[Any, str | None]:
    """The rule set to check leftovers with, or (None, why not)."""
    from dedup.ruleset import load_rules

    paths: list[Path] = list(rules)
    if not paths and manifest.get("rules") == []:
        return None, "rule_leftover: skipped, the run recorded no rule packs"
    if not paths:
        recorded = [
            Path(str(r.get("path"))) for r in manifest.get("rules") or [] if isinstance(r, dict)
        ]
        paths = [p for p in recorded if p.exists()]
        gone = [str(p) for p in recorded if not p.exists()]
        if gone:
            click.echo(
                f"warning: recorded rule packs not found: {', '.join(gone)}; "
                "using the configured ones",
                err=True,
            )
        if not paths:
            paths = list(config.rules)
    ruleset = load_rules(paths)
    if not hasattr(ruleset, "would_remove"):
        return None, "rule_leftover: skipped, this rules engine cannot test kept lines"
    return ruleset, None


@click.command(name="validate")
@click.argument("out_dir", metavar="DIR", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--rules",
    "rules",
    multiple=True,
    type=click.Path(path_type=Path, exists=True),
    help="rule pack file or folder (repeatable); default: the packs recorded in the "
    "manifest, else the configured ones",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="terminal output: capped summary or the full JSON",
)
@click.option("--min-words", type=int, help="fewest words in a kept body")
@click.option("--min-paragraphs", type=int, help="fewest body paragraphs in a kept document")
@click.option("--max-title-chars", type=int, help="longest title, in characters")
@click.option(
    "--paragraph-repeat-threshold",
    type=float,
    help="ratio (0-1) from which two paragraphs of a document count as a repeat",
)
@click.option(
    "--paragraph-repeat-min-chars", type=int, help="shortest paragraph compared for near repeats"
)
@click.option(
    "--doc-threshold",
    type=float,
    help="similarity from which two kept documents are near-duplicates",
)
@click.option(
    "--no-neardup-check",
    "no_neardup_check",
    is_flag=True,
    default=None,
    help="skip the near-duplicate check between kept documents",
)
def command(
    out_dir: Path,
    rules: tuple[Path, ...],
    fmt: str,
    min_words: int | None,
    min_paragraphs: int | None,
    max_title_chars: int | None,
    paragraph_repeat_threshold: float | None,
    paragraph_repeat_min_chars: int | None,
    doc_threshold: float | None,
    no_neardup_check: bool | None,
) -> None:
    """Validate an existing output folder DIR written by `dedup clean`.

    Runs every check (schemas of documents.jsonl and removed.jsonl, rule leftovers,
    repeated paragraphs, near-duplicate kept documents), prints the first 20 findings
    and writes all of them to DIR/validation.json.

    Exit codes: 0 passed; 1 findings; 2 DIR is not a usable dedup output (missing files,
    unparsable lines, another format or major version) or bad options/rule packs.

    \b
    Example:
      dedup validate build/seeds --rules rules/ --format text
    """
    from dedup.cli.common import error_boundary, rule_failure
    from dedup.errors import ConfigError, DedupError, OutputFormatError, RuleError
    from dedup.validate import read_manifest, validate_output, write_validation
    from dedup.validate.output import check_folder

    overrides: dict[str, Any] = {
        "validation": {
            "min_words": min_words,
            "min_paragraphs": min_paragraphs,
            "max_title_chars": max_title_chars,
            "paragraph_repeat_threshold": paragraph_repeat_threshold,
            "paragraph_repeat_min_chars": paragraph_repeat_min_chars,
            "neardup_check": False if no_neardup_check else None,
        },
        "neardup": {"doc_threshold": doc_threshold},
    }
    # error_boundary: anything else (a bug) is one `internal error` line, not a traceback.
    with error_boundary():
        try:
            check_folder(out_dir)
            manifest = read_manifest(out_dir)
            config = _config(manifest, overrides)
            ruleset, note = _ruleset(rules, manifest, config)
            result = validate_output(out_dir, config, ruleset=ruleset)
        except RuleError as exc:
            raise rule_failure(exc) from None
        except (OutputFormatError, ConfigError) as exc:
            raise UsageFailure(str(exc)) from None
        except DedupError as exc:
            raise click.ClickException(str(exc)) from None
    if note:
        result.notes.insert(0, note)
    try:
        target: Path | str = write_validation(out_dir, result)
    except OSError as exc:
        # An archived (read-only) folder still gets its verdict, on stdout and in the exit
        # status; only the file is missing.
        click.echo(
            f"warning: {out_dir}: cannot write validation.json ({exc.strerror}); the verdict "
            "is printed only",
            err=True,
        )
        target = "the findings above (--format json prints them all)"

    if fmt == "json":
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
    else:
        for line in result.summary_lines(SUMMARY_LIMIT):
            click.echo(f"{line}; see {target}" if line.startswith("... and") else line)
        for note_line in result.notes:
            click.echo(f"note: {note_line}", err=True)
        if result.passed:
            click.echo(f"validation passed: {out_dir} (0 findings)")
        else:
            counts = ", ".join(f"{k}={v}" for k, v in result.by_check().items())
            click.echo(
                f"validation failed: {len(result.findings)} findings ({counts}); see {target}"
            )
    click.get_current_context().exit(0 if result.passed else 1)
