"""Odd inputs found by QA: a file name that is not UTF-8, a corrupt Parquet data page,
JSONL encodings (BOM, cp1252 bytes, UTF-16), an unreadable file named on the command
line, and JSONL ids (integers, blank). Each gives the documented behaviour of
docs/reliability.md: one line naming the file (and line), the documented exit code,
``--on-error`` deciding about a bad document, and no traceback.
"""

from __future__ import annotations

import codecs
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from helpers_reliability import (
    DEDUP,
    RULES,
    Run,
    article,
    clean_args,
    jsonl,
    looks_complete,
    one_error_line,
    run_cli,
    run_process,
)

from dedup.config import InputConfig
from dedup.errors import DecodeError, InputError
from dedup.io import discover_inputs, read_documents


def _docs(out: Path) -> dict[str, dict[str, object]]:
    return {str(d["doc_id"]): d for d in jsonl(out / "documents.jsonl")}


# --- a file name that is not valid UTF-8 ----------------------------------------------------

LATIN1_NAME = os.fsdecode(b"caf\xe9.txt")  # 'caf\udce9.txt': what os.walk gives for it
SHOWN = "caf\\xe9.txt"  # how dedup prints it


def _latin1_named(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(article(1), encoding="utf-8")
    (src / LATIN1_NAME).write_text(article(2), encoding="utf-8")
    return src


def test_non_utf8_file_name_stops_the_run_at_read_time(tmp_path: Path) -> None:
    src = _latin1_named(tmp_path)
    out = tmp_path / "out"
    run = run_cli(*clean_args(src, out))
    one_error_line(run, 1, f"in/{SHOWN}", "file name is not valid UTF-8")
    assert not looks_complete(out)


def test_non_utf8_file_name_is_rejected_under_skip(tmp_path: Path) -> None:
    src = _latin1_named(tmp_path)
    out = tmp_path / "out"
    run = run_cli(*clean_args(src, out, "--on-error", "skip"))
    assert run.exit_code == 0, run.output
    assert "Traceback" not in run.output and "internal error" not in run.output
    docs = _docs(out)
    assert docs["a.txt"]["status"] == "kept"
    bad = docs[SHOWN]
    assert bad["status"] == "rejected"
    assert "file name is not valid UTF-8" in str(bad["reject_reason"])
    assert looks_complete(out)
    manifest = orjson.loads((out / "manifest.json").read_bytes())
    names = [f["path"] for entry in manifest["inputs"] for f in entry["files"]]
    assert names == ["a.txt", SHOWN]


def test_non_utf8_file_name_on_the_command_line_is_rejected_under_skip(tmp_path: Path) -> None:
    # A real process: the manifest records sys.argv, where the name is not UTF-8 either
    # (writing it stopped the run after all the work).
    src = _latin1_named(tmp_path)
    out = tmp_path / "out"
    args: list[str | Path] = [
        "clean",
        src / LATIN1_NAME,
        src / "a.txt",
        "--out",
        out,
        "--on-error",
        "skip",
    ]
    run = run_process(*args, "--quiet", "--no-validate")
    assert run.exit_code == 0, run.output
    manifest = orjson.loads((out / "manifest.json").read_bytes())
    assert manifest["command"][2].endswith(SHOWN)


def test_non_utf8_jsonl_name_is_a_container_error(tmp_path: Path) -> None:
    path = tmp_path / os.fsdecode(b"d\xe9.jsonl")
    path.write_bytes(orjson.dumps({"id": "a", "text": article(3)}) + b"\n")
    with pytest.raises(InputError, match="file name is not valid UTF-8") as info:
        list(read_documents(discover_inputs([path]), InputConfig(on_error="skip")))
    assert info.value.path is not None and info.value.path.endswith("d\\xe9.jsonl")


def test_check_reports_a_non_utf8_file_name_as_a_finding(tmp_path: Path) -> None:
    corpus = tmp_path / "seeds"
    corpus.mkdir()
    (corpus / "a.txt").write_text(article(4), encoding="utf-8")
    new = tmp_path / "new"
    new.mkdir()
    bad = new / LATIN1_NAME
    bad.write_text(article(5), encoding="utf-8")
    index = tmp_path / ".dedup" / "index.sqlite"
    run = run_cli("check", bad, "--corpus", corpus, "--index", index, "--rules", RULES)
    assert run.exit_code == 1, run.output
    assert "Traceback" not in run.output and "internal error" not in run.output
    [finding] = [ln for ln in run.output.splitlines() if "UNREADABLE" in ln]
    assert finding.startswith(f"{new.as_posix()}/{SHOWN}:1: UNREADABLE file name is not valid")


def test_check_and_index_survive_a_non_utf8_name_inside_the_corpus(tmp_path: Path) -> None:
    # The corpus scan stopped every `dedup check` and `index update` of the folder.
    corpus = tmp_path / "seeds"
    corpus.mkdir()
    (corpus / "a.txt").write_text(article(4), encoding="utf-8")
    (corpus / LATIN1_NAME).write_text(article(5), encoding="utf-8")
    new = tmp_path / "b.txt"
    new.write_text(article(6), encoding="utf-8")
    index = tmp_path / ".dedup" / "index.sqlite"
    for args in (("index", "update"), ("check", new)):
        run = run_cli(*args, "--corpus", corpus, "--index", index, "--rules", RULES)
        assert "Traceback" not in run.output and "internal error" not in run.output, run.output
        assert run.exit_code == 0, run.output


# --- a corrupt Parquet data page ------------------------------------------------------------


def test_corrupt_parquet_page_names_the_file(tmp_path: Path) -> None:
    ok = tmp_path / "ok.parquet"
    pq.write_table(pa.table({"id": ["a", "b"], "text": [article(6), article(7)]}), ok)
    data = bytearray(ok.read_bytes())
    for k in range(200, 260):  # inside the data pages, well before the footer
        data[k] ^= 0x5A
    bad = tmp_path / "corrupt.parquet"
    bad.write_bytes(bytes(data))
    out = tmp_path / "out"
    for policy in ("fail", "skip"):
        run = run_cli(*clean_args(bad, out, "--on-error", policy))
        one_error_line(run, 1, "corrupt.parquet", "not a readable Parquet file", "corrupt data")
        assert not looks_complete(out)


# --- JSONL encodings ------------------------------------------------------------------------


def _records(count: int = 3) -> str:
    lines = [
        orjson.dumps({"id": f"d{i}", "text": article(20 + i).replace("Report", "Région")})
        for i in range(count)
    ]
    return b"\n".join(lines).decode() + "\n"


@pytest.mark.parametrize("name", ["docs.jsonl", "docs.jsonl.gz"])
def test_jsonl_utf8_bom_is_skipped(tmp_path: Path, name: str) -> None:
    import gzip

    data = codecs.BOM_UTF8 + _records().encode()
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    out = tmp_path / "out"
    run = run_cli(*clean_args(path, out))
    assert run.exit_code == 0, run.output
    docs = _docs(out)
    assert sorted(docs) == ["d0", "d1", "d2"]
    assert all(d["status"] == "kept" for d in docs.values())


def test_jsonl_cp1252_line_is_an_encoding_error_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_bytes(_records().encode("cp1252"))
    out = tmp_path / "out"
    run = run_cli(*clean_args(path, out))
    one_error_line(run, 1, "docs.jsonl:1:", "not valid UTF-8 (bytes e9", "iconv -f cp1252")
    assert "invalid JSON" not in run.output and "surrogates" not in run.output
    run = run_cli(*clean_args(path, out, "--on-error", "skip"))
    assert run.exit_code == 0, run.output
    docs = _docs(out)
    assert [d["status"] for d in docs.values()] == ["rejected"] * 3
    assert "docs.jsonl:2: not valid UTF-8" in str(docs["docs.jsonl#L2"]["reject_reason"])


def test_jsonl_encoding_errors_replace_applies(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_bytes(_records().encode("cp1252"))
    out = tmp_path / "out"
    run = run_cli(*clean_args(path, out, "--encoding-errors", "replace"))
    assert run.exit_code == 0, run.output
    docs = _docs(out)
    assert sorted(docs) == ["d0", "d1", "d2"]
    assert docs["d0"]["status"] == "kept"
    assert str(docs["d0"]["title"]).startswith("R\ufffdgion 20")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_jsonl_is_one_clear_error(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "docs.jsonl"
    bom = codecs.BOM_UTF16_BE if encoding == "utf-16-be" else b""
    path.write_bytes(bom + _records().encode(encoding))
    out = tmp_path / "out"
    for policy in ("fail", "skip"):
        run = run_cli(*clean_args(path, out, "--on-error", policy))
        line = one_error_line(run, 1, "docs.jsonl: JSONL must be UTF-8", "UTF-16")
        assert "docs.jsonl:1" not in line  # the file, not one error per line
        assert not looks_complete(out)


# --- an unreadable file named on the command line -------------------------------------------


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder any user can enter (pytest's tmp_path is 0o700: closed to the unprivileged
    user of ``unshare -U``)."""
    folder = Path(tempfile.mkdtemp(prefix="dedup-qa-"))
    folder.chmod(0o777)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _without_privileges(folder: Path) -> list[str]:
    """A command prefix under which mode 000 stops a read: none for a normal user; for root
    (CI) ``unshare -U``, which maps it to an unprivileged user (skip where it cannot)."""
    if os.geteuid() != 0:
        return []
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("root, and no `unshare` to drop the right to read any file")
    probe = folder / "probe.txt"
    probe.write_text("x")
    probe.chmod(0)
    try:
        runs = subprocess.run([unshare, "-U", str(DEDUP), "--version"], capture_output=True)
        reads = subprocess.run([unshare, "-U", "cat", str(probe)], capture_output=True)
    finally:
        probe.unlink()
    if runs.returncode != 0 or reads.returncode == 0:
        pytest.skip("root, and `unshare -U` cannot drop the right to read any file here")
    return [unshare, "-U"]


def _run_unprivileged(prefix: list[str], *args: str | Path) -> Run:
    env = {k: v for k, v in os.environ.items() if k != "DEDUP_DEBUG"}
    proc = subprocess.run(
        [*prefix, str(DEDUP), *map(str, args)], capture_output=True, text=True, env=env, timeout=120
    )
    return Run(proc.returncode, proc.stdout + proc.stderr)


def test_unreadable_file_named_on_the_command_line_follows_on_error(shared_dir: Path) -> None:
    prefix = _without_privileges(shared_dir)
    src = shared_dir / "in"
    src.mkdir(mode=0o777)
    src.chmod(0o777)
    (src / "a.txt").write_text(article(30), encoding="utf-8")
    secret = src / "b.txt"
    secret.write_text(article(31), encoding="utf-8")
    secret.chmod(0)
    files = [src / "a.txt", secret]
    out = shared_dir / "out"
    run = _run_unprivileged(prefix, *clean_args(files, out, "--rules", str(RULES)))
    one_error_line(run, 1, "b.txt", "permission denied")
    assert not looks_complete(out)
    run = _run_unprivileged(
        prefix, *clean_args(files, out, "--on-error", "skip", "--rules", str(RULES))
    )
    assert run.exit_code == 0, run.output
    docs = _docs(out)
    assert docs["a.txt"]["status"] == "kept"
    assert docs["b.txt"]["status"] == "rejected"
    assert "permission denied" in str(docs["b.txt"]["reject_reason"])


def test_clean_leaves_readability_to_the_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root or not: click must not refuse an input it thinks unreadable (a usage error,
    exit 2, whatever --on-error says); the reader decides, as for a file in a folder."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(article(32), encoding="utf-8")
    (src / "b.txt").write_text(article(33), encoding="utf-8")
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode, **kw: Path(p).name != "b.txt" and real_access(p, mode)
    )
    out = tmp_path / "out"
    run = run_cli(*clean_args([src / "a.txt", src / "b.txt"], out, "--on-error", "skip"))
    assert run.exit_code == 0 and "not readable" not in run.output, run.output


# --- JSONL ids -------------------------------------------------------------------------------


def _read_jsonl(tmp_path: Path, *records: bytes, **cfg: object) -> list[object]:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join(records) + b"\n")
    return list(read_documents(discover_inputs([path]), InputConfig(**cfg)))


@pytest.mark.parametrize("blank", ["", "  ", "\t\n"])
def test_blank_jsonl_id_is_a_missing_id(tmp_path: Path, blank: str) -> None:
    record = orjson.dumps({"id": blank, "text": "x"})
    with pytest.raises(InputError, match="missing 'id'") as info:
        _read_jsonl(tmp_path, record)
    assert info.value.line == 1


def test_blank_parquet_id_is_a_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": ["a", "  "], "text": ["x", "y"]}), path)
    with pytest.raises(InputError, match="null id or text") as info:
        list(read_documents(discover_inputs([path]), InputConfig()))
    assert info.value.line == 2


def test_jsonl_integer_id_is_its_decimal_string_and_a_huge_one_says_so(tmp_path: Path) -> None:
    [doc] = _read_jsonl(tmp_path, b'{"id": 7, "text": "x"}')
    assert doc.doc_id == "7"  # type: ignore[attr-defined]
    huge = b'{"id": 123456789012345678901234567890, "text": "x"}'
    with pytest.raises(InputError, match="too large for a 64-bit integer") as info:
        _read_jsonl(tmp_path, huge)
    assert "got float" not in str(info.value)
    with pytest.raises(InputError, match="must be a string, got float"):
        _read_jsonl(tmp_path, b'{"id": 7.5, "text": "x"}')
    with pytest.raises(InputError, match="must be a string, got bool"):
        _read_jsonl(tmp_path, b'{"id": true, "text": "x"}')


def test_jsonl_decode_error_is_a_decode_error(tmp_path: Path) -> None:
    with pytest.raises(DecodeError) as info:
        _read_jsonl(tmp_path, b'{"id": "a", "text": "ok"}', b'{"id": "b", "text": "caf\xe9"}')
    assert info.value.line == 2 and "--encoding-errors replace" in str(info.value)
