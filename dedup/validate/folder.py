"""Checks of an output folder as files, for ``dedup validate DIR`` (another tool may have
edited the folder since the run): every file is the one the run wrote (the sha256s that
``manifest.json`` records under ``files``), every kept document's cleaned text is in
``text/`` as its record says and nothing else is, and the records add up to the manifest's
``counts``.

``dedup clean`` validates its records before it writes any file, so it has none of these
to run. Heavy imports (pandas) stay with the caller.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dedup.errors import OutputError
from dedup.io.files import walk
from dedup.io.writers import DOCUMENTS, MANIFEST, TEXT_DIR, VALIDATION, file_text, safe_relative
from dedup.validate.findings import Finding
from dedup.validate.tables import _row

if TYPE_CHECKING:
    import pandas as pd

# Rewritten by every `dedup validate`: its recorded sha256 describes the run's validation.
REWRITTEN = (VALIDATION,)


def check_folder_files(
    out_dir: Path, manifest: dict[str, Any], documents: pd.DataFrame, removals: int
) -> tuple[list[Finding], list[str]]:
    """Findings and notes of the folder checks; ``removals``: records in removed.jsonl."""
    findings, notes = check_hashes(out_dir, manifest)
    findings.extend(check_text_files(out_dir, documents))
    findings.extend(check_counts(manifest, documents, removals))
    return findings, notes


def check_hashes(out_dir: Path, manifest: dict[str, Any]) -> tuple[list[Finding], list[str]]:
    """``file_unchanged``: each file the manifest lists has the sha256 it records."""
    files = manifest.get("files")
    if not isinstance(files, dict):  # an empty one lists no file to check
        return [], ["file_unchanged: skipped, the manifest records no file hashes"]
    findings: list[Finding] = []
    for name, recorded in sorted(files.items()):
        if name in REWRITTEN:
            continue
        if not _plain_name(name):
            findings.append(
                Finding(
                    MANIFEST,
                    "file_unchanged",
                    "files",
                    None,
                    None,
                    name,
                    f"files lists {name!r}, which is not a file name of the output folder",
                )
            )
            continue
        digest = _sha256(out_dir / name)
        if digest == recorded:
            continue
        message = (
            f"{name} is missing; the run wrote it ({MANIFEST} records its sha256)"
            if digest is None
            else f"{name} changed since the run: its sha256 is {digest[:12]}…, "
            f"{MANIFEST} records {str(recorded)[:12]}…"
        )
        findings.append(Finding(name, "file_unchanged", None, None, None, digest, message))
    return findings, []


def _plain_name(name: str) -> bool:
    return name not in ("", ".", "..") and "/" not in name and "\\" not in name


def _sha256(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def document_text(title: str, text: str) -> str:
    """What the writer writes for a record's title and text (its body paragraphs already
    joined by blank lines)."""
    return file_text([title, text] if text else [title])


def check_text_files(out_dir: Path, documents: pd.DataFrame) -> list[Finding]:
    """``text_file_matches``: each kept document with a ``path`` has ``text/PATH``, equal to
    its title and text; ``text_file_orphan``: no other file is under ``text/``."""
    findings: list[Finding] = []
    if not {"status", "doc_id", "path", "title", "text"} <= set(documents.columns):
        return findings
    expected: dict[str, tuple[Finding, str]] = {}  # relative path -> (its finding, its text)
    for idx, status, doc_id, path, title, text in zip(
        documents.index,
        documents["status"],
        documents["doc_id"],
        documents["path"],
        documents["title"],
        documents["text"],
        strict=True,
    ):
        if status != "kept" or not isinstance(path, str) or not path:
            continue  # the writer writes no file for it either
        if not (isinstance(title, str) and isinstance(text, str)):
            continue  # the kept-document checks report the record
        base = Finding(
            DOCUMENTS,
            "text_file_matches",
            "path",
            doc_id if isinstance(doc_id, str) else None,
            _row(idx),
            path,
            "",
        )
        try:
            rel = safe_relative(path).as_posix()
        except OutputError:
            findings.append(_say(base, f"path {path!r} names no file under {TEXT_DIR}/"))
            continue
        if rel in expected:
            other = expected[rel][0].doc_id
            findings.append(_say(base, f"{TEXT_DIR}/{rel} is also the file of kept {other!r}"))
            continue
        expected[rel] = (base, document_text(title, text))
    text_dir = out_dir / TEXT_DIR
    for rel, (base, want) in expected.items():
        try:
            got = (text_dir / rel).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            findings.append(_say(base, f"{TEXT_DIR}/{rel} is missing"))
            continue
        if got != want.encode("utf-8"):
            where = _first_difference(want, got.decode("utf-8", "replace"))
            findings.append(
                _say(base, f"{TEXT_DIR}/{rel} differs from the record's title and text ({where})")
            )
    for rel in _files(text_dir):
        if rel not in expected:
            findings.append(
                Finding(
                    f"{TEXT_DIR}/{rel}",
                    "text_file_orphan",
                    None,
                    None,
                    None,
                    rel,
                    f"no kept document in {DOCUMENTS} has this file",
                )
            )
    return findings


def _say(base: Finding, message: str) -> Finding:
    return Finding(
        base.schema, base.check, base.column, base.doc_id, base.line, base.failure_case, message
    )


def _first_difference(want: str, got: str) -> str:
    wanted, found = want.split("\n"), got.split("\n")
    for number, (a, b) in enumerate(zip(wanted, found, strict=False), start=1):
        if a != b:
            return f"first at line {number} of the file"
    if len(found) > len(wanted):
        return f"{len(found) - len(wanted)} more lines at its end"
    return f"{len(wanted) - len(found)} lines fewer at its end"


def _files(root: Path) -> Iterator[str]:
    """Every non-folder entry under ``root`` (links too), as a relative POSIX path."""
    for folder, _dirs, names in walk(root):
        rel = Path(folder).relative_to(root)
        for name in names:
            yield (rel / name).as_posix()


def check_counts(manifest: dict[str, Any], documents: pd.DataFrame, removals: int) -> list[Finding]:
    """``counts_match``: the records add up to the manifest's ``counts`` (documents by
    status, kept and removed lines): the only line count the run records."""
    counts = manifest.get("counts")
    if not isinstance(counts, dict):
        return []
    found: dict[str, int] = {"documents.in": len(documents)}
    if "status" in documents.columns:
        by_status = Counter(v for v in documents["status"] if isinstance(v, str))
        for status in ("kept", "duplicate", "rejected"):
            found[f"documents.{status}"] = by_status.get(status, 0)
    if "lines" in documents.columns:
        found["paragraphs.kept"] = sum(len(v) for v in documents["lines"] if isinstance(v, list))
    found["paragraphs.removed"] = removals
    where = {
        "documents": DOCUMENTS,
        "paragraphs.kept": f"{DOCUMENTS} lines",
        "paragraphs.removed": "removed.jsonl",
    }
    findings: list[Finding] = []
    for key, recorded in _recorded(counts, found):
        have = found[key]
        source = where.get(key, where["documents"])
        findings.append(
            Finding(
                MANIFEST,
                "counts_match",
                "counts",
                None,
                None,
                have,
                f"{source} has {have} where {MANIFEST} counts {recorded} (counts.{key})",
            )
        )
    return findings


def _recorded(counts: dict[str, Any], found: dict[str, int]) -> Iterable[tuple[str, int]]:
    """(key, recorded value) of each count the manifest records that differs from ours."""
    for key in found:
        section, name = key.split(".")
        value = counts.get(section)
        recorded = value.get(name) if isinstance(value, dict) else None
        if isinstance(recorded, int) and not isinstance(recorded, bool) and recorded != found[key]:
            yield key, recorded
