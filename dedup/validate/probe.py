"""Per-document validation checks, answered ahead in the map workers.

Validation re-applies every rule to every kept document as written (``rule_leftover``) and
compares each document's paragraphs with each other (``paragraph_repeated``): serial passes
after the corpus step, half of validation at 100 MB (profiled with pyinstrument). Both
answers depend only on the document's kept lines, which the corpus step leaves alone for
most documents. So the last map stage asks them already, in the workers and while the
lines are still in the rule bank's memo, and keeps the answers with a digest of everything
the checks read (id, source, URL, every kept line). Validation uses them only where the
digest still matches the record's lines, and asks again otherwise; then the rule bank's
answers for the lines' texts, shipped with the probe, spare it every regex match.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import xxhash

from dedup.model import Document
from dedup.validate.corpus import KeptDoc, Probed, scan_repeats, written_paragraphs

if TYPE_CHECKING:
    from dedup.config import DedupConfig
    from dedup.ruleset import RuleSet

PROBE_KEY = "validate-probe"  # doc.meta: (digest, Probed)


def repeat_params(config: DedupConfig) -> tuple[float, int, int]:
    """(threshold, min_chars, min_words) of the ``paragraph_repeated`` check."""
    cfg, nd = config.validation, config.neardup
    # near repeats follow the engine's own bar for what counts as one
    min_words = nd.repeat_near_min_words if nd.repeats else 0
    return cfg.paragraph_repeat_threshold, cfg.paragraph_repeat_min_chars, min_words


class ValidationProbeStage:
    """Map stage (``dedup.pipeline.DocumentStage``), last: the per-document check answers
    for the document as it would be written if the corpus step changed nothing."""

    name = "validate-probe"

    def __init__(self, ruleset: RuleSet, config: DedupConfig) -> None:
        self.ruleset = ruleset
        self.repeat_params = repeat_params(config)

    def process(self, doc: Document) -> Document:
        doc.meta.pop(PROBE_KEY, None)
        if doc.status != "kept":
            return doc
        paragraphs = written_paragraphs(doc)
        if paragraphs is None:
            return doc
        from dedup.ruleset.matching import line_forms  # the workers have loaded the rules

        written = Document(doc.doc_id, doc.source, paragraphs, url=doc.url)
        scan = scan_repeats([p.norm for p in paragraphs], *self.repeat_params)
        probed = Probed(
            leftovers=self.ruleset.would_remove(written),
            repeats=scan,
            repeat_params=self.repeat_params,
            lines=tuple(p.line for p in paragraphs),
            pattern_hits=self.ruleset.bank.answers(line_forms(paragraphs)),  # memoised: just asked
            bank=self.ruleset.bank.fingerprint,
        )
        doc.meta[PROBE_KEY] = (written_key(written), probed)
        return doc


def written_key(doc: Document) -> int:
    """A digest of everything the per-document checks read of ``doc``."""
    parts = [doc.doc_id, doc.source, doc.url or ""]
    for p in doc.paragraphs:
        parts.append(str(p.line))
        parts.append(p.text)
        # Most lines match in their output form: hash the normalised form only if it differs.
        parts.append("" if p.norm == p.text else "\x01" + p.norm)
    return xxhash.xxh3_64_intdigest("\0".join(parts).encode("utf-8", "surrogatepass"))


def probed_answers(memory: Document | None, kd: KeptDoc) -> tuple[Probed | None, Probed | None]:
    """The probe's answers for the record ``kd``, from ``memory`` (the in-memory document
    it was written from): (answers for exactly the lines ``kd`` has, None) or, when the
    corpus step removed lines since, (None, the answers for the lines then); else both
    None."""
    if memory is None or kd.known is None:
        return None, None
    stored = memory.meta.get(PROBE_KEY)
    if stored is None:
        return None, None
    answers: Probed = stored[1]
    if stored[0] != written_key(kd.document()):
        return None, answers
    return answers, None
