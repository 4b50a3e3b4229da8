"""The library entry points. The CLI is a thin layer over these functions.

``clean`` runs the pipeline (DESIGN.md §1): read, map in a process pool
(:mod:`dedup.mapping`, where the stages are composed), reduce over the whole corpus,
validate, write atomically, render the report.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from dedup.capacity import memory_warning
from dedup.config import DedupConfig
from dedup.io.readers import InputFile, discover_inputs, read_documents
from dedup.io.writers import (
    MANIFEST,
    check_output_location,
    output_lock,
    prepare_output_dir,
    write_json,
    write_jsonl,
    write_text_tree,
)
from dedup.manifest import build_manifest, display_path
from dedup.mapping import build_corpus_stages, build_document_stages, map_documents
from dedup.model import Document
from dedup.pipeline import Corpus, CorpusStage, DocumentStage
from dedup.records import document_record, edit_records, removal_records

if TYPE_CHECKING:
    from dedup.index.runs import RunIndex
    from dedup.ruleset import RuleSet
    from dedup.validate import ValidationResult

log = logging.getLogger(__name__)


class Progress(Protocol):
    """Progress sink (the CLI's bar). ``total`` is None when unknown (JSONL, Parquet)."""

    def start(self, total: int | None) -> None: ...

    def advance(self, documents: int) -> None: ...

    def phase(self, name: str) -> None:
        """A corpus-wide step (reduce, validate, write) begins; it has no per-item count."""


@dataclass(slots=True)
class CleanResult:
    out_dir: Path
    documents: list[Document]
    manifest: dict[str, Any]
    validation: ValidationResult | None = None  # when validation ran
    report: Path | None = None

    @property
    def passed(self) -> bool:
        return self.validation is None or bool(self.validation.passed)

    def summary(self) -> str:
        c = self.manifest["counts"]
        d, p = c["documents"], c["paragraphs"]
        verdict = self.manifest["validation"]["status"]
        return (
            f"{d['in']} documents: {d['kept']} kept, {d['duplicate']} duplicate, "
            f"{d['rejected']} rejected; {p['removed']} of {p['in']} paragraphs removed; "
            f"validation {verdict}; {self.manifest['timings']['total']:.2f}s -> {self.out_dir}"
        )


# --- the run -----------------------------------------------------------------------------


def _finalize(doc: Document) -> None:
    # Kept text is already in output form: segmentation and strip rules tidy what they set.
    if doc.status == "kept" and not doc.kept_paragraphs():
        doc.status = "rejected"
        doc.reject_reason = "empty after cleaning: every line was removed"


def clean(
    inputs: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    config: DedupConfig | None = None,
    *,
    report: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    command: Sequence[str] | None = None,
    validate: bool = True,
    index: str | os.PathLike[str] | None = None,
    index_update: bool = True,
) -> CleanResult:
    """Clean ``inputs`` into ``out_dir`` following the output contract.

    ``index``: also dedup against the documents earlier runs added to this index (see
    :mod:`dedup.index.runs`), and add this run's kept documents to it afterwards unless
    ``index_update`` is False or validation failed.
    """
    _check_arguments(config, command, validate, index_update, progress)
    config = config or DedupConfig()
    # str paths too (the README's examples pass them): every path a Path from here on. A
    # lone path is one input, not a sequence of one-letter paths.
    paths = [Path(p) for p in ([inputs] if isinstance(inputs, str | os.PathLike) else inputs)]
    out = Path(out_dir)
    report_path = None if report is None else Path(report)
    index_path = None if index is None else Path(index)
    check_output_location(out, paths, report_path, index_path)
    files = discover_inputs(paths)
    too_big = memory_warning(files, validate=validate)
    if too_big is not None:
        log.warning("%s", too_big)
    # fail fast on a bad rule pack
    map_stages, ruleset = build_document_stages(config, validate=validate)
    reduce_stages = build_corpus_stages(config)
    run_index = None
    if index_path is not None:
        from dedup.index.runs import RunIndex

        # Opened before the run: a missing or mismatched index fails before the map phase.
        run_index = RunIndex.open(index_path, config, ruleset, update=index_update)
        reduce_stages = [*reduce_stages, run_index.stage()]
    try:
        with output_lock(out), _gc_paused():
            return _run(
                out,
                config,
                files,
                map_stages,
                ruleset,
                reduce_stages,
                report=report_path,
                progress=progress,
                command=command,
                validate=validate,
                run_index=run_index,
                index_shown=display_path(index_path) if index_path is not None else "",
            )
    finally:
        if run_index is not None:
            run_index.close()


def _check_arguments(
    config: object, command: object, validate: object, index_update: object, progress: object
) -> None:
    """Wrong argument types fail at the edge, before the output folder is touched (a
    progress sink without ``start`` failed only after the old manifest was removed)."""
    if config is not None and not isinstance(config, DedupConfig):
        raise TypeError(
            f"config must be a DedupConfig (see dedup.config.build_config), "
            f"not {type(config).__name__}"
        )
    if command is not None and (
        isinstance(command, str)
        or not isinstance(command, Sequence)
        or not all(isinstance(a, str) for a in command)
    ):
        raise TypeError("command must be a sequence of strings (the argv recorded in the manifest)")
    for name, value in (("validate", validate), ("index_update", index_update)):
        if not isinstance(value, bool):
            raise TypeError(f"{name} must be True or False, not {value!r}")
    if progress is not None and not all(
        callable(getattr(progress, m, None)) for m in ("start", "advance", "phase")
    ):
        raise TypeError("progress must have start(total), advance(documents) and phase(name)")


def _run(
    out_dir: Path,
    config: DedupConfig,
    files: list[InputFile],
    map_stages: list[DocumentStage],
    ruleset: RuleSet,
    reduce_stages: list[CorpusStage],
    *,
    report: Path | None,
    progress: Progress | None,
    command: Sequence[str] | None,
    validate: bool,
    run_index: RunIndex | None = None,
    index_shown: str = "",
) -> CleanResult:
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    prepare_output_dir(out_dir)
    if progress is not None:
        only_txt = all(f.kind == "txt" for f in files)
        progress.start(len(files) if only_txt else None)

    t = time.perf_counter()
    documents: list[Document] = []
    docs = map_documents(read_documents(files, config.input), config, map_stages, validate=validate)
    for doc in docs:
        documents.append(doc)
        if progress is not None:
            progress.advance(1)
    timings["read_map"] = time.perf_counter() - t

    t = time.perf_counter()
    _phase(progress, "finding near-duplicates across the corpus")
    corpus = Corpus(documents)
    for stage in reduce_stages:
        stage.run(corpus)
    from dedup.neardup.api import caption_recheck  # late, as mapping's: numpy, rapidfuzz

    recheck = caption_recheck(config)
    for doc in documents:
        # Boilerplate removal can bring chrome into a rule's reach, or a caption into its
        # echo's; both return at once for the documents the reduce did not touch.
        ruleset.settle(doc)
        if recheck is not None and recheck(doc):
            ruleset.settle(doc)
        _finalize(doc)
    timings["reduce"] = time.perf_counter() - t

    def removal_rows() -> Iterator[dict[str, Any]]:
        return (r for d in documents for r in removal_records(d))

    doc_records: Iterable[dict[str, Any]] = (document_record(d) for d in documents)
    validation = None
    if validate:
        t = time.perf_counter()
        _phase(progress, "validating the cleaned corpus")
        # Validation reads the records as tables. The removal records are streamed into
        # its columns and made again while written: 395,000 of them held as dicts were
        # ~100 MB of peak memory at 100 MB of text.
        doc_records = list(doc_records)
        validation = _validate(doc_records, removal_rows(), config, ruleset, corpus)
        timings["validate"] = time.perf_counter() - t

    t = time.perf_counter()
    _phase(progress, f"writing {out_dir}")
    hashes = {
        "documents.jsonl": write_jsonl(out_dir / "documents.jsonl", doc_records),
        "removed.jsonl": write_jsonl(out_dir / "removed.jsonl", removal_rows()),
        "edits.jsonl": write_jsonl(
            out_dir / "edits.jsonl", (r for d in documents for r in edit_records(d))
        ),
        "clusters.jsonl": write_jsonl(out_dir / "clusters.jsonl", corpus.facts.get("clusters", [])),
        "boilerplate.jsonl": write_jsonl(
            out_dir / "boilerplate.jsonl", corpus.facts.get("boilerplate", [])
        ),
    }
    text_files = write_text_tree(out_dir, documents)
    validation_json: dict[str, Any] = (
        validation.to_json() if validation is not None else {"status": "skipped", "findings": []}
    )
    hashes["validation.json"] = write_json(out_dir / "validation.json", validation_json)
    timings["write"] = time.perf_counter() - t
    with contextlib.ExitStack() as index_update:
        index_entry = None
        if run_index is not None:
            # A run that failed validation does not teach the index; one that did commits
            # the index's transaction only after its manifest (below) is written.
            if validation_json["status"] != "failed":
                t = time.perf_counter()
                index_update.enter_context(run_index.adding(documents))
                timings["index_update"] = time.perf_counter() - t
            index_entry = run_index.describe(index_shown)
        timings["total"] = time.perf_counter() - t0
        manifest = build_manifest(
            config=config,
            command=command,
            rule_packs=ruleset.describe(),
            files=files,
            documents=documents,
            corpus=corpus,
            text_files=text_files,
            index=index_entry,
            timings=timings,
            validation={
                "status": validation_json["status"],
                "findings": len(validation_json["findings"]),
                "by_check": validation.by_check() if validation is not None else {},
            },
            hashes=hashes,
        )
        write_json(out_dir / MANIFEST, manifest)  # last: the commit marker

    result = CleanResult(out_dir, documents, manifest, validation)
    if report is not None:
        try:  # the import too: an interrupt there also comes after the commit
            from dedup.report import render_report

            _phase(progress, f"rendering {report}")
            result.report = render_report(out_dir, report)
        except KeyboardInterrupt as exc:
            # The outputs are committed: say so rather than a bare "interrupted", which
            # reads as an incomplete folder (the same type: SIGTERM keeps its exit status).
            raise type(exc)(
                f"interrupted after the outputs were committed ({out_dir / MANIFEST}); "
                f"the report {report} was not written (dedup report {out_dir} -o {report})"
            ) from None
    return result


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the run.

    The run keeps every document (millions of small objects) alive until it ends and
    creates no reference cycles of its own, yet each collection walks all of them:
    unpickling the workers' documents at 100 MB took 4.2 s of CPU with the collector on
    and 0.65 s with it off, on the core the workers need. Reference counting still frees
    everything that is not a cycle. Forked workers inherit the pause (their documents
    leave with each batch; ~4% faster).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # Everything allocated meanwhile sits in the youngest generation, so the first
        # collection after re-enabling would walk it all (0.5 s at 100 MB). Freezing and
        # unfreezing moves it to the oldest generation in O(1) instead.
        if gc.get_freeze_count() == 0:  # never thaw what a caller froze on purpose
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()


def _phase(progress: Progress | None, name: str) -> None:
    if progress is not None:
        progress.phase(name)


def _validate(
    doc_records: list[dict[str, Any]],
    removal_rows: Iterable[dict[str, Any]],
    config: DedupConfig,
    ruleset: RuleSet,
    corpus: Corpus,
) -> ValidationResult:
    from dedup.validate import validate_records  # pandas/pandera: only when validating

    return validate_records(doc_records, removal_rows, config, ruleset=ruleset, corpus=corpus)
