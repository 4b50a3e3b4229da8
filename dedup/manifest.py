"""``manifest.json``: what a run was (version, parameters, inputs, rules) and what it did.

Written last by ``dedup clean``: the commit marker of an output folder. Readers
(``dedup validate``, ``dedup report``) check ``FORMAT_VERSION`` before trusting the rest.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dedup import __version__
from dedup.model import REASON_RULE, Document
from dedup.pipeline import Corpus

if TYPE_CHECKING:  # annotations only: readers of the format constant must not import config
    from dedup.config import DedupConfig
    from dedup.io.readers import InputFile

FORMAT_VERSION = 1


def display_path(path: str | Path) -> str:
    """Paths under the working directory are recorded relative to it (portable manifests)."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _parameters(config: DedupConfig) -> dict[str, Any]:
    params = config.public_dict()
    # The rule folders as the packs' paths are shown: relative under the working directory.
    params["rules"] = [display_path(p) for p in params.get("rules") or []]
    return params


def counts(documents: Sequence[Document]) -> dict[str, Any]:
    """Documents by status; paragraphs and characters in/kept/removed; removals by reason
    and by rule, in one pass over the paragraphs."""
    status = {"in": len(documents), "kept": 0, "duplicate": 0, "rejected": 0}
    n_in = c_in = n_removed = c_removed = 0  # locals: this loop sees every line of the run
    by_reason: Counter[str] = Counter()
    by_rule: Counter[str] = Counter()
    for doc in documents:
        status[doc.status] += 1
        n_in += len(doc.paragraphs)
        for p in doc.paragraphs:
            size = len(p.raw)
            c_in += size
            removal = p.removal
            if removal is not None:
                n_removed += 1
                c_removed += size
                by_reason[removal.reason] += 1
                if removal.reason == REASON_RULE:
                    by_rule[removal.detail] += 1
    paras = {"in": n_in, "kept": n_in - n_removed, "removed": n_removed}
    chars = {"in": c_in, "removed": c_removed}
    return {
        "documents": status,
        "paragraphs": paras,
        "characters": chars,
        "removed_by_reason": dict(sorted(by_reason.items())),
        "removed_by_rule": dict(sorted(by_rule.items())),
    }


def inputs(files: Sequence[InputFile]) -> list[dict[str, Any]]:
    """Input files with their sha256, grouped by the path given on the command line."""
    roots: dict[str, dict[str, Any]] = {}
    for f in files:
        entry = roots.setdefault(f.root, {"path": f.root, "files": []})
        entry["files"].append(
            {
                "path": f.rel,
                "kind": f.kind,
                "sha256": f.sha256,
                "bytes": f.size,
                "documents": f.documents,
            }
        )
    return list(roots.values())


def build_manifest(
    *,
    config: DedupConfig,
    command: Sequence[str] | None,
    rule_packs: list[dict[str, Any]],
    files: Sequence[InputFile],
    documents: Sequence[Document],
    corpus: Corpus,
    text_files: int,
    index: dict[str, Any] | None,
    timings: dict[str, float],
    validation: dict[str, Any],
    hashes: dict[str, str],
) -> dict[str, Any]:
    """The manifest of one run; ``validation`` is its ``{"status", "findings", "by_check"}``."""
    facts = corpus.facts
    return {
        "tool": "dedup",
        "version": __version__,
        "format": FORMAT_VERSION,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "command": list(command) if command is not None else None,
        "parameters": _parameters(config),
        "rules": [{**pack, "path": display_path(pack["path"])} for pack in rule_packs],
        "inputs": inputs(files),
        "counts": {**counts(documents), "text_files": text_files},
        "stages": facts.get("stage_counts", {}),
        "neardup": {
            "scheme": facts.get("neardup_scheme"),
            "clusters": len(facts.get("clusters", [])),
            "boilerplate_groups": len(facts.get("boilerplate", [])),
        },
        **({"index": index} if index is not None else {}),
        "timings": {k: round(v, 4) for k, v in timings.items()},
        "validation": validation,
        "files": hashes,
    }
