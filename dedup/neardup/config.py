"""Near-duplicate engine parameters (owned by ``dedup.neardup``).

Every field names its CLI flag; ``docs/neardup.md`` explains how the defaults were chosen.
Changing ``num_perm``, ``seed`` or ``shingle_size`` changes every signature (a persistent
index built with other values must be rebuilt).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class NearDupConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    enabled: bool = Field(
        True,
        description="run the near-duplicate stages (repeats, captions, boilerplate, documents)",
        json_schema_extra={"flag": "--no-neardup"},
    )
    num_perm: int = Field(
        128,
        ge=16,
        le=1024,
        description="MinHash permutations per signature (datasketch affine32 scheme)",
        json_schema_extra={"flag": "--num-perm"},
    )
    seed: int = Field(
        1,
        ge=0,
        le=2**32 - 1,  # numpy's (and datasketch's) RandomState takes 32 bits
        description="MinHash permutation seed (datasketch's default is 1)",
        json_schema_extra={"flag": "--seed"},
    )
    shingle_size: int = Field(
        3,
        ge=1,
        le=9,
        description="word n-gram size of the shingles; shorter paragraphs give one shingle",
        json_schema_extra={"flag": "--shingle-size"},
    )
    doc_threshold: float = Field(
        0.8,
        gt=0,
        le=1,
        description="Jaccard similarity (word shingles of the kept text) at which two "
        "documents are near-duplicates; verified exactly on candidate pairs",
        json_schema_extra={"flag": "--doc-threshold"},
    )
    doc_recall_weight: float = Field(
        0.99,
        gt=0,
        lt=1,
        description="weight of false negatives (false positives get 1 minus it) in "
        "datasketch's optimal band/row split for documents; candidates are verified "
        "exactly, so recall is what matters (0.99 gives 18x7: 98.6% of pairs at J=0.8)",
        json_schema_extra={"flag": "--doc-recall-weight"},
    )
    doc_bands: int | None = Field(
        None,
        ge=1,
        description="LSH bands for documents; default: datasketch's optimal split for "
        "--doc-threshold, --num-perm and --doc-recall-weight",
        json_schema_extra={"flag": "--doc-bands"},
    )
    doc_rows: int | None = Field(
        None,
        ge=1,
        description="LSH rows per band for documents (with --doc-bands)",
        json_schema_extra={"flag": "--doc-rows"},
    )
    paragraph_lsh_threshold: float = Field(
        0.5,
        gt=0,
        le=1,
        description="Jaccard threshold the paragraph LSH bands are tuned for (candidate "
        "recall); candidates are then verified with --paragraph-similarity",
        json_schema_extra={"flag": "--paragraph-lsh-threshold"},
    )
    paragraph_similarity: float = Field(
        0.93,
        gt=0,
        le=1,
        description="rapidfuzz ratio (0-1) at which two paragraphs are near-duplicates "
        "(repeats inside a document, boilerplate across documents)",
        json_schema_extra={"flag": "--paragraph-similarity"},
    )
    repeats: bool = Field(
        True,
        description="remove exact and near repeats of a paragraph inside one document",
        json_schema_extra={"flag": "--no-repeats"},
    )
    repeat_near_min_words: int = Field(
        10,
        ge=1,
        description="near (not exact) repeats are only sought among paragraphs of at least "
        "this many words: short lines that differ in one name are lists, not repeats",
        json_schema_extra={"flag": "--repeat-near-min-words"},
    )
    boilerplate_min_docs: int = Field(
        5,
        ge=2,
        description="a paragraph is boilerplate when its near-duplicates occur in at least "
        "this many distinct (non-duplicate) documents",
        json_schema_extra={"flag": "--boilerplate-min-docs"},
    )
    boilerplate_min_corpus: int = Field(
        20,
        ge=1,
        description="boilerplate detection runs only on corpora with at least this many "
        "distinct documents",
        json_schema_extra={"flag": "--boilerplate-min-corpus"},
    )
    captions: bool = Field(
        True,
        description="remove caption echoes (short unpunctuated lines repeated nearby)",
        json_schema_extra={"flag": "--no-captions"},
    )
    caption_window: int = Field(
        3,
        ge=1,
        le=20,
        description="kept paragraphs after a caption candidate searched for its echo",
        json_schema_extra={"flag": "--caption-window"},
    )
    caption_min_words: int = Field(
        6,
        ge=1,
        description="shortest caption candidate, in words (shorter label lines are mostly "
        "subheadings and product names)",
        json_schema_extra={"flag": "--caption-min-words"},
    )
    caption_max_words: int = Field(
        16,
        ge=1,
        description="longest caption candidate, in words",
        json_schema_extra={"flag": "--caption-max-words"},
    )
    caption_similarity: float = Field(
        0.9,
        gt=0,
        le=1,
        description="share of the caption's distinct words (0-1) that must reappear in the "
        "longer paragraph that echoes it",
        json_schema_extra={"flag": "--caption-similarity"},
    )
    caption_max_span: int = Field(
        2,
        ge=0,
        description="the echoed words must sit in a run of at most the caption's word count "
        "plus this many words",
        json_schema_extra={"flag": "--caption-max-span"},
    )

    @model_validator(mode="after")
    def _check_bands(self) -> NearDupConfig:
        if (self.doc_bands is None) != (self.doc_rows is None):
            raise ValueError("--doc-bands and --doc-rows must be given together")
        bands, rows = self.doc_bands, self.doc_rows
        if bands is not None and rows is not None and bands * rows > self.num_perm:
            raise ValueError("--doc-bands x --doc-rows must not exceed --num-perm")
        if self.caption_min_words > self.caption_max_words:
            raise ValueError(
                f"--caption-min-words ({self.caption_min_words}) exceeds --caption-max-words "
                f"({self.caption_max_words}): no line could be a caption"
            )
        return self
