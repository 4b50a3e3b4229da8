"""Validation thresholds (owned by ``dedup.validate``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ValidationConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    min_words: int = Field(
        30,
        ge=0,
        description="fewest words a kept document's body may have",
        json_schema_extra={"flag": "--min-words"},
    )
    min_paragraphs: int = Field(
        1,
        ge=0,
        description="fewest body paragraphs (after the title) a kept document may have",
        json_schema_extra={"flag": "--min-paragraphs"},
    )
    max_title_chars: int = Field(
        300,
        ge=1,
        description="longest title accepted, in characters",
        json_schema_extra={"flag": "--max-title-chars"},
    )
    paragraph_repeat_threshold: float = Field(
        0.95,
        gt=0,
        le=1,
        description="rapidfuzz ratio (0-1) from which two paragraphs of one kept document "
        "count as a repeat; 1 checks exact repeats (after normalisation) only",
        json_schema_extra={"flag": "--paragraph-repeat-threshold"},
    )
    paragraph_repeat_min_chars: int = Field(
        40,
        ge=1,
        description="shortest normalised paragraph compared for near repeats "
        "(exact repeats are always reported)",
        json_schema_extra={"flag": "--paragraph-repeat-min-chars"},
    )
    neardup_check: bool = Field(
        True,
        description="check that no two kept documents are near-duplicates "
        "(threshold: neardup.doc_threshold)",
        json_schema_extra={"flag": "--no-neardup-check"},
    )
