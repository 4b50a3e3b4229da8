"""Two processes on one index file at the same time (SQLite WAL + immediate transactions)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "rules"
SEED_001 = next((REPO / "seeds").glob("001_*.txt"))


def _corpus(tmp_path: Path) -> Path:
    dest = tmp_path / "seeds"
    dest.mkdir()
    for f in sorted((REPO / "seeds").glob("*.txt")):
        (dest / f.name).write_bytes(f.read_bytes())
    return dest


def _dedup(*args: str) -> list[str]:
    return [sys.executable, "-m", "dedup", *args, "--rules", str(RULES)]


def test_two_checks_at_once_on_a_fresh_index(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    index = tmp_path / "shared.sqlite"
    new = tmp_path / "incoming.txt"
    new.write_text(SEED_001.read_text().replace("Moscow", "Kazan", 1))
    cmd = _dedup(
        "check", str(new), "--corpus", str(corpus), "--index", str(index), "--format", "json"
    )
    procs = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 1, err
        [finding] = json.loads(out)["findings"]
        assert finding["code"] == "DUPLICATE" and finding["twin"].endswith(SEED_001.name)
    with sqlite3.connect(index) as conn:
        assert conn.execute("SELECT COUNT(*) FROM docs").fetchone()[0] == 5
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_writer_is_not_blocked_by_an_open_reader(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    index = tmp_path / "shared.sqlite"
    base = ["--corpus", str(corpus), "--index", str(index)]
    subprocess.run(_dedup("index", "build", *base), check=True, capture_output=True)

    reader = sqlite3.connect(index, isolation_level=None)
    reader.execute("BEGIN")
    before = reader.execute("SELECT COUNT(*) FROM docs").fetchone()[0]
    shutil.copyfile(REPO / "tests" / "data" / "check" / "new_article.txt", corpus / "new.txt")
    # Another process adds a document while this one holds a read transaction.
    done = subprocess.run(
        _dedup("index", "update", *base), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "1 added" in done.stdout
    # The reader keeps its consistent snapshot, then sees the new row.
    assert reader.execute("SELECT COUNT(*) FROM docs").fetchone()[0] == before == 5
    reader.execute("COMMIT")
    assert reader.execute("SELECT COUNT(*) FROM docs").fetchone()[0] == 6
    reader.close()
