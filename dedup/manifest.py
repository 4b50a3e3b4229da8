"""``manifest.json``: what a run was (version, parameters, inputs, rules) and what it did.

Written last by ``dedup clean``: the commit marker of an output folder. Readers
(``dedup validate``, ``dedup report``) check ``FORMAT_VERSION`` before trusting the rest,
then the types of the fields they read (:func:`manifest_problem`): a hand-edited
``"rules": 5`` is one line naming the field, not a crash.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from dedup import __version__
from dedup.model import RULE_REASONS, Document
from dedup.pipeline import Corpus

if TYPE_CHECKING:  # annotations only: readers of the format constant must not import config
    from dedup.config import DedupConfig
    from dedup.io.readers import InputFile

FORMAT_VERSION = 1


# --- reading: the shape readers rely on ---------------------------------------------------
# Every field is optional (readers cope with a missing one) and unknown keys are allowed (a
# newer minor version may add some); what is there must have the type build_manifest writes.


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class _Rule(_Shape):
    id: str | None = None
    kind: str | None = None
    why: str | None = None


class _Pack(_Shape):
    path: str | None = None
    pack: str | None = None
    sha256: str | None = None
    rules: list[_Rule] | None = None


class _Input(_Shape):
    path: str | None = None
    files: list[dict[str, Any]] | None = None


class _Counts(_Shape):
    documents: dict[str, int] | None = None
    paragraphs: dict[str, int] | None = None
    characters: dict[str, int] | None = None
    removed_by_reason: dict[str, int] | None = None
    removed_by_rule: dict[str, int] | None = None
    text_files: int | None = None


class _Validation(_Shape):
    status: str | None = None
    findings: int | None = None
    by_check: dict[str, int] | None = None


class ManifestShape(_Shape):
    tool: str | None = None
    version: str | None = None
    format: int | None = None
    created: str | None = None
    command: list[str] | None = None
    parameters: dict[str, Any] | None = None
    rules: list[_Pack] | None = None
    inputs: list[_Input] | None = None
    counts: _Counts | None = None
    stages: dict[str, Any] | None = None
    neardup: dict[str, Any] | None = None
    index: dict[str, Any] | None = None
    timings: dict[str, float] | None = None
    validation: _Validation | None = None
    files: dict[str, str] | None = None


_EXPECTED = {
    "dict_type": "a JSON object",
    "model_type": "a JSON object",
    "list_type": "a JSON array",
    "string_type": "a string",
    "int_type": "an integer",
    "float_type": "a number",
}


def incompatibility(data: dict[str, Any]) -> str | None:
    """Why this dedup cannot read a parsed manifest (another tool, output format or major
    version), or None. ``dedup report`` and ``dedup validate`` apply the same gate."""
    tool, fmt, version = data.get("tool"), data.get("format"), data.get("version")
    if tool is not None and tool != "dedup":
        return f"written by {tool!r}, not by dedup"
    if fmt is not None and fmt != FORMAT_VERSION:
        shown = f"{json.dumps(fmt)} (a string)" if isinstance(fmt, str) else json.dumps(fmt)
        return (
            f"output format {shown} is not supported (dedup {__version__} reads format "
            f"{FORMAT_VERSION}, a number)"
        )
    if version is not None and (
        not isinstance(version, str) or version.split(".", 1)[0] != __version__.split(".", 1)[0]
    ):
        return (
            f"written by dedup {version!r}; this is dedup {__version__} "
            "(major versions differ, re-run `dedup clean` with this version)"
        )
    return None


def manifest_problem(data: dict[str, Any]) -> tuple[str, str] | None:
    """``(field, message)`` for the first field of a parsed manifest whose type is not the
    one :func:`build_manifest` writes, e.g. ``("rules", "expected a JSON array, got 5")``;
    None when the shape is right. Readers raise their own error with it."""
    try:
        ManifestShape.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        err = errors[0]
        field = ".".join(str(part) for part in err["loc"])
        expected = _EXPECTED.get(err["type"])
        got = json.dumps(err["input"], ensure_ascii=False, default=str)
        got = got if len(got) <= 40 else got[:37] + "..."
        message = f"expected {expected}, got {got}" if expected else str(err["msg"])
        if len(errors) > 1:
            message += f" (and {len(errors) - 1} more)"
        return field, message
    return None


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
                if removal.reason in RULE_REASONS:
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
