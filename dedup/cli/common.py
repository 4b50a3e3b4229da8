"""Shared CLI plumbing: configuration from file + flags, and the error boundary."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from dedup.cli.signals import Terminated
from dedup.config import DedupConfig, build_config, find_config_file, load_config_file
from dedup.errors import ConfigError, DedupError, OutputError, RuleError

# Exit codes (documented in the README and tested):
EXIT_OK = 0
EXIT_FINDINGS = 1  # validation failed, check findings, or an input stopped the run
EXIT_USAGE = 2  # bad flags, configuration or rule packs


EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
EXIT_TERMINATED = 143  # SIGTERM (128 + SIGTERM): timeout, systemd, Kubernetes


class UsageFailure(click.ClickException):
    exit_code = EXIT_USAGE


def config_option(f: Any) -> Any:
    return click.option(
        "--config",
        "config_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="dedup.toml or pyproject.toml with [tool.dedup] (default: found upward from cwd).",
    )(f)


def load_config(config_file: Path | None, overrides: dict[str, Any]) -> DedupConfig:
    path = config_file or find_config_file()
    file_values = load_config_file(path) if path is not None else {}
    return build_config(overrides, file_values=file_values, source=path)


def rule_failure(exc: RuleError) -> UsageFailure:
    """Every rule-pack problem as its own ``file:line: field: message`` line on stderr;
    the returned exception adds the one ``Error: invalid rule pack`` line (exit 2).

    The same in every command, so an editor's problem matcher or ``grep`` sees each
    problem, not only the first behind an ``Error:`` prefix.
    """
    for line in str(exc).splitlines():
        click.echo(line, err=True)
    return UsageFailure("invalid rule pack")


@contextlib.contextmanager
def error_boundary() -> Iterator[None]:
    """Library errors become one-line messages with the documented exit code (rule-pack
    errors: one line each, see :func:`rule_failure`)."""
    try:
        yield
    except RuleError as exc:
        raise rule_failure(exc) from None
    except ConfigError as exc:
        raise UsageFailure(str(exc)) from None
    except OutputError as exc:
        # --out inside (or holding) an input, or a folder dedup did not write, is a bad flag
        # value (usage); an unwritable or busy folder is not.
        if exc.code in ("OUT_IN_INPUT", "NOT_OUTPUT", "BAD_PATH"):
            raise UsageFailure(str(exc)) from None
        raise click.ClickException(str(exc)) from None
    except DedupError as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt as exc:
        # (after the commit marker, the message says what was kept: see api.clean)
        click.echo(str(exc) or "interrupted", err=True)
        sys.exit(EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED)
    except click.exceptions.Exit:
        raise
    except click.ClickException:
        raise
    except OSError as exc:
        # A path the system refuses (a name too long, a symlink loop, a read-only or full
        # disk) where no library check words it: the path and the system's reason.
        raise click.ClickException(os_error_line(exc)) from None
    except RuntimeError as exc:
        if not str(exc).startswith("Symlink loop"):  # pathlib's resolve() on a loop
            raise _internal(exc) from None
        raise click.ClickException(f"{exc.args[0]}: not followed") from None
    except Exception as exc:
        raise _internal(exc) from None


def _internal(exc: Exception) -> click.ClickException:
    """A bug, not a user error: one line by default, the traceback on request."""
    if os.environ.get("DEDUP_DEBUG"):
        raise exc
    return click.ClickException(
        f"internal error: {type(exc).__name__}: {exc} "
        "(rerun with DEDUP_DEBUG=1 for the traceback, and please report it)"
    )


def os_error_line(exc: OSError) -> str:
    """``PATH: reason`` for an OSError (the system's words, without ``[Errno N]``)."""
    reason = exc.strerror or str(exc)
    if exc.filename is None:
        return reason
    shown = os.fsdecode(exc.filename)
    if len(shown) > 120:  # a name too long to use is too long to print whole
        shown = shown[:60] + "..." + shown[-40:]
    return f"{shown}: {reason}"


def stderr_is_tty() -> bool:
    return sys.stderr.isatty()


class CliProgress:
    """A progress bar on a TTY (documents done of total); in a pipeline (stderr not a TTY)
    a heartbeat line every ``log_every`` seconds, so a long run shows it is alive in its
    log, and nothing at all for a run shorter than that.

    When the total is unknown (JSONL/Parquet) the bar shows a running count instead.
    """

    def __init__(self, *, enabled: bool, log_every: float | None = None) -> None:
        self.enabled = enabled
        self.log_every = None if enabled else log_every
        self._bar: Any = None
        self._done = 0
        self._started = self._logged = time.monotonic()
        self._logging = False  # a heartbeat was written: phases are logged too

    def start(self, total: int | None) -> None:
        self._started = self._logged = time.monotonic()
        if not self.enabled:
            return
        if total:
            self._bar = click.progressbar(
                length=total, label="cleaning", file=sys.stderr, show_pos=True, show_eta=True
            )
            self._bar.__enter__()

    def advance(self, documents: int) -> None:
        self._done += documents
        if self._bar is not None:
            self._bar.update(documents)
        elif self.enabled and self._done % 10_000 == 0:
            click.echo(f"\rcleaning: {self._done} documents", err=True, nl=False)
        elif self.log_every is not None:
            now = time.monotonic()
            if now - self._logged >= self.log_every:
                self._logged = now
                self._logging = True
                rate = self._done / max(now - self._started, 1e-9)
                click.echo(f"dedup: cleaning: {self._done} documents ({rate:.0f}/s)", err=True)

    def phase(self, name: str) -> None:
        if self._logging:
            elapsed = time.monotonic() - self._started
            click.echo(f"dedup: {name} ({elapsed:.0f} s)", err=True)
        if not self.enabled:
            return
        self.close()
        self._done = 0
        click.echo(f"{name}...", err=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
        elif self.enabled and self._done >= 10_000:
            click.echo("", err=True)


def refuse_dash(value: Path | None, what: str) -> None:
    """``-`` is a file name to the OS but stdin/stdout to a reader of a command line: a
    folder or report named ``-`` (or "no such file") is never what was meant."""
    if value is not None and str(value) == "-":
        raise click.UsageError(f"{what} '-' (standard input/output) is not supported; give a path")
