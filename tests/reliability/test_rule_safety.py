"""Rule packs cannot act as code or hang a pre-commit hook: safe YAML, unknown keys
rejected, and regexes compiled by RE2 (linear time), so catastrophic patterns are cheap."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from helpers_reliability import run_cli

from dedup.errors import RuleError
from dedup.model import Document
from dedup.ruleset import load_rules
from dedup.text import segment

HEAD = "pack: evil\napplies_to: {any: true}\nrules:\n"


def _pack(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "evil.yaml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "body",
    [
        "pack: !!python/object/apply:os.system ['touch /tmp/dedup-pwned']\n",
        "!!python/object/new:os.system ['touch /tmp/dedup-pwned']\n",
        HEAD + "  - !!python/name:os.system\n",
        "pack: !!binary aGVsbG8=\n",
        "pack: &a [*a]\n",
    ],
    ids=["object-apply", "object-new", "name", "binary", "recursive-alias"],
)
def test_unsafe_yaml_is_a_rule_error_and_never_runs(tmp_path: Path, body: str) -> None:
    path = _pack(tmp_path, body)
    with pytest.raises(RuleError):
        load_rules([path])
    assert not Path("/tmp/dedup-pwned").exists()
    run = run_cli("rules", "lint", path)
    assert run.exit_code == 2 and "Traceback" not in run.output
    assert str(path) in run.output


@pytest.mark.parametrize("key", ["regx", "exec", "python", "__class__"])
def test_unknown_keys_are_rejected(tmp_path: Path, key: str) -> None:
    path = _pack(tmp_path, HEAD + f"  - id: a\n    kind: drop\n    why: w\n    {key}: x\n")
    with pytest.raises(RuleError, match="unknown key"):
        load_rules([path])


@pytest.mark.parametrize("top", ["imports", "version_of_python", "hooks"])
def test_unknown_top_level_keys_are_rejected(tmp_path: Path, top: str) -> None:
    path = _pack(
        tmp_path,
        f"{top}: x\n" + HEAD + "  - id: a\n    kind: drop\n    why: w\n    exact: Log in\n",
    )
    with pytest.raises(RuleError, match="unknown key"):
        load_rules([path])


CATASTROPHIC = ["(a+)+$", "(a|aa)+$", "(a*)*b", "(x+x+)+y", "^(([a-z])+.)+[A-Z]([a-z])+$"]


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_catastrophic_patterns_cannot_hang(tmp_path: Path, pattern: str) -> None:
    """With Python's `re` these take exponential time on the line below (minutes to
    years); RE2 matches in linear time. Run in a thread with a generous join timeout so
    a regression fails instead of hanging CI."""
    path = _pack(
        tmp_path,
        HEAD + f"  - id: a\n    kind: drop\n    why: w\n    regex: '{pattern}'\n",
    )
    stage = load_rules([path]).stage()
    line = "a" * 5000 + "!"
    doc = Document("d", "d", segment("Title\n" + line + "\n" + "x" * 3000 + "\n"))
    result: list[Document] = []
    worker = threading.Thread(target=lambda: result.append(stage.process(doc)), daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), f"{pattern!r} is still matching after 60 s"
    assert len(result[0].paragraphs) == 3


def test_regex_features_without_linear_time_guarantee_are_rejected(tmp_path: Path) -> None:
    for pattern in [r"(a)\1", "(?=a)b", "(?<!a)b"]:
        path = _pack(
            tmp_path,
            HEAD + f"  - id: a\n    kind: drop\n    why: w\n    regex: '{pattern}'\n",
        )
        with pytest.raises(RuleError, match="regex"):
            load_rules([path])


def test_huge_rule_pack_is_refused(tmp_path: Path) -> None:
    """A YAML bomb (billion laughs) or a giant file must not exhaust memory."""
    lol = "a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']\n"
    for i in range(1, 9):
        prev = "a" if i == 1 else f"a{i - 1}"
        lol += f"a{i}: &a{i} [" + ",".join([f"*{prev}"] * 9) + "]\n"
    path = _pack(tmp_path, lol + HEAD)
    with pytest.raises(RuleError):
        load_rules([path])
