"""The currency types that flow through every stage.

A :class:`Document` holds its raw lines as :class:`Paragraph` objects. Stages never delete
a paragraph: they mark it removed with a :class:`Removal` (reason + detail), or record an
in-line :class:`Edit`. That keeps the audit trail lossless: raw input = kept paragraphs
+ removals + edits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Literal

Status = Literal["kept", "duplicate", "rejected"]
STATUSES: Final = ("kept", "duplicate", "rejected")

# Why a paragraph was removed. ``detail`` says which rule / which twin.
REASON_RULE: Final = "rule"  # detail: rule id ("pack/rule")
REASON_REPEATED: Final = "repeated"  # detail: kept twin "doc_id:line" in the same document
REASON_BOILERPLATE: Final = "boilerplate"  # detail: representative "doc_id:line"
REASON_CAPTION: Final = "caption-echo"  # detail: the paragraph it echoes "doc_id:line"
REASON_EMPTY: Final = "empty-after-edit"  # detail: rule id whose in-line edit emptied it
REASONS: Final = (REASON_RULE, REASON_REPEATED, REASON_BOILERPLATE, REASON_CAPTION, REASON_EMPTY)
DUPLICATE_REASONS: Final = (REASON_REPEATED, REASON_BOILERPLATE, REASON_CAPTION)
# Removals whose detail is a rule id: a rule's hits (the manifest and the report count them).
RULE_REASONS: Final = (REASON_RULE, REASON_EMPTY)


# How many paragraphs have been removed or edited in this process so far. Only ever
# grows: equal readings mean no paragraph changed in between (the rules' settle rounds
# skip a rule that saw exactly these lines; see dedup.ruleset.ruleset).
_CHANGES = [0]


def changes() -> int:
    """The process-wide count of paragraph removals and edits (see ``_CHANGES``)."""
    return _CHANGES[0]


@dataclass(slots=True)
class Removal:
    reason: str
    detail: str
    similarity: float | None = None


@dataclass(slots=True)
class Edit:
    """An in-line change: ``before`` became ``after`` because of ``rule``."""

    rule: str
    before: str
    after: str


@dataclass(slots=True)
class Paragraph:
    """One non-blank raw line.

    ``raw`` is the line exactly as read (without its line ending); ``text`` is what the
    cleaned output shows (``raw`` stripped, then in-line edits); ``norm`` is the matching
    form (see :func:`dedup.text.normalize.normalize`), recomputed after edits.
    """

    line: int
    raw: str
    text: str
    norm: str
    removal: Removal | None = None
    # A tuple, shared when empty: most lines have no edit, and an empty list per line was
    # 56 bytes of every paragraph (~50 MB at 100 MB of text).
    edits: tuple[Edit, ...] = ()

    @property
    def kept(self) -> bool:
        return self.removal is None

    def remove(self, reason: str, detail: str, similarity: float | None = None) -> bool:
        """Mark removed unless already removed (first reason wins). Returns True if marked."""
        if self.removal is not None:
            return False
        self.removal = Removal(reason, detail, similarity)
        _CHANGES[0] += 1
        return True

    def add_edit(self, edit: Edit) -> None:
        self.edits = (*self.edits, edit)
        _CHANGES[0] += 1


@dataclass(slots=True)
class Document:
    doc_id: str
    source: str  # input path as given (folder-relative for txt folders)
    paragraphs: list[Paragraph]
    url: str | None = None
    status: Status = "kept"
    duplicate_of: str | None = None
    similarity: float | None = None
    reject_reason: str | None = None
    # Relative output path under DIR/text/ (same relative path as a .txt input).
    text_path: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def kept_paragraphs(self) -> list[Paragraph]:
        return [p for p in self.paragraphs if p.removal is None]

    @property
    def title(self) -> str:
        kept = self.kept_paragraphs()
        return kept[0].text if kept else ""

    @property
    def clean_text(self) -> str:
        """Body: kept paragraphs after the title, joined by a blank line."""
        return "\n\n".join(p.text for p in self.kept_paragraphs()[1:])

    def removed(self) -> list[Paragraph]:
        return [p for p in self.paragraphs if p.removal is not None]

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Documents cross process boundaries twice per run; the default pickling of slotted
        # dataclasses calls Python code per paragraph and repeats equal strings. Parallel
        # lists, with None for "same as the previous form", pickle ~2x smaller and faster.
        ps = self.paragraphs
        texts = [None if p.text == p.raw else p.text for p in ps]
        norms = [None if p.norm == p.text else p.norm for p in ps]
        extra = [
            (
                i,
                None
                if p.removal is None
                else (p.removal.reason, p.removal.detail, p.removal.similarity),
                [(e.rule, e.before, e.after) for e in p.edits],
            )
            for i, p in enumerate(ps)
            if p.removal is not None or p.edits
        ]
        fields = (self.doc_id, self.source, self.url, self.status, self.duplicate_of)
        more = (self.similarity, self.reject_reason, self.text_path, self.meta)
        return _rebuild_document, (
            fields + more,
            [p.line for p in ps],
            [p.raw for p in ps],
            texts,
            norms,
            extra,
        )


def _rebuild_document(
    fields: tuple[Any, ...],
    lines: list[int],
    raws: list[str],
    texts: list[str | None],
    norms: list[str | None],
    extra: list[tuple[int, tuple[Any, ...] | None, list[tuple[str, str, str]]]],
) -> Document:
    paragraphs = []
    for line, raw, text, norm in zip(lines, raws, texts, norms, strict=True):
        text = raw if text is None else text
        paragraphs.append(Paragraph(line, raw, text, text if norm is None else norm))
    for i, removal, edits in extra:
        p = paragraphs[i]
        if removal is not None:
            p.removal = Removal(*removal)
        if edits:
            p.edits = tuple(Edit(*e) for e in edits)
    doc_id, source, url, status, duplicate_of, similarity, reject, text_path, meta = fields
    return Document(
        doc_id, source, paragraphs, url, status, duplicate_of, similarity, reject, text_path, meta
    )
