"""Every command documents itself with an example, and the README reference is current."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from dedup.cli.main import cli
from dedup.cli.reference import _walk, render

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_cli_reference_is_up_to_date() -> None:
    assert render() in README.read_text(encoding="utf-8"), "run `make docs`"


@pytest.mark.parametrize("path", [p for p, _ in _walk(cli, ["dedup"])], ids=" ".join)
def test_every_command_help_ends_with_an_example(path: list[str]) -> None:
    cmd = dict((tuple(p), c) for p, c in _walk(cli, ["dedup"]))[tuple(path)]
    with click.Context(cmd, info_name=" ".join(path)) as ctx:
        help_text = cmd.get_help(ctx)
    assert "Example" in help_text, f"{' '.join(path)} --help has no example"
