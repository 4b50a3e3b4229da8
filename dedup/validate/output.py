"""Load an output folder (format 1, see docs/architecture.md) and validate it.

Anything that makes the folder unreadable as a dedup output (missing file, a line that is
not a JSON object, a manifest from another tool, format or major version) raises
:class:`~dedup.errors.OutputFormatError` with one clear line; everything else is a finding.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dedup.errors import OutputFormatError
from dedup.io.atomic import atomic_open
from dedup.manifest import FORMAT_VERSION, incompatibility, manifest_problem
from dedup.validate.corpus import RuleMatcher
from dedup.validate.findings import ValidationResult
from dedup.validate.neardups import NearDupFinder
from dedup.validate.tables import (
    DOCUMENT_COLUMNS,
    EDIT_COLUMNS,
    REMOVAL_COLUMNS,
    validate_tables,
)

if TYPE_CHECKING:
    import pandas as pd

    from dedup.config import DedupConfig

log = logging.getLogger(__name__)

FORMAT = FORMAT_VERSION  # the format dedup clean writes (dedup.manifest)
REQUIRED_FILES = ("documents.jsonl", "removed.jsonl", "edits.jsonl", "manifest.json")
VALIDATION_FILE = "validation.json"


def _major(version: str) -> str:
    return version.split(".", 1)[0]


def read_manifest(out_dir: Path) -> dict[str, Any]:
    """The folder's manifest, checked to be from a compatible dedup (format, major version)."""
    path = out_dir / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OutputFormatError(
            "not a dedup output folder: manifest.json is missing", path=out_dir
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OutputFormatError(f"cannot read manifest: {exc}", path=path) from None
    if not isinstance(data, dict):
        raise OutputFormatError("manifest is not a JSON object", path=path)
    # validate demands the three marks, which the report lets pass when absent
    for key in ("tool", "format", "version"):
        if data.get(key) is None:
            raise OutputFormatError(f"not a dedup manifest: {key} is missing", path=path)
    why = incompatibility(data)
    if why is not None:
        raise OutputFormatError(why, path=path)
    problem = manifest_problem(data)
    if problem is not None:
        raise OutputFormatError(problem[1], path=path, field=problem[0])
    return data


def read_jsonl(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for every non-blank line; a bad line is a format error."""
    if not path.exists():
        raise OutputFormatError(
            f"not a dedup output folder: {path.name} is missing", path=path.parent
        )
    from dedup.io.jsonl import iter_jsonl  # dedup.io imports dedup.config, which imports us

    return list(iter_jsonl(path, OutputFormatError))


def load_frame(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """A JSONL table as an object-typed frame indexed by (line number - 1)."""
    import pandas as pd

    rows = read_jsonl(path)
    if not rows:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    index = [n - 1 for n, _ in rows]
    return pd.DataFrame([obj for _, obj in rows], index=index, dtype=object)


def check_folder(out_dir: Path) -> dict[str, Any]:
    """Fail early, naming every missing file at once; return the manifest."""
    if not out_dir.is_dir():
        raise OutputFormatError("not a folder", path=out_dir)
    missing = [name for name in REQUIRED_FILES if not (out_dir / name).is_file()]
    if missing:
        raise OutputFormatError(
            f"not a dedup output folder: missing {', '.join(missing)}", path=out_dir
        )
    return read_manifest(out_dir)


def validate_output(
    out_dir: Path,
    config: DedupConfig,
    ruleset: RuleMatcher | None = None,
    neardup: NearDupFinder | None = None,
) -> ValidationResult:
    """Validate an existing output folder; raises OutputFormatError if it is not one.

    Besides the records' checks, the folder's (:mod:`dedup.validate.folder`): files
    unchanged since the run, cleaned texts as recorded, counts as in the manifest.
    """
    from dedup.validate.findings import Finding
    from dedup.validate.folder import check_folder_files

    out_dir = Path(out_dir)
    manifest = check_folder(out_dir)
    documents = load_frame(out_dir / "documents.jsonl", DOCUMENT_COLUMNS)
    removals = load_frame(out_dir / "removed.jsonl", REMOVAL_COLUMNS)
    edits = load_frame(out_dir / "edits.jsonl", EDIT_COLUMNS)
    result = validate_tables(
        documents, removals, config, ruleset=ruleset, neardup=neardup, edits=edits
    )
    findings, notes = check_folder_files(out_dir, manifest, documents, len(removals))
    result.findings.extend(findings)
    result.findings.sort(key=Finding.sort_key)
    result.notes.extend(notes)
    return result


def write_validation(out_dir: Path, result: ValidationResult) -> Path:
    """Write ``DIR/validation.json`` atomically (temporary file, then rename)."""
    target = Path(out_dir) / VALIDATION_FILE
    text = json.dumps(result.to_json(), ensure_ascii=False, indent=1) + "\n"
    with atomic_open(target) as fh:
        fh.write(text.encode("utf-8"))
    return target
