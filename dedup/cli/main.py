"""The ``dedup`` command group. Each command lives in its own module."""

from __future__ import annotations

import importlib
import logging

import click

from dedup import __version__
from dedup.cli.signals import stop_on_sigterm

# name -> module under dedup.cli exposing a click command called ``command``
COMMANDS = {
    "clean": "clean",
    "rules": "rules",
    "validate": "validate",
    "report": "report",
    "check": "check",
    "index": "index",
    "restore": "restore",
}


class LazyGroup(click.Group):
    """Import a command's module only when it runs: `dedup check` must start fast."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMANDS.get(cmd_name)
        if module_name is None:
            return None
        module = importlib.import_module(f"dedup.cli.{module_name}")
        command: click.Command = module.command
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dedup")
def cli() -> None:
    """Clean and deduplicate scraped news-text corpora.

    \b
    Example:
      dedup clean seeds/ --out build/seeds --report reports/seeds.html
    """
    _log_warnings_to_stderr()
    stop_on_sigterm()


def _log_warnings_to_stderr() -> None:
    # The library logs warnings (an empty input folder, a rebuilt index); on the command
    # line they are one "warning: ..." line each on stderr, never mixed into stdout.
    root = logging.getLogger("dedup")
    if not any(isinstance(h, _EchoHandler) for h in root.handlers):
        root.addHandler(_EchoHandler(logging.WARNING))


class _EchoHandler(logging.Handler):
    """Writes through click at emit time, so it follows whatever stderr is current (a
    StreamHandler keeps the stream it was made with)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            click.echo(f"warning: {record.getMessage()}", err=True)
        except Exception:  # a logging failure must not end the run
            self.handleError(record)
