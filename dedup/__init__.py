"""dedup: a data-quality and deduplication toolkit for scraped news-text corpora."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
