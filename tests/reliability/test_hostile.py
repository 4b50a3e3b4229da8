"""Hostile content: document ids and recorded paths never make dedup write outside --out
(clean) or --to (restore)."""

from __future__ import annotations

from pathlib import Path

import orjson
from helpers_reliability import article, jsonl, run_cli

HOSTILE_IDS = [
    "../../x",
    "../../../../../../tmp/dedup-escape",
    "/etc/passwd",
    "/tmp/dedup-escape-abs",
    "CON",
    "NUL.txt",
    "a\x00b",
    "C:\\Windows\\system32\\evil",
    "..\\..\\win",
    "~/.bashrc",
    "x" * 5000,
    "\u202eexe.txt",  # right-to-left override
    "..",
    ".",
    "",
    " ",
    "text/../../manifest.json",
]


def _tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def test_hostile_ids_stay_inside_out_and_restore_stays_inside_to(tmp_path: Path) -> None:
    jail = tmp_path / "jail"
    jail.mkdir()
    src = jail / "docs.jsonl"
    rows = [{"id": doc_id, "text": article(i)} for i, doc_id in enumerate(HOSTILE_IDS)]
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    before = _tree(tmp_path)
    out = jail / "out"
    run = run_cli("clean", src, "--out", out, "--jobs", "1", "--quiet", "--on-error", "skip")
    assert run.exit_code in (0, 1) and "Traceback" not in run.output, run.output
    docs = jsonl(out / "documents.jsonl")
    assert len(docs) == len(HOSTILE_IDS)
    # The empty and the blank id are missing ids (rejected); every other one is kept.
    assert sum(d["status"] == "kept" for d in docs) == len(HOSTILE_IDS) - 2
    paths = [d["path"] for d in docs if d["status"] == "kept"]
    assert len(set(paths)) == len(paths)  # no two ids share an output file
    for p in paths:
        # One plain file name (".." inside a name is harmless), printable, not too long.
        assert "/" not in p and "\\" not in p and p not in (".", "..")
        assert p.isprintable() and len(p) < 120
    to = jail / "restored"
    run = run_cli("restore", out, "--to", to)
    assert run.exit_code == 0, run.output
    new = _tree(tmp_path) - before
    assert all(p.startswith(("jail/out", "jail/restored")) for p in new), sorted(new)[:5]
    assert len(list(to.iterdir())) == len(paths)
    assert not Path("/tmp/dedup-escape").exists() and not Path("/tmp/dedup-escape-abs").exists()


def test_restore_of_a_tampered_output_folder_stays_inside_to(tmp_path: Path) -> None:
    """documents.jsonl is input to restore: a hand-edited ``path`` cannot escape --to."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(article(1), encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("clean", src, "--out", out, "--jobs", "1", "--quiet").exit_code == 0
    base = jsonl(out / "documents.jsonl")[0]
    evil = ["../../escape.txt", "/tmp/dedup-escape-restore.txt", "..\\..\\w.txt", "a/../../b.txt"]
    rows = [{**base, "doc_id": f"a.txt#{i}", "path": p} for i, p in enumerate(evil)]
    (out / "documents.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    before = _tree(tmp_path)
    to = tmp_path / "box" / "to"
    run = run_cli("restore", out, "--to", to)
    assert run.exit_code == 0, run.output
    new = _tree(tmp_path) - before
    assert new and all(p.startswith("box") for p in new), sorted(new)
    assert not Path("/tmp/dedup-escape-restore.txt").exists()


def test_restore_into_the_output_folder_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(article(2), encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("clean", src, "--out", out, "--jobs", "1", "--quiet").exit_code == 0
    for to in (out, out / "text"):
        run = run_cli("restore", out, "--to", to)
        assert run.exit_code == 2 and "Traceback" not in run.output


def test_restore_into_a_folder_that_holds_files_is_refused(tmp_path: Path) -> None:
    # Restoring into the input folder rewrote the inputs (their trailing whitespace and
    # blank lines gone); an adversarial pass over the CLI found it.
    src = tmp_path / "in"
    src.mkdir()
    original = article(3) + "   \n\n\n"
    (src / "a.txt").write_text(original, encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("clean", src, "--out", out, "--jobs", "1", "--quiet").exit_code == 0
    run = run_cli("restore", out, "--to", src)
    assert run.exit_code == 2 and "not empty" in run.output, run.output
    assert (src / "a.txt").read_text(encoding="utf-8") == original
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_cli("restore", out, "--to", empty).exit_code == 0
    assert (empty / "a.txt").is_file()
