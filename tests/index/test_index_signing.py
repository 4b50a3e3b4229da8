"""The index signs documents with the near-duplicate engine itself, and stays datasketch-free."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash

from dedup.config import build_config
from dedup.index import signing
from dedup.index.scheme import INDEX_FORMAT, scheme_for
from dedup.index.store import IndexStore
from dedup.index.sync import open_index, update
from dedup.neardup import Params, Signer, band_keys, exact_hash, shingle_hash32, shingles
from dedup.ruleset import load_rules
from dedup.text import segment

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "rules"


def _norms(name: str) -> list[str]:
    path = next((REPO / "seeds").glob(name))
    return [p.norm for p in segment(path.read_text(encoding="utf-8"))]


@pytest.mark.parametrize(("num_perm", "seed", "size"), [(128, 1, 3), (64, 7, 2), (256, 1, 5)])
def test_index_keys_are_the_engines_and_datasketchs(num_perm: int, seed: int, size: int) -> None:
    norms = [*_norms("003_*.txt"), "|", "Tiếng Việt: Hà Nội", "a b"]
    config = build_config(
        {"rules": (RULES,), "neardup": {"num_perm": num_perm, "seed": seed, "shingle_size": size}}
    )
    scheme = scheme_for(config, load_rules(config.rules))
    shingle_set, keys = signing.sign_norms(norms, scheme)
    # The engine: paragraph signatures, their element-wise minimum, its band keys.
    signer = Signer(num_perm, seed, size)
    doc_sig = signer.document_signature(signer.paragraph_signatures(norms))
    expected = band_keys(doc_sig, scheme.bands, scheme.rows).astype(np.int64).tolist()
    assert keys == expected and len(keys) == scheme.bands
    # datasketch, updated with the same shingles, has the same signature.
    m = MinHash(num_perm=num_perm, seed=seed, hashfunc=shingle_hash32, scheme="affine32")
    m.update_batch([sh for norm in norms for sh in shingles(norm, size)])
    assert np.array_equal(m.hashvalues, doc_sig)
    assert shingle_set == {shingle_hash32(sh) for norm in norms for sh in shingles(norm, size)}
    for norm in norms:
        assert signing.exact_hash(norm) == signing.to_signed(exact_hash(norm))
    assert signing.sign_norms([], scheme) == (set(), [])


def test_scheme_uses_the_engines_params() -> None:
    config = build_config({"rules": (RULES,)})
    scheme = scheme_for(config, load_rules(config.rules))
    params = Params.from_config(config.neardup)
    assert (scheme.bands, scheme.rows) == (params.doc_bands, params.doc_rows) == (18, 7)
    assert (scheme.lsh, scheme.doc_recall_weight) == ("optimal", 0.99)
    weighted = build_config({"rules": (RULES,), "neardup": {"doc_recall_weight": 0.5}})
    equal = scheme_for(weighted, load_rules(weighted.rules))
    assert (equal.bands, equal.rows, equal.doc_recall_weight) == (9, 13, 0.5)
    explicit = build_config({"rules": (RULES,), "neardup": {"doc_bands": 16, "doc_rows": 8}})
    fixed = scheme_for(explicit, load_rules(explicit.rules))
    assert (fixed.lsh, fixed.doc_recall_weight, fixed.bands, fixed.rows) == (
        "explicit",
        None,
        16,
        8,
    )


def test_stored_split_is_reused_only_for_the_same_inputs() -> None:
    config = build_config({"rules": (RULES,)})
    ruleset = load_rules(config.rules)
    stored = dataclasses.replace(scheme_for(config, ruleset), bands=3, rows=5)
    reused = scheme_for(config, ruleset, previous=stored)
    assert (reused.bands, reused.rows) == (3, 5)
    for changed in (
        {"format": 1},
        {"doc_recall_weight": 0.5},
        {"doc_threshold": 0.7},
        {"num_perm": 64},
    ):
        other = dataclasses.replace(stored, **changed)
        assert scheme_for(config, ruleset, previous=other).bands == 18, changed


def test_an_index_of_the_old_format_is_rebuilt(tmp_path: Path) -> None:
    corpus = tmp_path / "seeds"
    corpus.mkdir()
    for f in sorted((REPO / "seeds").glob("00[01]_*.txt")):
        (corpus / f.name).write_bytes(f.read_bytes())
    index = tmp_path / "i.sqlite"
    config = build_config({"rules": (RULES,), "jobs": 1})
    ruleset = load_rules(config.rules)
    with open_index(index) as store:
        update(store, corpus, config, ruleset)
    # Rewrite the stored scheme as format 1 wrote it: equal weights, no recall weight.
    with sqlite3.connect(index) as conn:
        (raw,) = conn.execute("SELECT value FROM meta WHERE key = 'scheme'").fetchone()
        old = json.loads(raw)
        del old["doc_recall_weight"]
        old.update(format=1, bands=9, rows=13)
        conn.execute("UPDATE meta SET value = ? WHERE key = 'scheme'", (json.dumps(old),))
    with IndexStore(index) as store:
        stored = store.scheme()
    assert stored is not None and stored.doc_recall_weight is None
    with open_index(index) as store:
        report = update(store, corpus, config, ruleset)[1]
    assert report.rebuilt is not None and f"format: 1 -> {INDEX_FORMAT}" in report.rebuilt
    assert "bands: 9 -> 18" in report.rebuilt and report.added == 2
    with IndexStore(index) as store:
        current = store.scheme()
    assert current is not None and (current.format, current.bands) == (INDEX_FORMAT, 18)


def test_check_path_does_not_import_heavy_modules() -> None:
    # A pre-commit hook must start fast: no scipy (via datasketch), pandas or pandera.
    code = (
        "import sys; from dedup.cli.main import cli; "
        "cli(['check', '--help'], standalone_mode=False); "
        "import dedup.check, dedup.index.sync; "
        "print(sorted(m for m in ('datasketch', 'scipy', 'pandas', 'pandera') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_index_built_by_worker_processes_equals_the_serial_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dedup.index import sync

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    seeds = sorted((REPO / "seeds").glob("*.txt"))
    for i in range(70):  # two batches of 64 files for the workers
        text = seeds[i % len(seeds)].read_text(encoding="utf-8")
        (corpus / f"{i:03d}.txt").write_text(f"Copy {i}\n{text}", encoding="utf-8")
    monkeypatch.setattr(sync, "POOL_MIN_FILES", 1)
    tables = {}
    for jobs in (1, 2):
        index = tmp_path / f"i{jobs}.sqlite"
        config = build_config({"rules": (RULES,), "jobs": jobs})
        with open_index(index) as store:
            assert update(store, corpus, config, load_rules(config.rules))[1].added == 70
        with sqlite3.connect(index) as conn:
            tables[jobs] = {
                t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall())
                for t in ("docs", "bands", "paras")
            }
    assert tables[1] == tables[2]
