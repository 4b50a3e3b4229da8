"""Build a small, valid dedup output folder by hand (format 1, docs/architecture.md)."""

from __future__ import annotations

import copy
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from dedup.model import Document

_WORDS = """
city council budget river bridge market school hospital train station road park
festival museum farmer rice harvest export factory worker wage tourist hotel airport
flight weather storm flood rain summer winter temple pagoda lake street vendor coffee
noodle bicycle motorbike traffic police court law minister policy reform trade bank
loan interest inflation price housing land village province district ward student
teacher exam university research science energy solar wind power grid water supply
waste recycling plastic forest tree bird fish boat harbour port ship container cargo
metro tunnel construction engineer design plan approval investment capital growth
digital software internet startup mobile payment cash tax revenue audit report survey
census population youth elderly health vaccine clinic doctor nurse sport football
stadium champion team coach music concert artist painting heritage craft silk pottery
"""
VOCAB = tuple(_WORDS.split())


def sentence(rng: random.Random, words: int) -> str:
    picked = [rng.choice(VOCAB) for _ in range(words)]
    return " ".join(picked).capitalize() + "."


def kept_doc(
    doc_id: str,
    *,
    title: str | None = None,
    paragraphs: list[str] | None = None,
    text: str | None = None,
    lines: list[int] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A valid kept document whose random body is unlike every other one."""
    rng = random.Random(doc_id)
    if title is None:
        title = f"Report {doc_id}: " + sentence(rng, 6)
    if text is None:
        paras = paragraphs if paragraphs is not None else [sentence(rng, 25) for _ in range(2)]
        text = "\n\n".join(paras)
        count = len(paras)
    else:
        count = len([p for p in text.split("\n\n") if p.strip()])
    record = {
        "doc_id": doc_id,
        "source": f"{doc_id}.txt",
        "url": None,
        "title": title,
        "text": text,
        "lines": lines if lines is not None else list(range(1, count + 2)),
        "status": "kept",
        "duplicate_of": None,
        "similarity": None,
        "reject_reason": None,
    }
    record.update(extra)
    return record


def removal(doc_id: Any, line: Any, **extra: Any) -> dict[str, Any]:
    record = {
        "doc_id": doc_id,
        "line": line,
        "text": "Log in",
        "reason": "rule",
        "detail": "test/login",
        "similarity": None,
    }
    record.update(extra)
    return record


@dataclass
class Output:
    documents: list[dict[str, Any]]
    removals: list[dict[str, Any]]
    edits: list[dict[str, Any]] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)

    def copy(self) -> Output:
        return copy.deepcopy(self)

    def write(self, out_dir: Path) -> Path:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, rows in (
            ("documents.jsonl", self.documents),
            ("removed.jsonl", self.removals),
            ("edits.jsonl", self.edits),
        ):
            with (out_dir / name).open("w", encoding="utf-8") as fh:
                for row in rows:
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        (out_dir / "manifest.json").write_text(json.dumps(self.manifest), encoding="utf-8")
        return out_dir


def valid_output() -> Output:
    a = kept_doc("a", lines=[1, 2, 4])  # line 3 ("Share:") removed by a rule
    b = kept_doc("b", lines=[1, 2, 4])  # line 3 repeated line 2
    b_par = b["text"].split("\n\n")[0]
    c = kept_doc("c")
    d = kept_doc(
        "d", status="duplicate", duplicate_of="a", similarity=0.93, title=a["title"], text=a["text"]
    )
    e: dict[str, Any] = {
        "doc_id": "e",
        "source": "e.txt",
        "url": None,
        "title": "",
        "text": "",
        "lines": [],
        "status": "rejected",
        "duplicate_of": None,
        "similarity": None,
        "reject_reason": "invalid UTF-8 at byte 12",
    }
    removals = [
        removal("a", 3, text="Share:", detail="test/share"),
        removal("b", 3, text=b_par, reason="repeated", detail="b:2", similarity=1.0),
    ]
    edits = [{"doc_id": "c", "line": 2, "rule": "strip-whitespace", "before": "x ", "after": "x"}]
    manifest = {
        "tool": "dedup",
        "version": "0.1.0",
        "format": 1,
        "created": "2025-01-01T00:00:00Z",
        "command": ["dedup", "clean", "in", "--out", "out"],
        "parameters": {},
        "rules": [],
        "inputs": [],
        "counts": {},
        "validation": {"status": "passed", "findings": 0, "by_check": {}},
        "files": {},
    }
    return Output([a, b, c, d, e], removals, edits, manifest)


class FakeRules:
    """Stands in for dedup.ruleset.RuleSet: drops a few navigation lines."""

    CHROME: ClassVar[dict[str, str]] = {
        "Share:": "test/share",
        "Log in": "test/login",
        "Reactions:": "test/reactions",
    }

    def would_remove(self, doc: Document) -> list[tuple[int, str]]:
        return [(p.line, self.CHROME[p.text]) for p in doc.paragraphs if p.text in self.CHROME]
