"""Near-duplicate engine: MinHash-LSH over paragraphs and documents, verified with rapidfuzz.

Pipeline entry point: :func:`build_stages` (map stages for the worker processes, reduce
stages for the corpus pass). Signature API for persistent indexes and queries:

* :class:`Signer` — ``paragraph_signatures(norms)`` -> uint32 (n, num_perm);
  ``document_signature(sigs)`` -> uint32 (num_perm,) (element-wise minimum);
  ``set_signature(hashes)`` -> the signature of a set of shingle hashes;
  ``to_minhash(sig)`` -> datasketch ``LeanMinHash``; ``datasketch_minhash()`` -> an empty
  datasketch ``MinHash`` producing identical values via ``update(shingle)`` (the only
  places datasketch is imported: signing itself never loads datasketch or scipy).
* :func:`sign_document` / :func:`sign_texts` — paragraph and document signatures of one
  :class:`~dedup.model.Document` (kept paragraphs) or of a list of normalised strings, as
  :class:`Signatures` (numpy arrays).
* :func:`band_keys`, :func:`lsh_params`, :func:`candidate_pairs` — LSH band keys (uint64),
  datasketch's optimal (bands, rows) split, candidate pairs from sorted keys.
* :func:`verify` (paragraphs: rapidfuzz Indel ratio), :func:`verify_documents` (exact
  shingle Jaccard), :func:`exact_hash`, :func:`shingles`, :func:`shingle_hash32`,
  :func:`shingle_set` and :func:`jaccard` (a document's shingle set, exact Jaccard),
  :func:`permutations` (datasketch's, re-created).
* :class:`Params` — resolved parameters; ``Params.from_config(cfg).scheme()`` is the
  self-description to store beside persisted signatures.

Names are imported lazily: ``dedup.config`` imports ``dedup.neardup.config``, and the
CLI should not pay for numpy before it needs it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dedup.neardup.api import Signatures, build_stages, sign_document, sign_texts
    from dedup.neardup.config import NearDupConfig
    from dedup.neardup.lsh import band_keys, candidate_pairs, lsh_params
    from dedup.neardup.params import Params
    from dedup.neardup.signatures import (
        Signer,
        exact_hash,
        jaccard,
        permutations,
        shingle_hash32,
        shingle_set,
        shingles,
    )
    from dedup.neardup.sketch import META_KEY, DocSketch, get_sketch
    from dedup.neardup.verification import verify, verify_documents

_WHERE = {
    "Signatures": "api",
    "build_stages": "api",
    "sign_document": "api",
    "sign_texts": "api",
    "NearDupConfig": "config",
    "band_keys": "lsh",
    "candidate_pairs": "lsh",
    "lsh_params": "lsh",
    "Params": "params",
    "Signer": "signatures",
    "exact_hash": "signatures",
    "jaccard": "signatures",
    "permutations": "signatures",
    "shingle_hash32": "signatures",
    "shingle_set": "signatures",
    "shingles": "signatures",
    "META_KEY": "sketch",
    "DocSketch": "sketch",
    "get_sketch": "sketch",
    "verify": "verification",
    "verify_documents": "verification",
}

__all__ = [
    "META_KEY",
    "DocSketch",
    "NearDupConfig",
    "Params",
    "Signatures",
    "Signer",
    "band_keys",
    "build_stages",
    "candidate_pairs",
    "exact_hash",
    "get_sketch",
    "jaccard",
    "lsh_params",
    "permutations",
    "shingle_hash32",
    "shingle_set",
    "shingles",
    "sign_document",
    "sign_texts",
    "verify",
    "verify_documents",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'dedup.neardup' has no attribute {name!r}")
    return getattr(importlib.import_module(f"dedup.neardup.{module}"), name)
