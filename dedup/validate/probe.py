"""The rule-leftover check, answered ahead in the map workers.

Validation re-applies every rule to every kept document as written (``rule_leftover``):
one serial pass after the corpus step, a third of validation at 100 MB (profiled with
pyinstrument). Its answer depends only on the document's kept lines, which the corpus step
leaves alone for most documents. So the last map stage asks the question already, in the
workers and while the lines are still in the rule bank's memo, and keeps the answer with
a key over everything the check reads (id, source, URL, every kept line). Validation uses
the answer only where the key still matches the record's lines, and asks again otherwise.
"""

from __future__ import annotations

import xxhash

from dedup.model import Document
from dedup.validate.corpus import KeptDoc, RuleMatcher, written_paragraphs

LEFTOVERS_KEY = "validate-leftovers"  # doc.meta: (key, [(line, rule id), ...])


class LeftoverProbeStage:
    """Map stage (``dedup.pipeline.DocumentStage``), last: the rule-leftover answer for
    the document as it would be written if the corpus step changed nothing."""

    name = "validate-probe"

    def __init__(self, ruleset: RuleMatcher) -> None:
        self.ruleset = ruleset

    def process(self, doc: Document) -> Document:
        doc.meta.pop(LEFTOVERS_KEY, None)
        if doc.status != "kept":
            return doc
        paragraphs = written_paragraphs(doc)
        if paragraphs is None:
            return doc
        written = Document(doc.doc_id, doc.source, paragraphs, url=doc.url)
        doc.meta[LEFTOVERS_KEY] = (written_key(written), self.ruleset.would_remove(written))
        return doc


def written_key(doc: Document) -> int:
    """A digest of everything the rule-leftover check reads of ``doc``."""
    parts = [doc.doc_id, doc.source, doc.url or ""]
    for p in doc.paragraphs:
        parts.append(str(p.line))
        parts.append(p.text)
        # Most lines match in their output form: hash the normalised form only if it differs.
        parts.append("" if p.norm == p.text else "\x01" + p.norm)
    return xxhash.xxh3_64_intdigest("\0".join(parts).encode("utf-8", "surrogatepass"))


def probed_leftovers(
    memory: Document | None, kd: KeptDoc, doc: Document
) -> list[tuple[int, str]] | None:
    """The probe's answer for ``doc`` (the record ``kd`` as validation reads it), if
    ``memory`` (the in-memory document) holds one for exactly these lines; else None."""
    if memory is None or kd.known is None:
        return None
    stored = memory.meta.get(LEFTOVERS_KEY)
    if stored is None or stored[0] != written_key(doc):
        return None
    return list(stored[1])
