"""``paragraph_repeated`` on long documents: no n x n score matrix, the same findings as
scoring every pair (dedup.validate.repeats)."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from dedup.neardup.verification import same_numbers
from dedup.text import normalize
from dedup.text.normalize import word_count
from dedup.validate import repeats
from dedup.validate.corpus import KeptDoc, check_repeated_paragraphs, repeated_pairs, scan_repeats


def reference_pairs(
    norms: Sequence[str], threshold: float, min_chars: int, min_words: int = 0
) -> list[tuple[int, int, float | None]]:
    """The check as it was: one score matrix of every eligible pair."""
    pairs: list[tuple[int, int, float | None]] = []
    first: dict[str, int] = {}
    repeated: set[int] = set()
    for j, norm in enumerate(norms):
        i = first.setdefault(norm, j)
        if i != j:
            repeated.add(j)
            pairs.append((i, j, None))
    if threshold >= 1:
        return pairs
    idx = [
        k
        for k, n in enumerate(norms)
        if n and len(n) >= min_chars and word_count(n) >= min_words and k not in repeated
    ]
    if len(idx) < 2:
        return pairs
    texts = [norms[k] for k in idx]
    scores = process.cdist(texts, texts, scorer=fuzz.ratio, score_cutoff=threshold * 100)
    hits = np.argwhere(np.triu(scores, k=1) > 0)
    flagged: set[int] = set()
    for a, b in hits[np.lexsort((hits[:, 0], hits[:, 1]))].tolist():
        if idx[b] in flagged:
            continue
        x, y = norms[idx[a]], norms[idx[b]]
        if idx[a] not in flagged and x != y and same_numbers(x, y):
            flagged.add(idx[b])
            pairs.append((idx[a], idx[b], float(scores[a][b]) / 100))
    return pairs


def _mutate(rng: random.Random, text: str, edits: int) -> str:
    chars = list(text)
    for _ in range(edits):
        at = rng.randrange(len(chars) + 1)
        op = rng.random()
        if op < 0.4 and chars:
            del chars[min(at, len(chars) - 1)]
        elif op < 0.8:
            chars.insert(at, rng.choice("abcdefgh 1"))
        elif chars:
            chars[min(at, len(chars) - 1)] = rng.choice("xyz2")
    return "".join(chars)


_WORDS = ("alpha", "beta", "gamma", "delta", "the", "of", "and", "city", "river", "42", "7", "x")


def _document(rng: random.Random, n: int) -> list[str]:
    """Paragraphs from a small vocabulary, half of them edited copies of a few others."""
    base = [" ".join(rng.choices(_WORDS, k=rng.randint(3, 30))) for _ in range(max(1, n // 4))]
    paras = []
    for _ in range(n):
        if rng.random() < 0.5:
            paras.append(_mutate(rng, rng.choice(base), rng.randint(0, 8)))
        else:
            paras.append(" ".join(rng.choices(_WORDS, k=rng.randint(1, 30))))
    return [normalize(p) for p in paras]


@pytest.mark.parametrize("seed", range(8))
def test_same_pairs_as_the_full_matrix(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Small blocks and a piece as short as one character force both new paths (the
    filter's argument holds for any piece length) on documents full of near repeats."""
    monkeypatch.setattr(repeats, "_MIN_PIECE", 1)
    rng = random.Random(seed)
    # texts whose pieces match many windows are scored directly: half the runs filter all
    monkeypatch.setattr(repeats, "_DENSE", 1e18 if seed % 2 else 1.0)
    near = 0
    for _ in range(40):
        norms = _document(rng, rng.randint(2, 120))
        threshold = rng.choice([0.8, 0.9, 0.93, 0.95, 0.97, 0.99, 1.0])
        min_chars, min_words = rng.choice([1, 10, 40]), rng.choice([0, 3])
        monkeypatch.setattr(repeats, "_CELLS", rng.choice([1, 4, 100, 1 << 20]))
        monkeypatch.setattr(repeats, "_ROWS", rng.choice([1, 50, 1 << 20]))
        expected = reference_pairs(norms, threshold, min_chars, min_words)
        assert repeated_pairs(norms, threshold, min_chars, min_words) == expected
        near += sum(sim is not None for _, _, sim in expected)
    assert near > 50  # the comparison saw near repeats, not only misses


@given(st.lists(st.text(alphabet="ab 12", min_size=0, max_size=12), min_size=2, max_size=2))
def test_numbers_key_is_same_numbers(pair: list[str]) -> None:
    """The filter mixes a paragraph's numbers into its hashes: sound only while equal keys
    are exactly what same_numbers accepts."""
    a, b = pair
    keys = [tuple(repeats._NUMBERS.findall(x)) for x in (a, b)]
    assert (keys[0] == keys[1]) == same_numbers(a, b)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abc d", min_size=8, max_size=60), st.data())
def test_filter_keeps_every_pair_over_the_threshold(base: str, data: st.DataObject) -> None:
    """Pairs at the threshold's edge (a few insertions and deletions) survive the filter."""
    rng = random.Random(data.draw(st.integers(0, 10**6)))
    threshold = data.draw(st.sampled_from([0.8, 0.9, 0.95]))
    edited = (_mutate(rng, base, rng.randint(1, 6)) for _ in range(5))
    texts = [t for t in dict.fromkeys([base, *edited]) if t]
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    taus = repeats.max_edits(lengths, threshold)
    piece = int((lengths // (taus + 1)).min())
    if len(texts) < 2 or piece < 1:
        return
    for dense in (1.0, 1e18):  # the filter for every text, or for none
        repeats._DENSE = dense
        try:
            found = repeats._filtered(texts, threshold, lengths, taus, piece).pairs
        finally:
            repeats._DENSE = 1.0
        assert found == reference_pairs(texts, threshold, 1)


def _long_document(n: int, seed: int = 5) -> tuple[list[str], list[int]]:
    """``n`` paragraphs of random words, and where near repeats were planted."""
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(20000)]
    paras = [" ".join(rng.choices(vocab, k=12)) + "." for _ in range(n)]
    planted = []
    for j in rng.sample(range(n // 2, n), 20):
        # a near repeat (one letter more, the same numbers) of an earlier paragraph
        paras[j] = paras[rng.randrange(n // 2)].replace(" ", " x", 1)
        planted.append(j)
    return [normalize(p) for p in paras], sorted(planted)


def test_long_document_builds_no_square_matrix(monkeypatch: pytest.MonkeyPatch) -> None:
    """3,000 paragraphs: the old check scored 9 million pairs in one matrix; no score
    matrix may be larger than the block bound now."""
    calls: list[int] = []
    real = process.cdist

    def bounded(queries: Sequence[str], choices: Sequence[str], **kwargs: Any) -> Any:
        calls.append(len(queries) * len(choices))
        if len(queries) * len(choices) > 1 << 20:
            raise AssertionError(f"a {len(queries)} x {len(choices)} score matrix")
        return real(queries, choices, **kwargs)

    monkeypatch.setattr(process, "cdist", bounded)
    norms, planted = _long_document(3000)
    pairs = repeated_pairs(norms, 0.95, 40)
    assert sorted(j for _, j, _ in pairs) == planted
    assert all(sim is not None and sim >= 0.95 for _, _, sim in pairs)


def test_low_threshold_scores_in_bounded_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the filter's pieces would be too short (threshold 0.7), every pair is still
    scored, a bounded block at a time, with the findings of the full matrix."""
    monkeypatch.setattr(repeats, "_CELLS", 5000)
    sizes: list[int] = []
    real = process.cdist

    def recording(queries: Sequence[str], choices: Sequence[str], **kwargs: Any) -> Any:
        sizes.append(len(queries) * len(choices))
        return real(queries, choices, **kwargs)

    norms = _document(random.Random(9), 300)
    expected = reference_pairs(norms, 0.7, 10)
    monkeypatch.setattr(process, "cdist", recording)
    assert repeated_pairs(norms, 0.7, 10) == expected
    assert len(sizes) > 1 and max(sizes) <= 5000


def test_findings_of_a_long_document_name_the_planted_lines() -> None:
    norms, planted = _long_document(3000, seed=8)
    title, body = norms[0], "\n\n".join(norms[1:])
    kd = KeptDoc("long", 1, "long.txt", None, title, body, list(range(1, len(norms) + 1)))
    findings = check_repeated_paragraphs([kd], 0.95, 40)
    assert [f.check for f in findings] == ["paragraph_repeated"] * len(planted)
    lines = [int(re.match(r"line (\d+)", f.message).group(1)) for f in findings]  # type: ignore[union-attr]
    assert lines == [j + 1 for j in planted]


def test_stage_directions_are_no_repeats_for_validation_either() -> None:
    # The engine leaves "(LAUGHTER)" where it recurs; validation must not flag it.
    norms = ["title", "(laughter)", "a sentence said twice", "(laughter)", "a sentence said twice"]
    assert repeated_pairs(norms, 1.0, 0) == [(2, 4, None)]


def _templated(n: int) -> list[str]:
    """Lines too alike for the filter: one long phrase, a few words that differ."""
    rng = random.Random(3)
    words = ["alpha", "beta", "gamma", "delta", "city", "river", "north", "south", "east", "west"]
    tail = [" ".join(rng.choices(words, k=7)) for _ in range(n)]
    lines = [
        normalize(f"the council said that the plan for the district goes ahead {t}") for t in tail
    ]
    return list(dict.fromkeys(lines))


@pytest.mark.parametrize("budget", [5_000, 60_000, 400_000])
def test_budget_stops_the_check_and_says_where(
    budget: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past its scoring budget the check stops; what it reports is exactly the full check's
    pairs among the lines it compared with every earlier one, and it says where it stopped."""
    monkeypatch.setattr(repeats, "_CELLS", 20_000)
    norms = _templated(1500)
    expected = reference_pairs(norms, 0.95, 40)
    monkeypatch.setattr(repeats, "SCORE_BUDGET", budget)
    scan = scan_repeats(norms, 0.95, 40)
    assert scan.scanned is not None and 0 < scan.scanned < len(norms)
    assert scan.pairs == [p for p in expected if p[1] < scan.scanned]
    assert len(scan.pairs) < len(expected)  # the budget did cut something


def test_a_document_over_the_budget_is_named_in_the_notes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(repeats, "_CELLS", 20_000)
    monkeypatch.setattr(repeats, "SCORE_BUDGET", 400_000)
    norms = _templated(1500)
    body = "\n\n".join(norms[1:])
    kd = KeptDoc("tmpl", 1, "tmpl.txt", None, norms[0], body, list(range(1, len(norms) + 1)))
    small = KeptDoc("small", 2, "small.txt", None, "a title", "one line.\n\ntwo line.", [1, 2, 3])
    notes: list[str] = []
    findings = check_repeated_paragraphs([kd, small], 0.95, 40, notes=notes)
    assert findings  # the pairs found before the stop are still reported
    assert len(notes) == 1
    assert "in part in 1 document(s)" in notes[0] and "tmpl (from line " in notes[0]
    assert "small" not in notes[0]
    # within the budget: nothing to say
    monkeypatch.setattr(repeats, "SCORE_BUDGET", 1 << 40)
    notes.clear()
    check_repeated_paragraphs([kd, small], 0.95, 40, notes=notes)
    assert notes == []
