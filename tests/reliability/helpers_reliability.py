"""Shared helpers for the reliability tests (a module, not a conftest: test dirs are not
packages)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from click.testing import CliRunner

from dedup.cli.main import cli

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"
RULES = REPO / "rules"
DATA = REPO / "tests" / "data"
DEDUP = Path(sys.executable).parent / "dedup"

# Distinct vocabulary per document keeps generated articles apart for the near-dup stages.
_WORDS = [
    f"{a}{b}"
    for a in ("ha", "lo", "mi", "tra", "ven", "quo", "sel", "dra", "pin", "gor", "yul", "zeb")
    for b in ("na", "rit", "mos", "ken", "dal", "vor", "pes", "lun", "tik", "bar", "sho", "wen")
]


def article(seed: int, paragraphs: int = 3, words: int = 40) -> str:
    """A plausible article (title + body) that passes validation and is unlike the others."""
    rng = random.Random(seed)
    title = f"Report {seed}: " + " ".join(rng.choice(_WORDS) for _ in range(6)).capitalize()
    body = [
        " ".join(rng.choice(_WORDS) for _ in range(words)).capitalize() + "."
        for _ in range(paragraphs)
    ]
    return "\n".join([title, *body]) + "\n"


def copy_seeds(parent: Path) -> Path:
    """A writable copy of the repo's seeds/ as ``parent/seeds``."""
    dest = parent / "seeds"
    dest.mkdir()
    for f in sorted(SEEDS.glob("*.txt")):
        (dest / f.name).write_bytes(f.read_bytes())
    return dest


def write_corpus(folder: Path, count: int, start: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + count):
        (folder / f"doc{i:05d}.txt").write_text(article(i), encoding="utf-8")
    return folder


@dataclass
class Run:
    exit_code: int
    output: str  # stdout + stderr


def run_cli(*args: str | Path, env: dict[str, str] | None = None) -> Run:
    """``dedup ARGS`` in-process (CliRunner: imports once, fast); stderr is in ``output``."""
    result = CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=True)
    text = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        # An exception escaping click is itself a failure we want visible in the assert.
        text += f"\nTraceback (escaped): {result.exception!r}"
    return Run(result.exit_code, text)


def run_process(*args: str | Path, timeout: float = 120) -> Run:
    """``dedup ARGS`` as a real process (exit code and stderr exactly as a user sees them)."""
    env = {k: v for k, v in os.environ.items() if k != "DEDUP_DEBUG"}
    proc = subprocess.run(
        [str(DEDUP), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    return Run(proc.returncode, proc.stdout + proc.stderr)


def clean_args(inputs: list[Path] | Path, out: Path, *extra: str) -> list[str | Path]:
    ins = inputs if isinstance(inputs, list) else [inputs]
    return ["clean", *ins, "--out", out, "--jobs", "1", "--quiet", *extra]


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def looks_complete(out: Path) -> bool:
    """The contract: a folder is a finished run only if it has manifest.json."""
    return (out / "manifest.json").exists()


def error_lines(output: str) -> list[str]:
    return [ln for ln in output.splitlines() if ln.startswith("Error:")]


def one_error_line(run: Run, code: int, *fragments: str) -> str:
    """The run's single ``Error:`` line, after checking its exit code, that no traceback
    or internal error escaped, and that the line holds every fragment."""
    assert run.exit_code == code, run.output
    assert "Traceback" not in run.output and "internal error" not in run.output, run.output
    [line] = error_lines(run.output)
    for fragment in fragments:
        assert fragment in line, (fragment, line)
    return line
