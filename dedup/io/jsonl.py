"""Reading the JSONL files of an output folder, one place for every reader of it.

``restore``, ``report`` and ``validate`` all read ``documents.jsonl`` & co.; each wants its
own error type (the CLI maps them to exit codes), so the caller passes it in.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from dedup.errors import DedupError


def iter_jsonl(path: Path, error: type[DedupError]) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for every non-blank line of ``path``.

    A line that is not a JSON object, or a file that cannot be read, raises ``error``
    naming the file (and line).
    """
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise error("missing; is this a `dedup clean` output folder?", path=path) from None
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror}", path=path) from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                obj = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                raise error(f"not valid JSON: {exc}", path=path, line=number) from None
            if not isinstance(obj, dict):
                raise error(
                    f"expected a JSON object, got {type(obj).__name__}", path=path, line=number
                )
            yield number, obj
