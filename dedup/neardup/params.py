"""Resolved engine parameters: the config plus derived LSH splits and the signer.

Built once per process from :class:`~dedup.neardup.config.NearDupConfig`; picklable (the
signer pickles as its three numbers and rebuilds datasketch's permutations).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from dedup.neardup.config import NearDupConfig
from dedup.neardup.lsh import lsh_params
from dedup.neardup.signatures import HASH_NAME, SCHEME, TOKENIZER, Signer
from dedup.text.normalize import NORMALIZATION_VERSION


@dataclass(frozen=True, slots=True)
class Params:
    config: NearDupConfig
    signer: Signer
    para_bands: int
    para_rows: int
    doc_bands: int
    doc_rows: int

    @classmethod
    def from_config(cls, config: NearDupConfig) -> Params:
        doc_split = document_split(config)
        para_split = lsh_params(config.paragraph_lsh_threshold, config.num_perm)
        return cls(
            config=config,
            signer=Signer(config.num_perm, config.seed, config.shingle_size),
            para_bands=para_split[0],
            para_rows=para_split[1],
            doc_bands=doc_split[0],
            doc_rows=doc_split[1],
        )

    def scheme(self) -> dict[str, Any]:
        """Everything that determines a signature, for the manifest and persistent indexes."""
        return {
            "num_perm": self.config.num_perm,
            "seed": self.config.seed,
            "datasketch_scheme": SCHEME,
            "hash": HASH_NAME,
            "shingles": f"word {self.config.shingle_size}-grams (shorter lines: one shingle)",
            "tokenizer": TOKENIZER,
            "normalization": NORMALIZATION_VERSION,
            "paragraph_lsh": {
                "threshold": self.config.paragraph_lsh_threshold,
                "bands": self.para_bands,
                "rows": self.para_rows,
            },
            "document_lsh": {
                "threshold": self.config.doc_threshold,
                "recall_weight": self.config.doc_recall_weight,
                "bands": self.doc_bands,
                "rows": self.doc_rows,
            },
            "libraries": {name: _version(name) for name in ("datasketch", "rapidfuzz", "xxhash")},
        }


def document_split(config: NearDupConfig) -> tuple[int, int]:
    """Document LSH (bands, rows): ``--doc-bands``/``--doc-rows`` when given, else the
    optimal split for the threshold, ``num_perm`` and recall weight (also the index's)."""
    if config.doc_bands is not None and config.doc_rows is not None:
        return config.doc_bands, config.doc_rows
    return lsh_params(config.doc_threshold, config.num_perm, config.doc_recall_weight)


def _version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None
