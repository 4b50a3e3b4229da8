"""The index signs documents exactly as the near-duplicate engine does (without datasketch)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dedup.index import signing
from dedup.text import segment

REPO = Path(__file__).resolve().parents[2]


def _norms(name: str) -> list[str]:
    path = next((REPO / "seeds").glob(name))
    return [p.norm for p in segment(path.read_text(encoding="utf-8"))]


@pytest.mark.parametrize(("num_perm", "seed", "size"), [(128, 1, 3), (64, 7, 2), (256, 1, 5)])
def test_signature_and_band_keys_equal_the_engines(num_perm: int, seed: int, size: int) -> None:
    nd_sig = pytest.importorskip("dedup.neardup.signatures")
    nd_lsh = pytest.importorskip("dedup.neardup.lsh")
    norms = [*_norms("003_*.txt"), "|", "Tiếng Việt: Hà Nội", "a b"]
    signer = nd_sig.Signer(num_perm, seed, size)
    expected = signer.document_signature(signer.paragraph_signatures(norms))
    mine = signing.signature_of(norms, num_perm, seed, size)
    assert np.array_equal(expected, mine)
    bands, rows = signing.lsh_params(0.8, num_perm)
    assert [int(k) for k in nd_lsh.band_keys(expected, bands, rows).astype(np.int64)] == (
        signing.band_keys(mine, bands, rows)
    )
    for norm in norms:
        assert signing.exact_hash(norm) == signing.to_signed(nd_sig.exact_hash(norm))


@pytest.mark.parametrize(("threshold", "num_perm"), [(0.8, 128), (0.5, 128), (0.9, 64), (0.7, 256)])
def test_lsh_params_equal_datasketch(threshold: float, num_perm: int) -> None:
    lsh = pytest.importorskip("datasketch.lsh")
    assert signing.lsh_params(threshold, num_perm) == lsh._optimal_param(
        threshold, num_perm, 0.5, 0.5
    )


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
