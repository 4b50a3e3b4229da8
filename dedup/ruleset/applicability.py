"""Compiled ``applies_to``: which documents a rule pack applies to (by URL domain, file
name glob, or a line pattern in a scope), decided once per document as it came in."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from urllib.parse import urlsplit

from dedup.model import Document, Paragraph
from dedup.ruleset.layout import scope
from dedup.ruleset.matching import Presence, subject
from dedup.ruleset.models import AppliesTo
from dedup.ruleset.patterns import Pattern


class Applicability:
    """Compiled ``applies_to``: does a pack apply to this document?"""

    def __init__(self, model: AppliesTo) -> None:
        self.any = model.any
        self.lines = [(Pattern(lp.regex), lp.match_on, lp.where) for lp in model.line_pattern]
        self.domains = [d.lower().lstrip(".") for d in model.url_domain]
        self.globs = list(model.path_glob)

    def applies(self, doc: Document, present: Presence | None = None) -> bool:
        if self.any:
            return True
        if self.domains and doc.url:
            host = (urlsplit(doc.url).hostname or "").lower()
            if any(host == d or host.endswith("." + d) for d in self.domains):
                return True
        names = [n for n in (doc.source, doc.doc_id) if n]
        if any(fnmatch.fnmatchcase(n, g) for g in self.globs for n in names):
            return True
        paras: Sequence[Paragraph] = doc.paragraphs
        for pattern, match_on, where in self.lines:
            if present is not None and not present.unknown and not present.has(pattern):
                continue  # occurs nowhere in the document: no need to scan its scope
            if any(pattern.search(subject(paras[i], match_on)) for i in scope(where, paras)):
                return True
        return False
