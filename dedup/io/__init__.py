"""Readers (txt folders, JSONL, Parquet) and atomic writers."""

from dedup.io.readers import InputFile, RawDocument, discover_inputs, read_documents

__all__ = ["InputFile", "RawDocument", "discover_inputs", "read_documents"]
