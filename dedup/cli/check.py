"""`dedup check` (placeholder until its issue lands)."""

import click


@click.command(name="check")
def command() -> None:
    """Not implemented yet."""
    raise click.ClickException("'dedup check' is not implemented yet")
