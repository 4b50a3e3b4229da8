"""Fuzz targets (hypothesis): readers, decoder, segmenter and the bundled rules.

Short in ``make test`` (DEDUP_FUZZ_EXAMPLES, default 100); ``make fuzz`` runs 10,000
examples per target. Every target asserts totality: documents or an InputError, never
another exception."""

from __future__ import annotations

import copy
import gzip
import os
import tempfile
from pathlib import Path

import pytest
from helpers_reliability import RULES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup.config import InputConfig
from dedup.errors import InputError
from dedup.io.decode import decode_bytes
from dedup.io.readers import discover_inputs, read_documents
from dedup.model import Document
from dedup.ruleset import load_rules
from dedup.text.normalize import output_form
from dedup.text.segment import segment, split_lines

EXAMPLES = int(os.environ.get("DEDUP_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,  # CI and `make fuzz` explore afresh; failures print their example
)
pytestmark = pytest.mark.fuzz

# Bytes with structure: valid/invalid UTF-8, BOMs, NULs, JSON fragments, gzip headers.
FRAGMENTS = st.sampled_from(
    [
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        b"\xfe\xff",
        b"\x00",
        b"\r",
        b"\n",
        b"\r\n",
        b"\xff",
        b"\xc3",
        b"\xc3\xa9",
        b"\xe2\x80\x99",
        b'{"id": "a", "text": "x"}',
        b'{"id": 1}',
        b'{"id": "a", "text": 5}',
        b"[1, 2]",
        b"\x1f\x8b\x08\x00",
        b"PAR1",
        b"\\u0000",
        b'"',
    ]
)
BLOBS = st.lists(st.one_of(st.binary(max_size=40), FRAGMENTS), max_size=20).map(b"".join)
CONFIGS = st.builds(
    InputConfig,
    on_error=st.sampled_from(["fail", "skip"]),
    encoding_errors=st.sampled_from(["strict", "replace"]),
    max_doc_bytes=st.sampled_from([64 * 1024 * 1024, 16]),
)


@FUZZ
@given(
    BLOBS,
    st.sampled_from(["doc.txt", "doc.jsonl", "doc.jsonl.gz", "doc.parquet"]),
    CONFIGS,
    st.booleans(),
)
def test_readers_return_documents_or_input_error(
    data: bytes, name: str, cfg: InputConfig, gz: bool
) -> None:
    if name.endswith(".gz") and gz:
        data = gzip.compress(data)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            docs = list(read_documents(discover_inputs([Path(tmp)]), cfg))
        except InputError as exc:
            assert exc.path is not None and name in exc.path
            assert "\n" not in str(exc)
            return
    for doc in docs:
        assert isinstance(doc.text, str) and isinstance(doc.doc_id, str) and doc.doc_id
        assert (doc.error is None) or (cfg.on_error == "skip" and doc.text == "")


@FUZZ
@given(BLOBS, st.sampled_from(["strict", "replace"]))
def test_decoder_is_total(data: bytes, errors: str) -> None:
    try:
        text = decode_bytes(data, "f.txt", errors=errors)
    except InputError as exc:
        assert exc.path == "f.txt"
        return
    assert "\x00" not in text or data.startswith((b"\xff\xfe", b"\xfe\xff"))


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300) | st.lists(
    st.sampled_from(
        ["a", " ", "\r", "\n", "\r\n", "\u00a0", "\u2028", "\x0b", "\t", "x y", "\u200b", "\ufeff"]
    ),
    max_size=60,
).map("".join)


@FUZZ
@given(TEXT)
def test_segmenter_numbers_every_non_blank_line(text: str) -> None:
    paragraphs = segment(text)
    lines = split_lines(text)
    assert [p.line for p in paragraphs] == [n for n, ln in enumerate(lines, 1) if ln.strip()]
    for p in paragraphs:
        assert p.raw == lines[p.line - 1]
        # The shown text is the output form of the stripped line; any change is an edit,
        # and a line that tidies away entirely is removed, never silently dropped.
        assert p.text == output_form(p.raw.strip())
        if p.text != p.raw.strip():
            assert p.edits and p.edits[0].before == p.raw.strip()
        if not p.text:
            assert p.removal is not None
        assert "\r" not in p.raw and "\n" not in p.raw


RULESET = load_rules([RULES])
STAGE = RULESET.stage()
CHROME = st.sampled_from(
    [
        "Log in",
        "Share:",
        "Reactions:",
        "Related news",
        "Hanoi",
        "|",
        "20:51, 2025/01/22",
        "THE HANOI TIMES — x",
        "x. Photo: Y",
        "Tags:",
        "Read more",
        "(a+)+$",
        "a" * 200 + "!",
    ]
)
RULE_TEXT = st.lists(st.one_of(CHROME, st.text(max_size=80)), max_size=30).map("\n".join)


@FUZZ
@given(RULE_TEXT, st.sampled_from([None, "https://hanoitimes.vn/x", "not a url"]))
def test_rules_stage_is_total_and_keeps_raw_lines(text: str, url: str | None) -> None:
    doc = Document(doc_id="d", source="d", paragraphs=segment(text), url=url)
    before = copy.deepcopy(doc.paragraphs)
    out = STAGE.process(doc)
    assert [(p.line, p.raw) for p in out.paragraphs] == [(p.line, p.raw) for p in before]
    for p in out.paragraphs:
        if p.removal is not None:
            assert p.removal.reason and p.removal.detail
