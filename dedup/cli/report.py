"""``dedup report DIR -o FILE``: re-render the HTML report from an output folder."""

from __future__ import annotations

from pathlib import Path

import click

from dedup.cli.common import error_boundary, refuse_dash


def _default_html(out_dir: Path) -> Path:
    # build/seeds -> reports/seeds.html, the same place `make run` writes it.
    return Path("reports") / f"{out_dir.resolve().name}.html"


@click.command(name="report", short_help="Re-render the HTML review report from an output folder.")
@click.argument(
    "out_dir", metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--output",
    "-o",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="HTML file to write (default: reports/<DIR name>.html).",
)
@click.option(
    "--sample",
    type=click.IntRange(min=0),
    default=200,
    show_default=True,
    help="Documents shown in full detail; beyond it, the worst documents first.",
)
def command(out_dir: Path, html_path: Path | None, sample: int) -> None:
    """Render the HTML quality report of DIR, an output folder of `dedup clean`.

    Reads only DIR (nothing is recomputed), so the page is the same as the one
    `dedup clean --report` writes. The file is self-contained and makes no network
    request. Exit codes: 0 written; 1 DIR is not a complete output folder; 2 usage error.

    \b
    Example:
      dedup report build/seeds -o reports/seeds.html
    """
    refuse_dash(html_path, "-o")
    target = html_path or _default_html(out_dir)
    with error_boundary():
        from dedup.report import render_report  # imported late: keeps `dedup --help` fast

        written = render_report(out_dir, target, sample_limit=sample)
    click.echo(f"report: {written}", err=True)
