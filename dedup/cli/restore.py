"""``dedup restore``: rebuild the inputs from an output folder."""

from __future__ import annotations

from pathlib import Path

import click

from dedup.cli.common import error_boundary
from dedup.restore import not_restorable, restore


@click.command(name="restore", short_help="Rebuild the input documents from an output folder.")
@click.argument("out_dir", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option(
    "--to",
    "to",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder to write the rebuilt documents into (same relative names).",
)
def command(out_dir: Path, to: Path) -> None:
    """Rebuild every input document of OUT_DIR from its cleaned text and audit trail.

    The rebuilt files equal the inputs apart from line endings, trailing whitespace, a
    byte-order mark and trailing blank lines; they are UTF-8 (a UTF-16 input comes back
    as UTF-8); inputs rejected with nothing kept (empty, unreadable, undecodable) are not
    rebuilt, and the command names them. --to must be a new or empty folder: restore
    never overwrites a file.

    \b
    Example:
      dedup restore build/seeds --to /tmp/seeds-restored
    """
    with error_boundary():
        if to.resolve() == out_dir.resolve() or out_dir.resolve() in to.resolve().parents:
            raise click.UsageError("--to must not be inside the output folder")
        # Restoring into the input folder rewrote the inputs (trailing whitespace and blank
        # lines gone, UTF-16 made UTF-8): only a new or empty folder is written into.
        if to.is_dir() and any(to.iterdir()):
            raise click.UsageError(f"--to {to} is not empty; restore into a new or empty folder")
        count = restore(out_dir, to)
        skipped = not_restorable(out_dir)
    click.echo(f"restored {count} documents into {to}", err=True)
    if skipped:
        # Said, not silent: a reader comparing file trees would find them missing.
        first = ", ".join(f"{doc_id} ({why})" for doc_id, why in skipped[:3])
        more = f" and {len(skipped) - 3} more" if len(skipped) > 3 else ""
        click.echo(
            f"not rebuilt: {len(skipped)} rejected documents of which nothing was kept: "
            f"{first}{more}; see documents.jsonl",
            err=True,
        )
