"""Lossless audit trail: cleaned text + removed.jsonl + edits.jsonl rebuild every input
document's non-blank lines exactly (line endings and trailing whitespace aside)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from helpers_reliability import REPO, SEEDS, jsonl, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup.api import clean
from dedup.config import build_config
from dedup.restore import restore_documents
from dedup.text.segment import split_lines

BBC = REPO.parent / "shared" / "data" / "bbc"
EXAMPLES = int(os.environ.get("DEDUP_PROPERTY_EXAMPLES", "25"))


def expected_lines(text: str) -> list[str]:
    """What restore promises: every line (same breaks as the segmenter), trailing
    whitespace stripped, trailing blank lines dropped."""
    lines = [ln.rstrip() for ln in split_lines(text.removeprefix("\ufeff"))]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def rebuilt_lines(lines: dict[int, str]) -> list[str]:
    return [lines.get(n, "") for n in range(1, max(lines, default=0) + 1)]


def assert_restores(inputs: dict[str, str], out: Path) -> None:
    restored = {d.path: rebuilt_lines(d.lines) for d in restore_documents(out)}
    for name, text in inputs.items():
        want = expected_lines(text)
        if not any(want):
            assert name not in restored or not any(restored[name])
            continue
        assert restored[name] == want, name


# Lines that make every stage fire: chrome the rule packs drop, repeated paragraphs,
# no-break and odd spaces, leading/trailing whitespace, control characters.
CHROME = [
    "Log in",
    "Share:",
    "Reactions:",
    "Related news",
    "Hanoi",
    "|",
    "20:51, 2025/01/22",
    "THE HANOI TIMES — Hanoi is moving ahead with the plan.",
    "\u00a0Caption text\u00a0",
    "Workers at the site. Photo: Ngoc Thanh",
    "  indented line with trailing tabs\t\t",
    "zero\u200bwidth and\u2009thin\u3000spaces",
    "tab\tinside\x0bvertical\x0cform feed",
    "",
    "   ",
    "\u00a0",
]
SENTENCE = "The city council approved a new budget for public transport and parks this week."
CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r\n")
LINE = st.one_of(
    st.sampled_from(CHROME),
    st.text(CHARS, max_size=60),
    st.builds(lambda n: f"{SENTENCE} Number {n}.", st.integers(0, 5)),
)
DOC = st.lists(LINE, max_size=14)


@st.composite
def corpus(draw: st.DrawFn) -> dict[str, str]:
    docs = draw(st.lists(DOC, min_size=1, max_size=4))
    if draw(st.booleans()) and docs[0]:
        docs.append(list(docs[0]))  # an exact duplicate document
    newline = st.sampled_from(["\n", "\r\n", "\r"])
    out = {}
    for i, lines in enumerate(docs):
        if lines and draw(st.booleans()):
            lines = [*lines, lines[len(lines) // 2]]  # a repeated paragraph
        text = "".join(ln + draw(newline) for ln in lines)
        out[f"doc{i}.txt"] = text
    return out


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(corpus(), st.booleans())
def test_clean_then_restore_rebuilds_every_line(docs: dict[str, str], neardup: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in"
        src.mkdir()
        for name, text in docs.items():
            (src / name).write_bytes(text.encode("utf-8"))
        out = Path(tmp) / "out"
        config = build_config({"jobs": 1, "neardup": {"enabled": neardup}})
        clean([src], out, config, validate=False)
        assert_restores(docs, out)


def test_restore_command_rebuilds_all_seeds(tmp_path: Path) -> None:
    out, to = tmp_path / "out", tmp_path / "restored"
    assert run_cli("clean", SEEDS, "--out", out, "--jobs", "1", "--quiet").exit_code == 0
    run = run_cli("restore", out, "--to", to)
    assert run.exit_code == 0, run.output
    seeds = sorted(p.name for p in SEEDS.glob("*.txt"))
    assert sorted(p.name for p in to.iterdir()) == seeds
    for name in seeds:
        original = (SEEDS / name).read_text(encoding="utf-8")
        rebuilt = (to / name).read_text(encoding="utf-8")
        assert rebuilt.split("\n")[:-1] == expected_lines(original), name


def test_restore_refuses_an_incomplete_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    clean([SEEDS], out, build_config({"jobs": 1}), validate=False)
    (out / "manifest.json").unlink()
    run = run_cli("restore", out, "--to", tmp_path / "r")
    assert run.exit_code == 1 and "Traceback" not in run.output
    assert "manifest.json is missing" in run.output


def _bbc_copy(dest: Path) -> dict[str, str]:
    """The BBC corpus as UTF-8: sport/199.txt has one Latin-1 byte (a pound sign), which
    dedup refuses to guess; converting it is the documented remedy (iconv)."""
    texts = {}
    for path in sorted(BBC.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(BBC).as_posix()
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252")
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        texts[rel] = text
    return texts


@pytest.mark.slow
@pytest.mark.skipif(not BBC.is_dir(), reason=f"BBC corpus not found at {BBC}")
def test_restore_rebuilds_every_bbc_file(tmp_path: Path) -> None:
    src = tmp_path / "bbc"
    texts = _bbc_copy(src)
    assert sum(1 for r in texts if r.endswith(".txt")) == 2225
    out = tmp_path / "out"
    clean([src], out, build_config({"jobs": 2}), validate=False)
    docs = jsonl(out / "documents.jsonl")
    assert len(docs) == len(texts)  # 2,225 articles + README.TXT
    assert not [d["doc_id"] for d in docs if d["status"] == "rejected"]
    assert_restores(texts, out)
    to = tmp_path / "restored"
    assert run_cli("restore", out, "--to", to).exit_code == 0
    assert sum(1 for p in to.rglob("*") if p.is_file()) == len(texts)


@pytest.mark.slow
@pytest.mark.skipif(not BBC.is_dir(), reason=f"BBC corpus not found at {BBC}")
def test_bbc_as_shipped_rejects_only_the_latin1_file_under_skip(tmp_path: Path) -> None:
    src = tmp_path / "bbc"
    shutil.copytree(BBC, src)
    out = tmp_path / "out"
    clean([src], out, build_config({"jobs": 2, "input": {"on_error": "skip"}}), validate=False)
    rejected = [d for d in jsonl(out / "documents.jsonl") if d["status"] == "rejected"]
    assert [d["doc_id"] for d in rejected] == ["sport/199.txt"]
    assert "sport/199.txt:5: not valid UTF-8" in rejected[0]["reject_reason"]
