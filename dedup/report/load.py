"""Read the files of an output folder (format 1, see docs/architecture.md).

Only the folder is read, never the inputs, so ``dedup report DIR`` and
``dedup clean --report`` render the same page. JSONL files are streamed: the report makes
two passes (summary, then the detail sample) so memory stays bounded on large runs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from dedup.errors import InputError
from dedup.io.jsonl import iter_jsonl as iter_jsonl_records
from dedup.io.writers import BOILERPLATE as BOILERPLATE
from dedup.io.writers import CLUSTERS as CLUSTERS
from dedup.io.writers import DOCUMENTS as DOCUMENTS
from dedup.io.writers import EDITS as EDITS
from dedup.io.writers import MANIFEST as MANIFEST
from dedup.io.writers import REMOVED as REMOVED
from dedup.io.writers import VALIDATION as VALIDATION
from dedup.manifest import FORMAT_VERSION, incompatibility, manifest_problem

log = logging.getLogger(__name__)

SUPPORTED_FORMAT = FORMAT_VERSION  # the format dedup clean writes (dedup.manifest)


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise InputError(
            "missing; is this a `dedup clean` output folder?", path=path, code="REPORT"
        ) from None
    except orjson.JSONDecodeError as err:
        raise InputError(f"invalid JSON: {err}", path=path, code="REPORT") from None
    if not isinstance(data, dict):
        raise InputError("expected a JSON object", path=path, code="REPORT")
    return data


def read_manifest(out_dir: Path) -> dict[str, Any]:
    """The manifest is the commit marker: without it the folder is incomplete."""
    manifest = read_json(out_dir / MANIFEST)
    why = incompatibility(manifest)
    if why is not None:
        raise InputError(why, path=out_dir / MANIFEST, code="REPORT")
    problem = manifest_problem(manifest)
    if problem is not None:
        raise InputError(problem[1], path=out_dir / MANIFEST, field=problem[0], code="REPORT")
    return manifest


def read_optional_json(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        log.warning("%s is missing; the report leaves that section empty", path)
        return None
    return read_json(path)


def iter_jsonl(
    path: Path, *, required: bool = False, warn: bool = True
) -> Iterator[dict[str, Any]]:
    """Records of a JSONL file; a broken line is an error naming file and line. ``warn``:
    whether a missing optional file is logged (the report's second pass says it once)."""
    if not path.exists():
        if required:
            raise InputError(
                "missing; is this a `dedup clean` output folder?", path=path, code="REPORT"
            )
        if warn:
            log.warning("%s is missing; the report treats it as empty", path)
        return
    for _, record in iter_jsonl_records(path, InputError):
        yield record
