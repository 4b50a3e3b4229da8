"""Validation thresholds (owned by ``dedup.validate``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ValidationConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    min_words: int = Field(30, ge=0, json_schema_extra={"flag": "--min-words"})
    min_paragraphs: int = Field(1, ge=0, json_schema_extra={"flag": "--min-paragraphs"})
    max_title_chars: int = Field(300, ge=1, json_schema_extra={"flag": "--max-title-chars"})
