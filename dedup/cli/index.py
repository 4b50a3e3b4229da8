"""`dedup index` (placeholder until its issue lands)."""

import click


@click.command(name="index")
def command() -> None:
    """Not implemented yet."""
    raise click.ClickException("'dedup index' is not implemented yet")
