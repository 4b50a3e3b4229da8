"""`dedup report` (placeholder until its issue lands)."""

import click


@click.command(name="report")
def command() -> None:
    """Not implemented yet."""
    raise click.ClickException("'dedup report' is not implemented yet")
