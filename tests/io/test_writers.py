from __future__ import annotations

from pathlib import Path

import pytest

from dedup.errors import OutputError
from dedup.io.writers import safe_relative, write_text_tree
from dedup.model import Document
from dedup.text import segment


def _doc(doc_id: str, text_path: str, text: str = "Title\nBody line.\n") -> Document:
    doc = Document(doc_id=doc_id, source=doc_id, paragraphs=segment(text))
    doc.text_path = text_path
    return doc


def test_text_tree_writes_nested_files_and_replaces_the_old_tree(tmp_path: Path) -> None:
    (tmp_path / "text").mkdir()
    (tmp_path / "text" / "stale.txt").write_text("old", encoding="utf-8")
    n = write_text_tree(tmp_path, [_doc("a", "a.txt"), _doc("b", "sub/deeper/b.txt")])
    assert n == 2
    assert (tmp_path / "text" / "sub" / "deeper" / "b.txt").read_text() == "Title\n\nBody line.\n"
    assert not (tmp_path / "text" / "stale.txt").exists()


def test_two_documents_on_one_text_file_is_an_error_not_an_overwrite(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"same cleaned-text file '\./x\.txt': a and b; rename"):
        write_text_tree(tmp_path, [_doc("a", "x.txt"), _doc("b", "./x.txt")])
    assert not (tmp_path / "text").exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # the staging folder is gone too


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        ("a/b.txt", "a/b.txt"),
        (".hidden/x.txt", ".hidden/x.txt"),
        ("../x.txt", "x.txt"),
        ("a/../b.txt", "a/b.txt"),
        ("/abs/x.txt", "abs/x.txt"),
        ("a//b/./c.txt", "a/b/c.txt"),
        ("c:/x.txt", "x.txt"),
        ("a\\b.txt", "a/b.txt"),
        # Colons are plain characters of a POSIX name: a scraper's timestamped file (it
        # stopped the whole run at write time, under --on-error skip too).
        ("2024-05-01T10:30:00.txt", "2024-05-01T10:30:00.txt"),
        ("feeds/urn:ap:123.txt", "feeds/urn:ap:123.txt"),
        # A letter and a colon starting a name is no drive ("q:a.txt" stopped the run; in
        # a folder, sub/q:a.txt was written to the file text/sub).
        ("q:a.txt", "q:a.txt"),
        ("sub/q:a.txt", "sub/q:a.txt"),
        ("C:\\data\\a.txt", "data/a.txt"),
    ],
)
def test_safe_relative_stays_inside(rel: str, expected: str) -> None:
    assert str(safe_relative(rel)) == expected
