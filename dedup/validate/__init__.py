"""Validation of the cleaned corpus: pandera models, lazy findings, corpus checks.

Importing this package is cheap; pandas/pandera load when a validation actually runs.
"""

from dedup.validate.corpus import RuleMatcher
from dedup.validate.findings import Finding, ValidationResult
from dedup.validate.neardups import NearDupFinder, minhash_near_duplicates
from dedup.validate.output import (
    read_manifest,
    validate_output,
    write_validation,
)
from dedup.validate.tables import validate_records, validate_tables

__all__ = [
    "Finding",
    "NearDupFinder",
    "RuleMatcher",
    "ValidationResult",
    "minhash_near_duplicates",
    "read_manifest",
    "validate_output",
    "validate_records",
    "validate_tables",
    "write_validation",
]
