"""The map phase: the stages composed (the one place, DESIGN.md §1), and the per-document
function run over documents in batches, in worker processes when ``config.jobs > 1``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from dedup.config import DedupConfig
from dedup.io.readers import RawDocument
from dedup.model import Document
from dedup.parallel import batched, ordered_map
from dedup.pipeline import (
    CorpusStage,
    DocumentStage,
    apply_document_stages,
    apply_document_stages_batch,
)
from dedup.text.segment import segment

if TYPE_CHECKING:
    from dedup.ruleset import RuleSet

_WORKER_STAGES: list[DocumentStage] = []


def build_document_stages(
    config: DedupConfig, *, validate: bool = False
) -> tuple[list[DocumentStage], RuleSet]:
    """The map stages and the rule set; ``validate`` adds the validation probe (last)."""
    from dedup.ruleset import load_rules

    ruleset = load_rules(config.rules)
    stages: list[DocumentStage] = [ruleset.stage()]
    if config.neardup.enabled:
        from dedup.neardup import build_stages

        neardup = build_stages(config)[0]
        # Repeats and caption echoes remove lines after the rules ran; the rules settle
        # again before the document signature, so a rerun over the output removes nothing.
        at = next((i for i, s in enumerate(neardup) if s.name == "neardup-docsign"), len(neardup))
        stages.extend([*neardup[:at], ruleset.settle_stage(), *neardup[at:]])
    if validate:
        from dedup.validate.probe import ValidationProbeStage

        # Validation's per-document checks, asked in the workers (see its module).
        stages.append(ValidationProbeStage(ruleset, config))
    return stages, ruleset


def build_corpus_stages(config: DedupConfig) -> list[CorpusStage]:
    if not config.neardup.enabled:
        return []
    from dedup.neardup import build_stages

    return build_stages(config)[1]


def _init_worker(config: DedupConfig, validate: bool) -> None:
    global _WORKER_STAGES
    _WORKER_STAGES = build_document_stages(config, validate=validate)[0]


def _segmented(raw: RawDocument) -> Document:
    doc = Document(doc_id=raw.doc_id, source=raw.source, paragraphs=[], url=raw.url)
    doc.text_path = raw.text_path
    if raw.error is not None:
        doc.status = "rejected"
        doc.reject_reason = str(raw.error)
        return doc
    doc.paragraphs = segment(raw.text)
    if not doc.paragraphs:
        doc.status = "rejected"
        doc.reject_reason = "empty: no non-blank line"
    return doc


def process_document(raw: RawDocument, stages: Sequence[DocumentStage]) -> Document:
    """The pure per-document function: segment, then every map stage."""
    return apply_document_stages(_segmented(raw), stages)


def process_batch(raws: Sequence[RawDocument], stages: Sequence[DocumentStage]) -> list[Document]:
    """:func:`process_document` on each of ``raws``; batch-capable stages (signatures) run
    once over the whole batch, which spreads numpy's per-call cost over many documents."""
    return apply_document_stages_batch([_segmented(raw) for raw in raws], stages)


def _process_in_worker(raws: list[RawDocument]) -> list[Document]:
    return process_batch(raws, _WORKER_STAGES)


# Documents per task: large enough for the batch stages, small enough to keep both
# workers busy to the end and the progress bar moving.
BATCH_DOCUMENTS = 64


def map_documents(
    raws: Iterator[RawDocument],
    config: DedupConfig,
    stages: list[DocumentStage],
    *,
    validate: bool = False,
) -> Iterator[Document]:
    """Ordered map over documents in batches; worker processes when ``config.jobs > 1``
    (:func:`dedup.parallel.ordered_map`: bounded read-ahead, a dead worker is an error).
    Results keep input order, so the output is identical for any ``--jobs``. Workers
    build their own ``stages`` from ``config`` and ``validate`` (as
    :func:`build_document_stages`)."""
    batches = batched(raws, BATCH_DOCUMENTS)
    # No more workers than batches: 32 workers for five documents took 3x as long as one
    # process (starting them). The first ``jobs`` batches are read to know.
    head = list(itertools.islice(batches, max(config.jobs, 1)))
    jobs = min(config.jobs, len(head))
    if jobs <= 1:
        for batch in itertools.chain(head, batches):
            yield from process_batch(batch, stages)
        return
    yield from ordered_map(
        _process_in_worker,
        itertools.chain(head, batches),
        jobs=jobs,
        initializer=_init_worker,
        initargs=(config, validate),
        name=lambda raw: raw.doc_id,
    )
