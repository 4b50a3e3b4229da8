"""End-to-end tests of `dedup.api.clean` on the bundled seeds."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dedup.api import clean
from dedup.config import build_config
from dedup.restore import restore_documents

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

GOLD = Path(__file__).resolve().parent.parent / "data" / "seeds.labels.tsv"


def _gold() -> list[tuple[str, int, str, str]]:
    rows = [line.rstrip("\n").split("\t") for line in GOLD.read_text(encoding="utf-8").splitlines()]
    return [(f, int(n), label, cat) for f, n, label, cat, *_ in rows[1:]]


def _jsonl(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def seeds_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seeds-out")
    clean([SEEDS], out, build_config({"jobs": 1}))
    return out


def test_output_contract_files(seeds_out: Path) -> None:
    for name in (
        "documents.jsonl",
        "removed.jsonl",
        "edits.jsonl",
        "clusters.jsonl",
        "boilerplate.jsonl",
        "validation.json",
        "manifest.json",
    ):
        assert (seeds_out / name).is_file(), name
    docs = _jsonl(seeds_out / "documents.jsonl")
    assert [d["doc_id"] for d in docs] == sorted(p.name for p in SEEDS.glob("*.txt"))
    manifest = json.loads((seeds_out / "manifest.json").read_text())
    assert manifest["counts"]["documents"]["in"] == 5
    assert manifest["counts"]["paragraphs"]["removed"] == len(_jsonl(seeds_out / "removed.jsonl"))
    assert all(len(f["sha256"]) == 64 for inp in manifest["inputs"] for f in inp["files"])
    assert {r["pack"] for r in manifest["rules"]} >= {"hanoitimes"}


def test_gold_every_drop_removed_and_no_keep_removed(seeds_out: Path) -> None:
    """Drop precision and recall 1.000 over the scored gold lines ('either' is free)."""
    removed = {(r["doc_id"], r["line"]) for r in _jsonl(seeds_out / "removed.jsonl")}
    missed = [(f, n, c) for f, n, label, c in _gold() if label == "drop" and (f, n) not in removed]
    wrong = [(f, n, c) for f, n, label, c in _gold() if label == "keep" and (f, n) in removed]
    assert missed == [] and wrong == []


def test_repeated_paragraphs_of_seed_004_name_their_twin(seeds_out: Path) -> None:
    rows = {
        r["line"]: r for r in _jsonl(seeds_out / "removed.jsonl") if r["doc_id"].startswith("004_")
    }
    for dup, original in zip(range(11, 15), range(5, 9), strict=True):
        assert rows[dup]["reason"] == "repeated"
        assert rows[dup]["detail"] == f"004_1a6ee8431759ad64.txt:{original}"
        assert 0.9 <= rows[dup]["similarity"] <= 1.0


def test_text_files_hold_title_then_paragraphs(seeds_out: Path) -> None:
    text = (seeds_out / "text" / "001_ed95b58e70d554b5.txt").read_text(encoding="utf-8")
    paras = text.rstrip("\n").split("\n\n")
    assert paras[0] == "Hanoi seeks culture, tourism cooperation with Moscow: City Party chief"
    assert "Log in" not in paras and "Share:" not in paras
    assert "Pushing for Moscow House in Hanoi" in paras
    assert "\u00a0" not in text


def test_restore_rebuilds_every_seed(seeds_out: Path) -> None:
    restored = {d.path: d for d in restore_documents(seeds_out)}
    for seed in SEEDS.glob("*.txt"):
        original = [ln.rstrip() for ln in seed.read_text(encoding="utf-8").splitlines()]
        while original and not original[-1]:
            original.pop()
        rebuilt = restored[seed.name].text().splitlines()
        assert rebuilt == original


def _as_jsonl_and_parquet(tmp_path: Path) -> tuple[Path, Path]:
    rows = [
        {"id": p.name, "text": p.read_text(encoding="utf-8")} for p in sorted(SEEDS.glob("*.txt"))
    ]
    jsonl = tmp_path / "seeds.jsonl"
    jsonl.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    parquet = tmp_path / "seeds.parquet"
    pq.write_table(pa.Table.from_pylist(rows), parquet)
    return jsonl, parquet


def test_txt_jsonl_parquet_give_identical_text(tmp_path: Path, seeds_out: Path) -> None:
    jsonl, parquet = _as_jsonl_and_parquet(tmp_path)
    expected = [(d["title"], d["text"]) for d in _jsonl(seeds_out / "documents.jsonl")]
    for source in (jsonl, parquet):
        out = tmp_path / f"out-{source.suffix}"
        clean([source], out, build_config({"jobs": 1}))
        got = [(d["title"], d["text"]) for d in _jsonl(out / "documents.jsonl")]
        assert got == expected, source


def test_output_is_byte_identical_for_any_jobs(
    tmp_path: Path, seeds_out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches of two seeds: three batches, so two worker processes really run (a single
    # batch runs in the main process, whatever --jobs says).
    monkeypatch.setattr("dedup.mapping.BATCH_DOCUMENTS", 2)
    out = tmp_path / "jobs2"
    clean([SEEDS], out, build_config({"jobs": 2}))
    for name in ("documents.jsonl", "removed.jsonl", "edits.jsonl", "clusters.jsonl"):
        assert (out / name).read_bytes() == (seeds_out / name).read_bytes(), name


def test_a_batch_of_documents_equals_each_document_alone() -> None:
    # The map runs batches (one signature pass per batch); the result must not depend on
    # which documents share a batch.
    from dedup.io.readers import discover_inputs, read_documents
    from dedup.mapping import build_document_stages, process_batch, process_document
    from dedup.records import document_record, removal_records

    config = build_config({"jobs": 1})
    stages, _ = build_document_stages(config)
    raws = list(read_documents(discover_inputs([SEEDS]), config.input))
    alone = [process_document(raw, stages) for raw in raws]
    together = process_batch(raws, stages)
    reversed_batch = process_batch(raws[::-1], stages)[::-1]
    for docs in (together, reversed_batch):
        assert [document_record(d) for d in docs] == [document_record(d) for d in alone]
        assert [list(removal_records(d)) for d in docs] == [list(removal_records(d)) for d in alone]
        for a, b in zip(alone, docs, strict=True):
            sa, sb = a.meta["neardup"], b.meta["neardup"]
            assert (sa.doc_keys == sb.doc_keys).all() and (sa.para_keys == sb.para_keys).all()


def test_inputs_are_never_modified_and_out_inside_input_is_refused(tmp_path: Path) -> None:
    from dedup.errors import OutputError

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Title\nA body line that is long enough.\n")
    before = {p: p.read_bytes() for p in src.rglob("*")}
    with pytest.raises(OutputError, match="inside the input"):
        clean([src], src / "out", build_config({"jobs": 1}))
    with pytest.raises(OutputError):
        clean([src], src, build_config({"jobs": 1}))
    assert {p: p.read_bytes() for p in src.rglob("*")} == before


class _Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    def start(self, total: int | None) -> None:
        self.events.append(("start", total))

    def advance(self, documents: int) -> None:
        self.events.append(("advance", documents))

    def phase(self, name: str) -> None:
        self.events.append(("phase", name.split()[0]))


def test_progress_reports_every_document_then_each_corpus_phase(tmp_path: Path) -> None:
    rec = _Recorder()
    clean(
        [SEEDS], tmp_path / "o", build_config({"jobs": 1}), report=tmp_path / "r.html", progress=rec
    )
    assert rec.events[0] == ("start", 5)
    assert rec.events[1:6] == [("advance", 1)] * 5
    assert [e for e in rec.events[6:]] == [
        ("phase", "finding"),
        ("phase", "validating"),
        ("phase", "writing"),
        ("phase", "rendering"),
    ]


QUALITY_PAGES = Path(__file__).resolve().parents[1] / "data" / "quality" / "pages.jsonl"


def test_pages_of_other_sites_validate_and_a_second_clean_removes_nothing(
    tmp_path: Path,
) -> None:
    """Real pages of 15 other sites (heavy chrome): the output validates (no rule leftover:
    scoped rules and runs settle after every removing stage), and is a fixed point."""
    first = clean([QUALITY_PAGES], tmp_path / "first", build_config({"jobs": 1}))
    assert first.passed, [str(f) for f in first.validation.findings]
    second = clean([tmp_path / "first" / "text"], tmp_path / "second", build_config({"jobs": 1}))
    assert second.passed
    assert _jsonl(tmp_path / "second" / "removed.jsonl") == []


def test_lines_that_differ_in_their_numbers_stay_and_validate(tmp_path: Path) -> None:
    """A meal plan repeats a dish with other quantities: the engine keeps both lines, and
    validation's near-repeat check agrees (same bar: same numbers) instead of failing."""
    day = "Tomato Cucumber Salad ({} cup lettuce, 1/2 cup cherry tomatoes, {} oz. cooked chicken)"
    src = tmp_path / "plan.txt"
    src.write_text(
        "Meal plan\n\nMonday\n" + day.format(1, 4) + "\nTuesday\n" + day.format(2, 6) + "\n",
        encoding="utf-8",
    )
    result = clean([src], tmp_path / "out", build_config({"jobs": 1}))
    assert result.passed, [str(f) for f in result.validation.findings]
    assert _jsonl(tmp_path / "out" / "removed.jsonl") == []


def test_manifest_records_rule_folders_like_rule_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Under the working directory both are relative (a portable manifest and report);
    # elsewhere they stay as given.
    rules = tmp_path / "packs"
    rules.mkdir()
    (rules / "p.yaml").write_text(
        "pack: p\napplies_to: {any: true}\nrules:\n"
        "  - {id: r, kind: drop, why: w, exact: [Log in]}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    clean([SEEDS], tmp_path / "out", build_config({"jobs": 1, "rules": [str(rules)]}))
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["parameters"]["rules"] == ["packs"]
    assert [r["path"] for r in manifest["rules"]] == ["packs/p.yaml"]


def test_clean_takes_str_paths(tmp_path: Path) -> None:
    # A bare AttributeError ("'str' object has no attribute 'resolve'") before.
    out = tmp_path / "out"
    result = clean(
        [str(SEEDS)], str(out), build_config({"jobs": 1}), report=str(tmp_path / "r.html")
    )
    assert (out / "manifest.json").is_file() and (tmp_path / "r.html").is_file()
    assert len(result.documents) == 5
