"""What an index's signatures depend on. An index built with another scheme is rebuilt.

The scheme is stored in the index (``meta`` table) so the file describes itself; ``dedup
index info`` prints it. Everything that changes a stored signature, band key or cleaned
text is in it: the MinHash parameters, the LSH split, the text normalisation version, the
rule packs (their sha256: rules decide which lines are kept), the tool version and the
index format.

The document LSH split is the engine's (``dedup.neardup.Params``): the same threshold,
``num_perm`` and recall weight give the same bands x rows as ``dedup clean``. An index of
an older format (format 1 split with equal weights and did not record the recall weight)
differs in ``format`` and is rebuilt.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

from dedup import __version__
from dedup.text.normalize import NORMALIZATION_VERSION

if TYPE_CHECKING:
    from dedup.config import DedupConfig

# Bump when the tables or what they hold change (2: the engine's Params, recall weight).
INDEX_FORMAT = 2
SHINGLES = "word n-grams of the lower-cased normalised kept lines (dedup.neardup tokens)"
MINHASH = "dedup.neardup.Signer (datasketch affine32), document = union of paragraphs"


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
    # How bands x rows was chosen: "optimal" for doc_threshold and doc_recall_weight (the
    # engine's Params), or "explicit" (--doc-bands/--doc-rows; the weight is then None).
    lsh: str
    doc_recall_weight: float | None
    bands: int
    rows: int
    rules: str  # "pack=sha256,..." of the loaded rule packs, in run order

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scheme:
        """The stored scheme; fields an older format lacks are None (it differs, so the
        index is rebuilt). A current-format scheme with missing fields is an error."""
        names = {f.name for f in fields(cls)}
        missing = names - set(data)
        if missing and data.get("format") == INDEX_FORMAT:
            raise ValueError(f"missing scheme fields: {', '.join(sorted(missing))}")
        values: dict[str, Any] = {k: data.get(k) for k in names}
        return cls(**values)

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

    The document split is the engine's (:func:`dedup.neardup.params.document_split`). It
    is taken from ``previous`` (the stored scheme) when that was derived, in this format,
    from the same threshold, ``num_perm`` and recall weight: a check then skips computing
    it (a few milliseconds and the numpy.polynomial import).
    """
    nd = config.neardup
    explicit = nd.doc_bands is not None and nd.doc_rows is not None
    weight = None if explicit else nd.doc_recall_weight
    if (
        not explicit
        and previous is not None
        and (previous.format, previous.lsh) == (INDEX_FORMAT, "optimal")
        and (previous.doc_threshold, previous.num_perm) == (nd.doc_threshold, nd.num_perm)
        and previous.doc_recall_weight == weight
    ):
        bands, rows = previous.bands, previous.rows
    else:
        from dedup.neardup.params import document_split

        bands, rows = document_split(nd)
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
        lsh="explicit" if explicit else "optimal",
        doc_recall_weight=weight,
        bands=bands,
        rows=rows,
        rules=rules_fingerprint(ruleset),
    )
