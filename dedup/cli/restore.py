"""`dedup restore` (placeholder until its issue lands)."""

import click


@click.command(name="restore")
def command() -> None:
    """Not implemented yet."""
    raise click.ClickException("'dedup restore' is not implemented yet")
