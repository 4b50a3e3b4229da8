"""Near-duplicate engine parameters (owned by ``dedup.neardup``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class NearDupConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    enabled: bool = Field(True, json_schema_extra={"flag": "--no-neardup"})
    num_perm: int = Field(128, ge=16, le=1024, json_schema_extra={"flag": "--num-perm"})
    seed: int = Field(1, ge=0, json_schema_extra={"flag": "--seed"})
    doc_threshold: float = Field(0.8, gt=0, le=1, json_schema_extra={"flag": "--doc-threshold"})
