"""An eighth adversarial pass, as a contributor whose pre-commit hook checks new seed files
and as a data engineer calling the library: the corpus `dedup check` compares with and
the corpus `dedup clean` reads must be the same files (exact copies got past the hook),
and the library takes str paths everywhere."""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers_reliability import SEEDS

from dedup.index.sync import scan_corpus
from dedup.io.readers import discover_inputs


def test_check_and_clean_see_the_same_corpus_files(tmp_path: Path) -> None:
    corpus = tmp_path / "seeds"
    (corpus / ".drafts").mkdir(parents=True)
    (corpus / "sub").mkdir()
    first = sorted(SEEDS.glob("*.txt"))[0]
    for rel in ("a.txt", "B.TXT", "sub/c.txt", ".drafts/d.txt", ".hidden.txt", "notes.md"):
        shutil.copyfile(first, corpus / rel)
    cleaned = {str(f.path.relative_to(corpus)) for f in discover_inputs([corpus])}
    indexed = {rel for rel, *_ in scan_corpus(corpus)}
    assert cleaned == indexed == {"a.txt", "B.TXT", "sub/c.txt"}
    # a hidden file named on its own is still an input
    assert len(discover_inputs([corpus / ".hidden.txt"])) == 1


def test_check_takes_str_paths_as_clean_does(tmp_path: Path) -> None:
    from dedup.check import check_files

    corpus = tmp_path / "seeds"
    corpus.mkdir()
    for f in sorted(SEEDS.glob("*.txt"))[:2]:
        shutil.copyfile(f, corpus / f.name)
    copy = tmp_path / "new.txt"
    shutil.copyfile(corpus / sorted(p.name for p in corpus.iterdir())[0], copy)
    found = check_files(str(copy), corpus_dir=str(corpus), index_path=str(tmp_path / "i.sqlite"))
    assert [f.code for f in found if f.severity == "error"] == ["DUPLICATE"]


def test_a_duplicate_id_error_carries_file_and_line_apart(tmp_path: Path) -> None:
    import pytest

    from dedup.config import InputConfig
    from dedup.errors import InputError
    from dedup.io.readers import read_documents

    path = tmp_path / "d.jsonl"
    path.write_text('{"id": "a", "text": "T\\n\\nBody."}\n' * 2, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        list(read_documents(discover_inputs([path]), InputConfig()))
    assert caught.value.line == 2 and str(caught.value.path).endswith("d.jsonl")
    assert str(caught.value).endswith("d.jsonl:2: duplicate document id 'a'")


def test_utf16_without_a_byte_order_mark_is_named(tmp_path: Path) -> None:
    import pytest

    from dedup.errors import InputError
    from dedup.io.decode import decode_bytes

    text = "Hanoi opens a new metro line\nThe line carries 40,000 riders a day.\n"
    for order in ("le", "be"):
        with pytest.raises(InputError, match=f"UTF-16 without a byte order mark.*utf-16{order}"):
            decode_bytes(text.encode(f"utf-16-{order}"), "seed.txt")
    with pytest.raises(InputError, match="binary data"):  # not every NUL is UTF-16
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 4, "img.txt")
