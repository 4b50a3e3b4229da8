"""Bad-input matrix: every odd input gives one clear line (file, line where known), the
documented exit code, no traceback, and never an output folder that looks complete.

Fatal vs skip (docs/reliability.md): a bad *document* stops the run under ``--on-error fail``
(default, exit 1) and becomes a ``rejected`` record under ``--on-error skip`` (exit 0). A bad
*container* (Parquet without the columns, a corrupt gzip) has no document to reject: fatal
under both. Empty documents are always rejected ("empty"), never fatal.
"""

from __future__ import annotations

import codecs
import os
import sys
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from helpers_reliability import (
    Run,
    article,
    clean_args,
    error_lines,
    jsonl,
    looks_complete,
    run_cli,
    run_process,
)

GOOD = article(1)


def _assert_one_line_error(run: Run, code: int, *fragments: str) -> str:
    assert run.exit_code == code, run.output
    assert "Traceback" not in run.output
    [line] = error_lines(run.output)
    for fragment in fragments:
        assert fragment in line, (fragment, line)
    return line


def _folder(tmp_path: Path, name: str, data: bytes) -> Path:
    src = tmp_path / "in"
    src.mkdir(exist_ok=True)
    (src / "good.txt").write_text(GOOD, encoding="utf-8")
    (src / name).write_bytes(data)
    return src


# --- bad documents: fatal by default, rejected under --on-error skip ---------------------

BAD_DOCUMENTS = {
    "invalid-utf8": (b"Title\nfine line\nbad \xff\xfe byte\n", ":3:", "not valid UTF-8"),
    "cp1252": (b"Caf\xe9 news\n\x93Quoted\x94 body\n", ":1:", "iconv -f cp1252"),
    "latin1-late": (GOOD.encode() + b"na\xefve line\n", ":5:", "--encoding-errors replace"),
    "nul-bytes": (b"Title\nbody\x00more\n", ":2:", "binary data"),
    "binary": (bytes(range(256)) * 4, ":1:", "binary data"),
}


@pytest.mark.parametrize("case", sorted(BAD_DOCUMENTS))
def test_bad_document_is_fatal_by_default(tmp_path: Path, case: str) -> None:
    data, where, what = BAD_DOCUMENTS[case]
    src = _folder(tmp_path, "bad.txt", data)
    out = tmp_path / "out"
    run = run_cli(*clean_args(src, out))
    _assert_one_line_error(run, 1, f"bad.txt{where}", what)
    assert not looks_complete(out)


@pytest.mark.parametrize("case", sorted(BAD_DOCUMENTS))
def test_bad_document_is_rejected_under_skip(tmp_path: Path, case: str) -> None:
    data, where, what = BAD_DOCUMENTS[case]
    src = _folder(tmp_path, "bad.txt", data)
    out = tmp_path / "out"
    run = run_cli(*clean_args(src, out, "--on-error", "skip"))
    assert run.exit_code == 0, run.output
    assert "Traceback" not in run.output
    docs = {d["doc_id"]: d for d in jsonl(out / "documents.jsonl")}
    assert docs["bad.txt"]["status"] == "rejected"
    assert what in docs["bad.txt"]["reject_reason"]
    assert f"bad.txt{where}" in docs["bad.txt"]["reject_reason"]
    assert docs["good.txt"]["status"] == "kept"
    assert not (out / "text" / "bad.txt").exists()
    assert looks_complete(out)


def test_encoding_errors_replace_decodes_with_replacement_char(tmp_path: Path) -> None:
    src = _folder(tmp_path, "bad.txt", GOOD.encode() + b"caf\xe9 au lait\n")
    out = tmp_path / "out"
    run = run_cli(*clean_args(src, out, "--encoding-errors", "replace"))
    assert run.exit_code == 0, run.output
    doc = next(d for d in jsonl(out / "documents.jsonl") if d["doc_id"] == "bad.txt")
    assert doc["status"] == "kept"
    assert "caf\ufffd au lait" in doc["text"]


def test_fifo_named_txt_is_an_input_error_not_a_hang(tmp_path: Path) -> None:
    # Tests run as root, so chmod 000 would not stop a read: a FIFO is an unreadable
    # "file" for everyone (reading it would block for ever).
    src = _folder(tmp_path, "good2.txt", article(2).encode())
    os.mkfifo(src / "pipe.txt")
    out = tmp_path / "out"
    run = run_cli(*clean_args(src, out))
    _assert_one_line_error(run, 1, "pipe.txt", "not a regular file")
    assert not looks_complete(out)
    run = run_cli(*clean_args(src, out, "--on-error", "skip"))
    assert run.exit_code == 0, run.output
    docs = {d["doc_id"]: d for d in jsonl(out / "documents.jsonl")}
    assert docs["pipe.txt"]["status"] == "rejected"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_an_input_error(tmp_path: Path) -> None:
    src = _folder(tmp_path, "secret.txt", article(3).encode())
    (src / "secret.txt").chmod(0)
    out = tmp_path / "out"
    run = run_cli(*clean_args(src, out))
    _assert_one_line_error(run, 1, "secret.txt", "permission denied")
    assert not looks_complete(out)


def test_too_large_document_respects_max_doc_bytes(tmp_path: Path) -> None:
    src = _folder(tmp_path, "big.txt", article(4).encode() * 10)
    out = tmp_path / "out"
    run = run_cli(*clean_args(src, out, "--max-doc-bytes", "2000"))
    _assert_one_line_error(run, 1, "big.txt", "over the 2000-byte limit (--max-doc-bytes, or")
    assert not looks_complete(out)
    run = run_cli(*clean_args(src, out, "--max-doc-bytes", "2000", "--on-error", "skip"))
    assert run.exit_code == 0, run.output
    docs = {d["doc_id"]: d for d in jsonl(out / "documents.jsonl")}
    assert docs["big.txt"]["status"] == "rejected"


# --- odd but valid text: decoded, never fatal ---------------------------------------------


@pytest.mark.parametrize(
    "encoding", ["utf-16-le", "utf-16-be", "utf-8-sig"], ids=["utf16le", "utf16be", "utf8bom"]
)
def test_bom_encodings_are_decoded(tmp_path: Path, encoding: str) -> None:
    text = article(5).replace("Report", "Báo cáo “Hà Nội”")
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
    src = _folder(tmp_path, "bom.txt", bom + text.encode(encoding))
    out = tmp_path / "out"
    run = run_cli(*clean_args(src, out))
    assert run.exit_code == 0, run.output
    doc = next(d for d in jsonl(out / "documents.jsonl") if d["doc_id"] == "bom.txt")
    assert doc["status"] == "kept"
    assert doc["title"] == text.splitlines()[0]
    assert not doc["title"].startswith("\ufeff")


def test_cr_only_line_endings_give_the_same_paragraphs(tmp_path: Path) -> None:
    text = article(6)
    src = _folder(tmp_path, "cr.txt", text.replace("\n", "\r").encode())
    (src / "crlf.txt").write_bytes(article(7).replace("\n", "\r\n").encode())
    out = tmp_path / "out"
    run = run_cli(*clean_args(src, out))
    assert run.exit_code == 0, run.output
    docs = {d["doc_id"]: d for d in jsonl(out / "documents.jsonl")}
    assert docs["cr.txt"]["lines"] == [1, 2, 3, 4]
    assert docs["cr.txt"]["title"] == text.splitlines()[0]
    assert docs["crlf.txt"]["lines"] == [1, 2, 3, 4]
    assert "\r" not in (out / "text" / "cr.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("data", [b"", b"   \n\t\n\r\n\xc2\xa0\n"], ids=["empty", "whitespace"])
def test_empty_documents_are_rejected_not_fatal(tmp_path: Path, data: bytes) -> None:
    src = _folder(tmp_path, "empty.txt", data)
    out = tmp_path / "out"
    run = run_cli(*clean_args(src, out))
    assert run.exit_code == 0, run.output
    docs = {d["doc_id"]: d for d in jsonl(out / "documents.jsonl")}
    assert docs["empty.txt"]["status"] == "rejected"
    assert docs["empty.txt"]["reject_reason"].startswith("empty")
    assert docs["good.txt"]["status"] == "kept"


def test_deep_folders(tmp_path: Path) -> None:
    src = tmp_path / "in"
    deep = src.joinpath(*["d"] * 200)
    deep.mkdir(parents=True)
    (deep / "deep.txt").write_text(article(8), encoding="utf-8")
    out = tmp_path / "out"
    run = run_cli(*clean_args(src, out))
    assert run.exit_code == 0, run.output
    [doc] = jsonl(out / "documents.jsonl")
    assert doc["doc_id"] == "d/" * 200 + "deep.txt"
    assert (out / "text" / doc["path"]).read_text(encoding="utf-8").startswith("Report 8")


def test_symlink_loops_and_folders_named_txt_are_not_followed(tmp_path: Path) -> None:
    src = _folder(tmp_path, "a.txt", article(9).encode())
    (src / "sub").mkdir()
    (src / "sub" / "loop").symlink_to("..", target_is_directory=True)
    (src / "self").symlink_to("self")  # a symlink to itself: not a folder, not a file
    (src / "folder.txt").mkdir()
    out = tmp_path / "out"
    run = run_cli(*clean_args(src, out, "--on-error", "skip"))
    assert run.exit_code == 0, run.output
    ids = [d["doc_id"] for d in jsonl(out / "documents.jsonl")]
    assert ids == ["a.txt", "good.txt"]


def test_fifty_megabyte_single_line(tmp_path: Path) -> None:
    """A 50 MB one-line document is read, cleaned and written without blowing up.

    Near-duplicate stages are off here: they need O(num_perm x shingles) memory for one
    paragraph (see test_neardup_memory_is_bounded_on_a_huge_paragraph).
    """
    src = tmp_path / "in"
    src.mkdir()
    line = ("word " * 10_000_000)[: 50 * 1024 * 1024 - 20]
    (src / "huge.txt").write_text("Huge title\n" + line + "\n", encoding="utf-8")
    out = tmp_path / "out"
    run = run_cli(*clean_args(src, out, "--no-neardup"))
    assert "Traceback" not in run.output
    assert run.exit_code in (0, 1), run.output  # 1 only if validation flags it
    [doc] = jsonl(out / "documents.jsonl")
    assert doc["status"] == "kept" and len(doc["text"]) == len(line.strip())
    assert looks_complete(out)


def test_neardup_memory_is_bounded_on_a_huge_paragraph() -> None:
    import tracemalloc

    from dedup.neardup.signatures import Signer

    signer = Signer(num_perm=128)
    norm = " ".join(f"w{i}" for i in range(400_000))  # ~400k shingles, one paragraph
    tracemalloc.start()
    try:
        signer.paragraph_signatures([norm])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024 * 1024, f"peak {peak / 2**20:.0f} MiB"


# --- JSONL and Parquet -------------------------------------------------------------------


def _jsonl_file(tmp_path: Path, *lines: bytes) -> Path:
    path = tmp_path / "docs.jsonl"
    first = orjson.dumps({"id": "a", "text": article(10)})
    path.write_bytes(b"\n".join([first, *lines]) + b"\n")
    return path


JSONL_BAD = {
    "broken": (b'{"id": "b", "text": "unterminated', "invalid JSON"),
    "not-object": (b'["b", "text"]', "expected a JSON object"),
    "missing-text": (b'{"id": "b"}', "missing 'text'"),
    "missing-id": (b'{"text": "x"}', "missing 'id'"),
    "text-not-string": (b'{"id": "b", "text": 42}', "field 'text' must be a string, got int"),
    "text-null": (b'{"id": "b", "text": null}', "missing 'text'"),
    "id-list": (b'{"id": ["b"], "text": "x"}', "field 'id' must be a string, got list"),
    "duplicate-id": (orjson.dumps({"id": "a", "text": article(11)}), "duplicate document id 'a'"),
}


@pytest.mark.parametrize("case", sorted(JSONL_BAD))
def test_jsonl_bad_record_names_file_and_line(tmp_path: Path, case: str) -> None:
    bad, what = JSONL_BAD[case]
    path = _jsonl_file(tmp_path, bad)
    out = tmp_path / "out"
    run = run_cli(*clean_args(path, out))
    _assert_one_line_error(run, 1, "docs.jsonl:2", what)
    assert not looks_complete(out)
    run = run_cli(*clean_args(path, out, "--on-error", "skip"))
    assert run.exit_code == 0, run.output
    [good, rejected] = jsonl(out / "documents.jsonl")
    assert good["status"] == "kept"
    assert rejected["status"] == "rejected" and what in rejected["reject_reason"]


def test_jsonl_record_over_max_doc_bytes(tmp_path: Path) -> None:
    path = _jsonl_file(tmp_path, orjson.dumps({"id": "b", "text": "x" * 5000}))
    out = tmp_path / "out"
    run = run_cli(*clean_args(path, out, "--max-doc-bytes", "4000"))
    _assert_one_line_error(run, 1, "docs.jsonl:2", "--max-doc-bytes")


def test_corrupt_gzip_is_fatal_even_under_skip(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00not really gzip")
    out = tmp_path / "out"
    run = run_cli(*clean_args(path, out, "--on-error", "skip"))
    _assert_one_line_error(run, 1, "docs.jsonl.gz", "not a valid gzip file")
    assert not looks_complete(out)


@pytest.mark.parametrize(
    ("columns", "what"),
    [
        ({"id": ["a"], "body": ["x"]}, "missing column(s) text"),
        ({"doc": ["a"], "text": ["x"]}, "missing column(s) id"),
    ],
)
def test_parquet_wrong_columns_is_fatal_even_under_skip(
    tmp_path: Path, columns: dict[str, list[str]], what: str
) -> None:
    path = tmp_path / "docs.parquet"
    pq.write_table(pa.table(columns), path)
    out = tmp_path / "out"
    for policy in ("fail", "skip"):
        run = run_cli(*clean_args(path, out, "--on-error", policy))
        _assert_one_line_error(run, 1, "docs.parquet", what, "expected id, text")
        assert not looks_complete(out)


def test_not_a_parquet_file(tmp_path: Path) -> None:
    path = tmp_path / "docs.parquet"
    path.write_bytes(b"PAR1 but not really")
    out = tmp_path / "out"
    run = run_cli(*clean_args(path, out))
    _assert_one_line_error(run, 1, "docs.parquet", "not a readable Parquet file")


def test_parquet_non_string_text_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "docs.parquet"
    pq.write_table(pa.table({"id": ["a", "b"], "text": [article(12), None]}), path)
    out = tmp_path / "out"
    run = run_cli(*clean_args(path, out))
    _assert_one_line_error(run, 1, "docs.parquet:2", "null id or text")


# --- the output location ------------------------------------------------------------------


def test_out_equal_to_or_inside_an_input_is_a_usage_error(tmp_path: Path) -> None:
    src = _folder(tmp_path, "a.txt", article(13).encode())
    before = sorted(p.relative_to(src) for p in src.rglob("*"))
    for out in (src, src / "out", src / "a" / "b"):
        run = run_cli(*clean_args(src, out))
        _assert_one_line_error(run, 2, "inside the input", "choose another --out")
    assert sorted(p.relative_to(src) for p in src.rglob("*")) == before


def test_output_path_that_cannot_be_written(tmp_path: Path) -> None:
    src = _folder(tmp_path, "a.txt", article(14).encode())
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    run = run_cli(*clean_args(src, blocker / "out"))
    _assert_one_line_error(run, 1, "a-file/out", "cannot write to the output folder")
    run = run_cli(*clean_args(src, blocker))
    assert run.exit_code == 2 and "Traceback" not in run.output  # click: "is a file"
    if sys.platform.startswith("linux"):
        run = run_cli(*clean_args(src, Path("/proc/dedup-reliability-test")))
        _assert_one_line_error(run, 1, "/proc/dedup-reliability-test", "cannot write")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into a read-only folder")
def test_read_only_output_folder(tmp_path: Path) -> None:
    src = _folder(tmp_path, "a.txt", article(15).encode())
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    run = run_cli(*clean_args(src, ro / "out"))
    _assert_one_line_error(run, 1, "cannot write to the output folder")


def test_a_real_process_prints_one_line_and_no_traceback(tmp_path: Path) -> None:
    """The same through the installed ``dedup`` entry point (what a shell user sees)."""
    src = _folder(tmp_path, "bad.txt", b"Title\n\xff\n")
    run = run_process(*clean_args(src, tmp_path / "out"))
    line = _assert_one_line_error(run, 1, "bad.txt:2", "not valid UTF-8")
    assert run.output.strip() == line


def test_document_whose_every_line_is_chrome_is_rejected_not_a_crash(tmp_path: Path) -> None:
    """Regression: with near-dup stages on, a document left with no kept line after the
    rules used to crash the signer (IndexError in shingle_batch([]))."""
    src = _folder(tmp_path, "chrome.txt", b"Log in\nShare:\n")
    out = tmp_path / "out"
    run = run_cli(*clean_args(src, out))
    assert run.exit_code == 0 and "Traceback" not in run.output, run.output
    docs = {d["doc_id"]: d for d in jsonl(out / "documents.jsonl")}
    assert docs["chrome.txt"]["status"] == "rejected"
    assert docs["chrome.txt"]["reject_reason"].startswith("empty after cleaning")
