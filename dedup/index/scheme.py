"""What an index's signatures depend on. An index built with another scheme is rebuilt.

The scheme is stored in the index (``meta`` table) so the file describes itself; ``dedup
index info`` prints it. Everything that changes a stored signature, band key or cleaned
text is in it: the MinHash parameters, the LSH split, the text normalisation version, the
rule packs (their sha256: rules decide which lines are kept), the tool version and the
index format.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

from dedup import __version__
from dedup.text.normalize import NORMALIZATION_VERSION

if TYPE_CHECKING:
    from dedup.config import DedupConfig

# Bump when the tables or what they hold change.
INDEX_FORMAT = 1
SHINGLES = "word n-grams of the lower-cased normalised kept lines (dedup.neardup tokens)"
MINHASH = "datasketch affine32, xxh3-64 token polynomial, document = union of paragraphs"


@dataclass(frozen=True, slots=True)
class Scheme:
    format: int
    tool_version: str
    normalization: str
    minhash: str
    shingles: str
    num_perm: int
    seed: int
    shingle_size: int
    doc_threshold: float
    lsh: str  # how bands x rows was chosen: "optimal" for doc_threshold, or "explicit"
    bands: int
    rows: int
    rules: str  # "pack=sha256,..." of the loaded rule packs, in run order

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scheme:
        names = {f.name for f in fields(cls)}
        missing = names - set(data)
        if missing:
            raise ValueError(f"missing scheme fields: {', '.join(sorted(missing))}")
        return cls(**{k: data[k] for k in names})

    def differences(self, other: Scheme) -> list[str]:
        """``name: old -> new`` for each field where ``other`` (the new scheme) differs."""
        out = []
        for f in fields(self):
            old, new = getattr(self, f.name), getattr(other, f.name)
            if old != new:
                if f.name == "rules":
                    out.append("rules: rule packs changed")
                else:
                    out.append(f"{f.name}: {old} -> {new}")
        return out


def rules_fingerprint(ruleset: Any) -> str:
    """``pack=sha256`` of each loaded pack (``RuleSet.describe()``), in run order."""
    return ",".join(f"{p['pack']}={p['sha256']}" for p in ruleset.describe())


def scheme_for(config: DedupConfig, ruleset: Any, previous: Scheme | None = None) -> Scheme:
    """The scheme a fresh index would have for this configuration and rule set.

    The optimal LSH split is taken from ``previous`` (the stored scheme) when it was derived
    from the same threshold and ``num_perm``, which saves its computation on every check.
    """
    from dedup.index.signing import lsh_params

    nd = config.neardup
    if nd.doc_bands is not None and nd.doc_rows is not None:
        lsh, bands, rows = "explicit", nd.doc_bands, nd.doc_rows
    elif (
        previous is not None
        and previous.lsh == "optimal"
        and previous.doc_threshold == nd.doc_threshold
        and previous.num_perm == nd.num_perm
    ):
        lsh, bands, rows = "optimal", previous.bands, previous.rows
    else:
        lsh = "optimal"
        bands, rows = lsh_params(nd.doc_threshold, nd.num_perm)
    return Scheme(
        format=INDEX_FORMAT,
        tool_version=__version__,
        normalization=NORMALIZATION_VERSION,
        minhash=MINHASH,
        shingles=SHINGLES,
        num_perm=nd.num_perm,
        seed=nd.seed,
        shingle_size=nd.shingle_size,
        doc_threshold=nd.doc_threshold,
        lsh=lsh,
        bands=bands,
        rows=rows,
        rules=rules_fingerprint(ruleset),
    )
