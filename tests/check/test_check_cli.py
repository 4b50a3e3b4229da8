"""`dedup check` through click: output format, exit codes, JSON."""

from __future__ import annotations

import json
from pathlib import Path

from check_helpers import RULES, SEED_001, copy_article, near_copy
from click.testing import CliRunner

from dedup.cli.main import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["check", *args, "--rules", str(RULES)])
    return result.exit_code, result.stdout, result.stderr


def test_duplicate_exits_1_with_one_line_per_finding(
    tmp_path: Path, corpus: Path, index_path: Path
) -> None:
    new = near_copy(SEED_001, corpus / "005_copy.txt")
    code, out, err = run(str(new), "--corpus", str(corpus), "--index", str(index_path))
    assert code == 1
    [line] = out.splitlines()
    assert line.startswith(f"{new.as_posix()}:")
    assert f"DUPLICATE near-duplicate of {corpus.as_posix()}/{SEED_001.name} (similarity 0." in line
    assert "created" in err and "1 errors" in err


def test_clean_article_exits_0_quietly(tmp_path: Path, corpus: Path, index_path: Path) -> None:
    new = copy_article(corpus / "005_new.txt")
    code, out, _ = run(str(new), "--corpus", str(corpus), "--index", str(index_path))
    assert (code, out) == (0, "")


def test_json_format(tmp_path: Path, corpus: Path, index_path: Path) -> None:
    new = near_copy(SEED_001, tmp_path / "x.txt")
    code, out, _ = run(
        str(new), "--corpus", str(corpus), "--index", str(index_path), "--format", "json"
    )
    data = json.loads(out)
    assert code == 1 and data["status"] == "failed" and data["files"] == 1
    [finding] = data["findings"]
    assert finding["code"] == "DUPLICATE" and finding["severity"] == "error"
    assert finding["twin"].endswith(SEED_001.name) and 0.8 <= finding["similarity"] < 1
    assert data["index"]["documents"] == 5


def test_warning_fails_only_with_strict(tmp_path: Path, index_path: Path) -> None:
    corpus = tmp_path / "site"
    corpus.mkdir()
    shared = "Follow our newsroom on Mastodon for more stories"
    for i in range(4):
        (corpus / f"{i}.txt").write_text(f"Title {i}\n\n{f'body {i} words ' * 20}\n{shared}\n")
    new = tmp_path / "new.txt"
    new.write_text(f"New title\n\n{'other words ' * 20}\n{shared}\n")
    args = (str(new), "--corpus", str(corpus), "--index", str(index_path))
    code, out, _ = run(*args)
    assert code == 0 and ": W-BOILERPLATE " in out and "kind: drop" in out
    code, out, _ = run(*args, "--strict")
    assert code == 1


def test_missing_corpus_is_a_clear_error(tmp_path: Path, index_path: Path) -> None:
    code, _, err = run(
        str(SEED_001), "--corpus", str(tmp_path / "none"), "--index", str(index_path)
    )
    # a flag naming no folder: a usage error, as --corpus naming a file is
    assert code == 2 and "corpus folder not found" in err


def test_help_ends_with_an_example() -> None:
    for args in (["check"], ["index"], ["index", "build"], ["index", "update"], ["index", "info"]):
        out = CliRunner().invoke(cli, [*args, "--help"]).output
        assert "Example:" in out and "dedup " in out.split("Example:")[1]
