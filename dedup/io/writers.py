"""Write the output folder (contract: docs/architecture.md) safely.

Order matters for crash safety: an old ``manifest.json`` is removed first (the folder no
longer claims to be complete), every file is written under a temporary name and renamed
into place, the cleaned ``text/`` tree is built beside the old one and swapped in, and the
new ``manifest.json`` is written last as the commit marker.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import orjson

from dedup.errors import OutputError
from dedup.io.atomic import CREATE_NEW, atomic_open, make_temp_folder, write_bytes_atomic
from dedup.model import Document

# The output folder's names (docs/architecture.md); the report and validation read them.
MANIFEST = "manifest.json"
DOCUMENTS = "documents.jsonl"
REMOVED = "removed.jsonl"
EDITS = "edits.jsonl"
CLUSTERS = "clusters.jsonl"
BOILERPLATE = "boilerplate.jsonl"
VALIDATION = "validation.json"
TEXT_DIR = "text"
# Every file a run writes: what it may replace.
OUTPUT_FILES = (MANIFEST, DOCUMENTS, REMOVED, EDITS, CLUSTERS, BOILERPLATE, VALIDATION)
# Held (flock) for a whole run: a second run into the same folder stops at once instead of
# interleaving its files with the first one's (its manifest would describe the other run).
LOCK = ".dedup.lock"
# Relative paths that need no cleaning: word-ish names joined by single slashes, none of
# them "." or "..".
_PLAIN_RELATIVE = re.compile(r"(?:(?!\.\.?/)[\w.-]+/)*(?!\.\.?$)[\w.-]+", re.ASCII)
_JSON_OPTS = orjson.OPT_APPEND_NEWLINE
# A Windows drive ("C:" in "C:\\data\\a.txt") names no folder inside ours: a first part
# that is a drive alone is dropped. Other colons are plain characters of a POSIX file
# name ("2024-05-01T10:30:00.txt", "q:a.txt").
_DRIVE = re.compile(r"[A-Za-z]:")


def check_output_location(
    out_dir: Path, inputs: Sequence[Path], report: Path | None = None, index: Path | None = None
) -> None:
    """Refuse an output folder that is, is inside, or holds an input (a run replaces its
    ``text/`` and files, and inputs are never modified); a report path that is an input,
    inside an input folder, one of the output folder's own files, or under a file; and an
    index the run would replace (in ``text/``, or one of the folder's own files)."""
    if index is not None:
        check_index_location(out_dir, index)
    out = out_dir.resolve()
    for given in inputs:
        src = given.resolve()
        if out == src or (src.is_dir() and src in out.parents):
            raise OutputError(
                f"output folder is inside the input {given}; choose another --out",
                path=out_dir,
                code="OUT_IN_INPUT",
            )
        if out in src.parents:
            raise OutputError(
                f"the input {given} is inside the output folder; choose another --out",
                path=out_dir,
                code="OUT_IN_INPUT",
            )
    _refuse_foreign_folder(out_dir)  # after those: an input in text/ is the clearer message
    if report is None:
        return
    target = report.resolve()
    for given in inputs:
        src = given.resolve()
        if target == src or src in target.parents:
            raise OutputError(
                f"the report would be written into the input {given}; choose another --report",
                path=report,
                code="OUT_IN_INPUT",
            )
    check_report_location(out_dir, report)
    check_writable_file_path(report, "--report")


def _replaced_by_a_run(out_dir: Path, path: Path, names: Sequence[str]) -> bool:
    """Whether ``path`` is the output folder, its ``text/`` or anything in it (replaced
    whole by each run), or one of ``names`` in the folder."""
    out, target = out_dir.resolve(), path.resolve()
    text = out / TEXT_DIR
    return (
        target in (out, text)
        or text in target.parents
        or (target.parent == out and target.name in names)
    )


def check_index_location(out_dir: Path, index: Path) -> None:
    """Refuse an ``--index`` the run would delete or overwrite: a file in the output
    folder's ``text/`` (replaced whole by each run) or one of its own files."""
    if _replaced_by_a_run(out_dir, index, (*OUTPUT_FILES, LOCK)):
        raise OutputError(
            "the index would be inside the output folder's own files, which each run "
            "replaces; choose another --index",
            path=index,
            code="OUT_IN_INPUT",
        )


def check_writable_file_path(path: Path, flag: str) -> None:
    """Refuse, before any work, a file path whose folder cannot exist: one of its parents
    is a file (the write would fail only after the whole run)."""
    for parent in path.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(
                    f"{parent} is a file, not a folder; choose another {flag}",
                    path=path,
                    code="BAD_PATH",
                )
            if not os.access(parent, os.W_OK | os.X_OK):
                raise OutputError(
                    f"cannot write into {parent}: permission denied; choose another {flag}",
                    path=path,
                    code="BAD_PATH",
                )
            return


def check_report_location(out_dir: Path, report: Path) -> None:
    """Refuse a report path that would replace one of the output folder's own files (its
    manifest, records, or a cleaned text): the report is written next to them, not over."""
    if _replaced_by_a_run(out_dir, report, OUTPUT_FILES):
        raise OutputError(
            f"the report would replace the output folder's own {report.resolve().name}; "
            "choose another report path",
            path=report,
            code="OUT_IN_INPUT",
        )


@contextlib.contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """Hold the output folder for one run (created if missing); another run into the same
    folder gets an OutputError at once. The kernel drops the lock when the process dies."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(out_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise OutputError(
            f"cannot write to the output folder: {exc.strerror}", path=out_dir, code="UNWRITABLE"
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(
                "another dedup run is writing to this output folder", path=out_dir, code="BUSY"
            ) from None
        yield
    finally:
        os.close(fd)


def _refuse_foreign_folder(out_dir: Path) -> None:
    """A folder that holds a ``text`` entry but no sign of an earlier run (a manifest, or a
    documents.jsonl whose first record is one of ours) is someone else's: refused before
    anything is created in it, as its ``text`` would be replaced whole."""
    text = out_dir / TEXT_DIR
    if (text.exists() or text.is_symlink()) and not _written_by_dedup(out_dir):
        raise OutputError(
            "the output folder holds a text/ that no dedup run wrote (no manifest.json or "
            "dedup documents.jsonl beside it); choose another --out or remove it",
            path=out_dir,
            code="NOT_OUTPUT",
        )


def _written_by_dedup(out_dir: Path) -> bool:
    if (out_dir / MANIFEST).exists():
        return True
    try:
        with (out_dir / DOCUMENTS).open("rb") as fh:
            line = fh.readline()
        first = orjson.loads(line) if line.strip() else None
    except (OSError, orjson.JSONDecodeError):
        return False
    # an interrupted run (its manifest removed first) left its records: these keys are
    # ours (an empty file: a run of no documents)
    return first is None or (
        isinstance(first, dict) and {"doc_id", "status", "lines"} <= first.keys()
    )


def prepare_output_dir(out_dir: Path) -> None:
    """Make the folder ready for a run: writable, no manifest (the folder no longer claims
    to be complete), no temporaries of a killed run (:func:`_refuse_foreign_folder` ran
    before: the folder is ours or holds no ``text``)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / f".dedup-write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
        with contextlib.suppress(FileNotFoundError):
            (out_dir / MANIFEST).unlink()
        _remove_leftovers(out_dir)
    except OSError as exc:
        raise OutputError(
            f"cannot write to the output folder: {exc.strerror}", path=out_dir, code="UNWRITABLE"
        ) from None


# The temporaries a run makes: ".NAME.<12 hex>.tmp" of its files (atomic.temp_name), and
# ".text.old.<pid>" while text/ is swapped. Nothing else in the folder is touched.
_LEFTOVER = re.compile(
    r"\.(?:"
    + "|".join(re.escape(name) for name in (*OUTPUT_FILES, TEXT_DIR))
    + r")\.[0-9a-f]{12}\.tmp|\.text\.old\.\d+"
)


def _remove_leftovers(out_dir: Path) -> None:
    """Delete temporary files and folders a killed earlier run left behind (ours only)."""
    for entry in out_dir.iterdir():
        name = entry.name
        if not _LEFTOVER.fullmatch(name):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()


def safe_relative(rel: str) -> PurePosixPath:
    """``rel`` as a path that stays inside its folder (no absolute, '..', or drive parts)."""
    if _PLAIN_RELATIVE.fullmatch(rel):
        return PurePosixPath(rel)  # the common case, without splitting and re-joining
    given = PurePosixPath(rel.replace("\\", "/")).parts
    if given and _DRIVE.fullmatch(given[0]):
        given = given[1:]
    parts = [p for p in given if p not in ("", ".", "..", "/")]
    if not parts:
        raise OutputError(f"unsafe output name {rel!r}")
    return PurePosixPath(*parts)


def jsonl_bytes(records: Iterable[dict[str, Any]]) -> bytes:
    return b"".join(orjson.dumps(r, option=_JSON_OPTS) for r in records)


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> str:
    """Write records atomically; return the sha256 of the bytes written."""
    digest = hashlib.sha256()
    try:
        with atomic_open(path) as fh:
            for r in records:
                line = orjson.dumps(r, option=_JSON_OPTS)
                digest.update(line)
                fh.write(line)
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror}", path=path) from None
    return digest.hexdigest()


def write_json(path: Path, obj: Any) -> str:
    data = orjson.dumps(obj, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    write_bytes_atomic(path, data)
    return hashlib.sha256(data).hexdigest()


def file_text(paragraphs: Iterable[str]) -> str:
    """A ``text/`` file: title, blank line, paragraphs separated by blank lines, final
    newline."""
    return "\n\n".join(paragraphs) + "\n"


def document_file_text(doc: Document) -> str:
    return file_text(p.text for p in doc.kept_paragraphs())


def write_text_tree(out_dir: Path, documents: Iterable[Document]) -> int:
    """Build ``text/`` beside the old one, then swap it in. Returns files written."""
    final = out_dir / TEXT_DIR
    staging = make_temp_folder(out_dir, TEXT_DIR)
    written = 0
    made: set[str] = {str(staging)}
    owners: dict[str, str] = {}  # cleaned-text file -> the document written there
    try:
        for doc in documents:
            if doc.status != "kept" or not doc.text_path:
                continue
            # Plain os calls and a cache of the folders made: pathlib's per-file overhead
            # was most of the cost of writing 27,000 files (pyinstrument).
            target = os.path.join(staging, safe_relative(doc.text_path))
            first = owners.setdefault(target, doc.source)
            parent = os.path.dirname(target)
            if parent not in made:
                os.makedirs(parent, exist_ok=True)
                made.add(parent)
            try:
                fd = os.open(target, CREATE_NEW, 0o666)
            except FileExistsError:
                raise OutputError(
                    f"two documents map to the same cleaned-text file {doc.text_path!r}: "
                    f"{first} and {doc.source}; rename one",
                    path=final,
                ) from None
            try:
                os.write(fd, document_file_text(doc).encode("utf-8"))
            finally:
                os.close(fd)
            written += 1
        old = None
        if final.exists():
            old = out_dir / f".text.old.{os.getpid()}"
            os.replace(final, old)
        os.replace(staging, final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"cannot write cleaned text: {exc.strerror}", path=final) from None
    except BaseException:  # OutputError, an interrupt: the staging folder goes too
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written
