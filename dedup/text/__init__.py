"""Text utilities: normalisation for matching, segmentation into paragraphs."""

from dedup.text.normalize import normalize
from dedup.text.segment import segment

__all__ = ["normalize", "segment"]
