"""The engine re-creates datasketch's permutations and LSH split without importing it.

datasketch imports scipy (~0.4 s); ``dedup check`` signs with this engine, so importing
``dedup.neardup``'s signing modules must not pull either in. These tests compare the
re-creations with datasketch itself.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from datasketch import MinHash
from datasketch.lsh import _optimal_param

from dedup.neardup.lsh import lsh_params
from dedup.neardup.signatures import Signer, permutations, shingle_batch

THRESHOLDS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0]


@pytest.mark.parametrize(("num_perm", "seed"), [(128, 1), (64, 7), (256, 0), (16, 12345)])
def test_permutations_equal_datasketchs(num_perm: int, seed: int) -> None:
    a, b = permutations(num_perm, seed)
    ds_a, ds_b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    assert a.dtype == b.dtype == np.uint32
    assert np.array_equal(a, ds_a) and np.array_equal(b, ds_b)
    assert not a.flags.writeable  # shared through the cache


@pytest.mark.parametrize("num_perm", [16, 64, 128, 200])
@pytest.mark.parametrize("recall_weight", [0.5, 0.9, 0.99, 0.2])
def test_lsh_params_equal_datasketchs_optimal_param(num_perm: int, recall_weight: float) -> None:
    for threshold in THRESHOLDS:
        expected = _optimal_param(threshold, num_perm, 1 - recall_weight, recall_weight)
        assert lsh_params(threshold, num_perm, recall_weight) == expected, threshold


def test_engine_default_document_split() -> None:
    # docs/neardup.md and the --doc-recall-weight help quote these splits.
    assert lsh_params(0.8, 128, 0.99) == (18, 7)
    assert lsh_params(0.8, 128) == (9, 13)


def test_set_signature_is_the_minimum_over_paragraphs() -> None:
    signer = Signer(64, 3, 2)
    norms = ["one two three four", "five six", "|", "one two three four"]
    batch = shingle_batch(norms, 2)
    expected = signer.document_signature(signer.paragraph_signatures(norms))
    assert np.array_equal(signer.set_signature(batch.hashes), expected)
    assert np.array_equal(signer.set_signature(np.unique(batch.hashes)), expected)
    assert np.array_equal(signer.set_signature(np.empty(0, np.uint32)), signer.empty)


def test_signing_modules_do_not_import_datasketch_or_scipy() -> None:
    code = (
        "import sys, numpy as np; import dedup.neardup; "
        "from dedup.neardup import Params, Signer, band_keys, lsh_params, shingle_set; "
        "from dedup.neardup.config import NearDupConfig; "
        "p = Params.from_config(NearDupConfig()); "
        "band_keys(p.signer.paragraph_signatures(['a b c d']), p.doc_bands, p.doc_rows); "
        "print(sorted(m for m in ('datasketch', 'scipy', 'rapidfuzz') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
