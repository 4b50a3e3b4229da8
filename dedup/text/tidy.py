"""Bring a paragraph's shown text into its output form, recording the change."""

from __future__ import annotations

from dedup.model import REASON_EMPTY, Edit, Paragraph
from dedup.text.normalize import OUTPUT_FORM_RULE, normalize, output_form


def apply_output_form(p: Paragraph) -> None:
    """Tidy ``p.text`` (see :func:`output_form`): the change is an edit, the matching form
    follows it, and a line with nothing left is removed, never silently dropped."""
    shown = output_form(p.text)
    if shown == p.text:
        return
    p.add_edit(Edit(OUTPUT_FORM_RULE, p.text, shown))
    p.text = shown
    p.norm = normalize(shown)
    if not shown:
        p.remove(REASON_EMPTY, OUTPUT_FORM_RULE)
