from __future__ import annotations

import itertools
import pickle

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.neardup import (
    Signer,
    band_keys,
    candidate_pairs,
    exact_hash,
    lsh,
    lsh_params,
    shingle_hash32,
    shingles,
    sign_texts,
    verify,
    verify_documents,
)
from dedup.neardup.signatures import shingle_batch, tokens

LINES = [
    "Sergey Cheremin, Minister of the Moscow Government, said his city is growing.",
    "Log in",
    "|",
    "Hanoi’s café — naïve résumé",
    "one two three",
    "a",
]


def test_signatures_equal_datasketch_minhash_update() -> None:
    signer = Signer(num_perm=64, seed=7)
    sigs = signer.paragraph_signatures(LINES)
    assert sigs.shape == (len(LINES), 64) and sigs.dtype == np.uint32
    for line, row in zip(LINES, sigs, strict=True):
        m = MinHash(num_perm=64, seed=7, hashfunc=shingle_hash32, scheme="affine32")
        for sh in shingles(line):
            m.update(sh)
        assert np.array_equal(m.hashvalues, row), line


def test_document_signature_is_minhash_of_union() -> None:
    signer = Signer()
    sigs = signer.paragraph_signatures(LINES)
    m = signer.datasketch_minhash()
    m.update_batch([sh for line in LINES for sh in shingles(line)])
    assert np.array_equal(signer.document_signature(sigs), m.hashvalues)
    lean = signer.to_minhash(signer.document_signature(sigs))
    assert lean.jaccard(m) == 1.0


def test_short_lines_have_one_shingle_and_separators_an_identity() -> None:
    assert shingles("Log in") == [b"log in"]
    assert tokens("|") == [b"|"]
    batch = shingle_batch(["Log in", "|", "a b c d e"], 3)
    assert np.diff(batch.offsets).tolist() == [1, 1, 3]


def test_exact_hash_ignores_case_only() -> None:
    assert exact_hash("Buy Now") == exact_hash("buy now")
    assert exact_hash("Buy Now") != exact_hash("Buy Now!")


def test_signer_pickles_to_the_same_permutations() -> None:
    signer = Signer(32, 3, 2)
    clone = pickle.loads(pickle.dumps(signer))
    assert np.array_equal(clone.paragraph_signatures(LINES), signer.paragraph_signatures(LINES))


def test_band_keys_and_candidates_agree_with_datasketch_lsh() -> None:
    signer = Signer()
    base = "the quick brown fox jumps over the lazy dog near the river bank today " * 3
    texts = [base, base.replace("today", "tonight"), "completely different words here and there"]
    sigs = np.stack([signer.document_signature(signer.paragraph_signatures([t])) for t in texts])
    bands, rows = lsh_params(0.5, 128)
    keys = band_keys(sigs, bands, rows)
    assert keys.shape == (3, bands)
    assert candidate_pairs(keys).tolist() == [[0, 1]]
    lsh = MinHashLSH(threshold=0.5, num_perm=128, params=(bands, rows))
    for i, sig in enumerate(sigs):
        lsh.insert(str(i), signer.to_minhash(sig))
    assert sorted(lsh.query(signer.to_minhash(sigs[0]))) == ["0", "1"]


def test_candidate_pairs_are_a_star_per_group() -> None:
    keys = np.array([[5], [5], [5], [7]], dtype=np.uint64)
    assert candidate_pairs(keys).tolist() == [[0, 1], [0, 2]]


def test_sign_texts_and_verify_helpers() -> None:
    signer = Signer()
    s = sign_texts(["Hello world again", "Second line here"], signer, [3, 5])
    assert s.lines.tolist() == [3, 5] and s.paragraphs.shape == (2, 128)
    assert verify("Hello World", "hello world") == 1.0
    assert verify("abc", "xyz", cutoff=0.9) == 0.0
    a = ["one two three four five six", "seven eight nine ten"]
    assert verify_documents(a, list(reversed(a))) == 1.0


def test_a_document_without_kept_paragraphs_has_the_empty_signature() -> None:
    signer = Signer()
    assert signer.paragraph_signatures([]).shape == (0, 128)
    s = sign_texts([], signer)
    assert (s.document == np.iinfo(np.uint32).max).all()


@settings(max_examples=200, deadline=None)
@given(
    st.integers(2, 200).flatmap(
        lambda n: st.lists(
            st.lists(st.integers(0, 40), min_size=3, max_size=3), min_size=n, max_size=n
        )
    )
)
def test_candidate_pairs_packed_sort_equals_the_argsort_path(rows: list[list[int]]) -> None:
    # Small key values collide a lot, so runs of every length occur; the packed sort
    # compares only the keys' top bits and must still give the same pairs here.
    keys = np.array(rows, dtype=np.uint64)
    assert candidate_pairs(keys).tolist() == lsh._candidate_pairs_argsort(keys).tolist()


def test_candidate_pairs_fall_back_to_argsort_past_the_row_bits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keys = np.array([[5, 1], [6, 1], [5, 2], [7, 3]], dtype=np.uint64)
    packed = candidate_pairs(keys).tolist()
    monkeypatch.setattr(lsh, "_MAX_ROW_BITS", 0)
    assert candidate_pairs(keys).tolist() == packed == [[0, 1], [0, 2]]


@settings(max_examples=200, deadline=None)
@given(
    st.integers(2, 120).flatmap(
        lambda n: st.lists(
            st.lists(st.integers(0, 12), min_size=6, max_size=6), min_size=n, max_size=n
        )
    ),
    st.lists(st.integers(1, 6), min_size=1, max_size=6),
)
def test_candidate_pairs_in_blocks_equal_the_whole_matrix(
    rows: list[list[int]], widths: list[int]
) -> None:
    # Real band keys mix in their band number, so equal keys stay in one column: here the
    # column goes into the high bits. Few distinct values give runs of every length.
    keys = np.array(rows, dtype=np.uint64) + (np.arange(6, dtype=np.uint64) << np.uint64(40))
    edges = np.cumsum([0, *widths]).clip(max=6)
    blocks = [keys[:, lo:hi] for lo, hi in itertools.pairwise(edges.tolist()) if hi > lo]
    if edges[-1] < 6:
        blocks.append(keys[:, edges[-1] :])
    whole = candidate_pairs(keys).tolist()
    assert lsh.candidate_pairs_in_blocks(iter(blocks)).tolist() == whole
    assert lsh.candidate_pairs_in_blocks(iter([])).tolist() == []
