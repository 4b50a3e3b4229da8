from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dedup.config import InputConfig
from dedup.errors import DecodeError, InputError
from dedup.io import discover_inputs, read_documents
from dedup.io.readers import safe_text_path


def read(paths: list[Path], **cfg: object) -> list:
    return list(read_documents(discover_inputs(paths), InputConfig(**cfg)))  # type: ignore[arg-type]


def test_txt_folder_recursive_sorted_with_relative_ids(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("two")
    (tmp_path / "a.txt").write_text("one")
    (tmp_path / "ignored.md").write_text("x")
    docs = read([tmp_path])
    assert [d.doc_id for d in docs] == ["a.txt", "b/2.txt"]
    assert [d.text_path for d in docs] == ["a.txt", "b/2.txt"]


def test_utf8_bom_and_utf16_bom_are_decoded(tmp_path: Path) -> None:
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbfHello")
    (tmp_path / "u16.txt").write_bytes("Héllo".encode("utf-16"))
    docs = read([tmp_path])
    assert [d.text for d in docs] == ["Hello", "Héllo"]


def test_invalid_utf8_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("ok\ncaf\xe9\n".encode("latin-1"))
    with pytest.raises(DecodeError) as info:
        read([bad])
    assert info.value.path == str(bad) and info.value.line == 2
    assert "UTF-8" in str(info.value)
    assert read([bad], encoding_errors="replace")[0].text == "ok\ncaf\ufffd\n"


def test_binary_file_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_bytes(b"abc\x00def")
    with pytest.raises(InputError, match="binary"):
        read([tmp_path])


def test_skip_policy_turns_bad_txt_into_a_rejected_record(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"\xff\xfe\xfd bad")
    (tmp_path / "b.txt").write_text("fine")
    docs = read([tmp_path], on_error="skip")
    assert docs[0].error is not None and docs[1].error is None


def test_jsonl_and_gz(tmp_path: Path) -> None:
    rows = [{"id": "x", "text": "A\nB", "url": "https://e.com/x"}, {"id": 7, "text": "C"}]
    data = b"".join(orjson.dumps(r) + b"\n" for r in rows)
    (tmp_path / "c.jsonl").write_bytes(data)
    (tmp_path / "c.jsonl.gz").write_bytes(
        gzip.compress(data.replace(b'"x"', b'"y"').replace(b"7", b"8"))
    )
    docs = read([tmp_path / "c.jsonl", tmp_path / "c.jsonl.gz"])
    assert [(d.doc_id, d.url) for d in docs] == [
        ("x", "https://e.com/x"),
        ("7", None),
        ("y", "https://e.com/x"),
        ("8", None),
    ]
    assert docs[0].text_path.endswith(".txt") and "/" not in docs[0].text_path


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"{broken", "invalid JSON"),
        (b'{"id": "a"}', "missing 'text'"),
        (b'{"id": "a", "text": 3}', "must be a string"),
    ],
)
def test_jsonl_bad_lines_name_file_and_line(tmp_path: Path, line: bytes, message: str) -> None:
    f = tmp_path / "in.jsonl"
    f.write_bytes(b'{"id": "ok", "text": "fine"}\n' + line + b"\n")
    with pytest.raises(InputError, match=message) as info:
        read([f])
    assert info.value.line == 2


def test_duplicate_ids_are_an_error(tmp_path: Path) -> None:
    f = tmp_path / "in.jsonl"
    f.write_bytes(b'{"id": "a", "text": "x"}\n{"id": "a", "text": "y"}\n')
    with pytest.raises(InputError, match="duplicate document id"):
        read([f])


def test_parquet_and_wrong_columns(tmp_path: Path) -> None:
    pq.write_table(pa.table({"id": ["p1"], "text": ["Hello"]}), tmp_path / "ok.parquet")
    assert [d.text for d in read([tmp_path / "ok.parquet"])] == ["Hello"]
    pq.write_table(pa.table({"ident": ["p1"], "body": ["Hello"]}), tmp_path / "bad.parquet")
    with pytest.raises(InputError, match="missing column"):
        read([tmp_path / "bad.parquet"])


def test_missing_input_and_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read([tmp_path / "nope"])
    (tmp_path / "x.csv").write_text("a")
    with pytest.raises(InputError, match="unsupported input"):
        read([tmp_path / "x.csv"])


@pytest.mark.parametrize("doc_id", ["../../x", "/etc/passwd", "CON", "a/../../b", "..", "C:\\x"])
def test_safe_text_path_stays_inside(doc_id: str) -> None:
    name = safe_text_path(doc_id)
    assert "/" not in name and "\\" not in name and not name.startswith(".")


def test_jsonl_is_streamed_and_an_oversized_record_is_skipped_alone(tmp_path: Path) -> None:
    big = orjson.dumps({"id": "big", "text": "x" * 200_000})
    ok = orjson.dumps({"id": "ok", "text": "fine"})
    f = tmp_path / "in.jsonl.gz"
    f.write_bytes(gzip.compress(big + b"\r\n" + ok + b"\r\n"))
    docs = read([f], on_error="skip", max_doc_bytes=1000)
    assert [d.doc_id for d in docs] == ["in.jsonl.gz#L1", "ok"]
    assert docs[0].error is not None and docs[0].error.line == 1
    assert "limit" in str(docs[0].error)
    with pytest.raises(InputError, match="limit"):
        read([f], max_doc_bytes=1000)


def test_truncated_gzip_is_an_input_error(tmp_path: Path) -> None:
    f = tmp_path / "in.jsonl.gz"
    f.write_bytes(gzip.compress(b'{"id": "a", "text": "x"}\n' * 1000)[:-20])
    with pytest.raises(InputError, match="gzip"):
        read([f])
