"""The engine's entry points: the pipeline stages, and signatures of one document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from dedup.model import Document
from dedup.neardup.map_stages import CaptionStage, DocSignStage, RepeatStage, SignStage
from dedup.neardup.params import Params
from dedup.neardup.reduce_stages import (
    BOILERPLATE_TOUCHED,
    BoilerplateStage,
    DocumentClusterStage,
    ReleaseParagraphKeysStage,
)
from dedup.neardup.signatures import Signer, exact_hash
from dedup.pipeline import CorpusStage, DocumentStage

if TYPE_CHECKING:
    from dedup.config import DedupConfig


def build_stages(config: DedupConfig) -> tuple[list[DocumentStage], list[CorpusStage]]:
    """The near-duplicate map stages (run after the rules) and reduce stages, in order."""
    cfg = config.neardup
    if not cfg.enabled:
        return [], []
    params = Params.from_config(cfg)
    maps: list[DocumentStage] = [SignStage(params)]
    if cfg.repeats:
        maps.append(RepeatStage(params))
    if cfg.captions:
        maps.append(CaptionStage(params))
    maps.append(DocSignStage(params))
    reduces: list[CorpusStage] = [
        DocumentClusterStage(params),
        BoilerplateStage(params),
        ReleaseParagraphKeysStage(),
    ]
    return maps, reduces


def caption_recheck(config: DedupConfig) -> Callable[[Document], int] | None:
    """After the reduce phase: the caption test again on a document whose boilerplate
    went (three boilerplate lines between a caption and its echo kept them apart in the
    map phase, and a rerun over the output removed the caption). Returns the lines it
    removed (0 for a document the boilerplate stage did not touch); None when captions
    are off."""
    cfg = config.neardup
    if not (cfg.enabled and cfg.captions):
        return None
    stage = CaptionStage(Params.from_config(cfg))

    def recheck(doc: Document) -> int:
        if not doc.meta.pop(BOILERPLATE_TOUCHED, False):
            return 0
        return stage.remove_echoed(doc)

    return recheck


@dataclass(frozen=True, slots=True)
class Signatures:
    """Signatures of one document: row ``i`` of ``paragraphs`` belongs to ``lines[i]``."""

    lines: npt.NDArray[np.int32]
    exact: npt.NDArray[np.uint64]
    paragraphs: npt.NDArray[np.uint32]  # (n, num_perm)
    document: npt.NDArray[np.uint32]  # (num_perm,): element-wise minimum of the rows


def sign_texts(norms: list[str], signer: Signer, lines: list[int] | None = None) -> Signatures:
    """Paragraph and document signatures of normalised lines (e.g. ``p.norm``)."""
    sigs = signer.paragraph_signatures(norms)
    numbers = lines if lines is not None else list(range(1, len(norms) + 1))
    return Signatures(
        lines=np.array(numbers, dtype=np.int32),
        exact=np.fromiter(map(exact_hash, norms), dtype=np.uint64, count=len(norms)),
        paragraphs=sigs,
        document=signer.document_signature(sigs),
    )


def sign_document(doc: Document, signer: Signer) -> Signatures:
    """Signatures of a document's kept paragraphs (after the rules)."""
    kept = doc.kept_paragraphs()
    return sign_texts([p.norm for p in kept], signer, [p.line for p in kept])
