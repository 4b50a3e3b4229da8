"""`dedup rules` (placeholder until its issue lands)."""

import click


@click.command(name="rules")
def command() -> None:
    """Not implemented yet."""
    raise click.ClickException("'dedup rules' is not implemented yet")
