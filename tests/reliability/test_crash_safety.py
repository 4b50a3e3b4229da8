"""Crash safety: manifest.json is the commit marker. A run killed at any point leaves no
manifest (so no folder that claims to be complete), and a rerun succeeds and leaves no
stale file of an earlier run."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from helpers_reliability import DEDUP, article, jsonl, looks_complete, run_cli, write_corpus

from dedup.api import clean
from dedup.config import build_config


def _started_writing(out: Path) -> bool:
    return out.is_dir() and any(out.iterdir())


def _processes_with(marker: str) -> list[int]:
    """Pids whose command line holds ``marker`` (Linux /proc)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue  # exited meanwhile, or not ours to read
        if marker in cmdline:
            pids.append(int(entry.name))
    return pids


def _gone_within(marker: str, seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := _processes_with(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def _signal_mid_run(src: Path, out: Path, sig: int) -> tuple[int, str]:
    """Start `dedup clean src --out out` as a process, send it ``sig`` half a second after
    the run removed the old manifest (its start), and return its exit code and stderr."""
    proc = subprocess.Popen(
        [str(DEDUP), "clean", str(src), "--out", str(out), "--jobs", "2", "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while looks_complete(out) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        time.sleep(0.5)
        assert proc.poll() is None, "the run finished before the signal; grow the corpus"
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, err.decode(errors="replace")


def test_sigkill_mid_run_leaves_no_complete_output_and_rerun_succeeds(tmp_path: Path) -> None:
    src = write_corpus(tmp_path / "in", 2000)
    out = tmp_path / "out"
    # An earlier complete run in the same folder: the kill must also un-commit it.
    clean([src / "doc00000.txt"], out, build_config({"jobs": 1}), validate=False)
    assert looks_complete(out)
    returncode, _ = _signal_mid_run(src, out, signal.SIGKILL)
    assert returncode == -signal.SIGKILL
    assert not looks_complete(out)
    if sys.platform.startswith("linux"):
        # Its two workers die with it instead of waiting forever on their queue.
        orphans = _gone_within(str(out), 10)
        for pid in orphans:  # not left behind by a failing run of this test either
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        assert orphans == []

    run = run_cli("clean", src, "--out", out, "--jobs", "1", "--quiet", "--no-validate")
    assert run.exit_code == 0, run.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["documents"]["in"] == 2000
    assert len(jsonl(out / "documents.jsonl")) == 2000
    # No temporary file or staging folder of the killed run is left behind.
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [".dedup.lock"]


def test_sigterm_stops_a_run_as_ctrl_c_does(tmp_path: Path) -> None:
    """SIGTERM (timeout, systemd, Kubernetes) killed the run where it stood: no message,
    exit 143 by signal, a staging folder left. It now stops as Ctrl-C does."""
    src = write_corpus(tmp_path / "in", 2000)
    out = tmp_path / "out"
    clean([src / "doc00000.txt"], out, build_config({"jobs": 1}), validate=False)
    returncode, err = _signal_mid_run(src, out, signal.SIGTERM)
    assert returncode == 143, err
    assert err.strip().splitlines()[-1] == "terminated (SIGTERM)"
    assert not looks_complete(out)
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [".dedup.lock"]
    if sys.platform.startswith("linux"):
        assert _gone_within(str(out), 10) == []


def test_killed_temporaries_are_removed_on_rerun(tmp_path: Path) -> None:
    src = write_corpus(tmp_path / "in", 3)
    out = tmp_path / "out"
    out.mkdir()
    (out / ".documents.jsonl.0a1b2c3d4e5f.tmp").write_text("half a line")  # atomic.temp_name
    (out / ".text.00ff00ff00ff.tmp").mkdir()
    (out / ".text.00ff00ff00ff.tmp" / "doc.txt").write_text("partial")
    (out / ".text.old.4242").mkdir()
    (out / "documents.jsonl").write_text('{"doc_id": "stale"}\n')  # no manifest: incomplete
    clean([src], out, build_config({"jobs": 1}), validate=False)
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [".dedup.lock"]
    assert [d["doc_id"] for d in jsonl(out / "documents.jsonl")] == [
        "doc00000.txt",
        "doc00001.txt",
        "doc00002.txt",
    ]


def test_rerun_into_a_complete_folder_replaces_it_cleanly(tmp_path: Path) -> None:
    src = write_corpus(tmp_path / "in", 4)
    (src / "sub").mkdir()
    (src / "sub" / "gone.txt").write_text(article(99), encoding="utf-8")
    out = tmp_path / "out"
    clean([src], out, build_config({"jobs": 1}), validate=False)
    assert (out / "text" / "sub" / "gone.txt").is_file()
    old_manifest = json.loads((out / "manifest.json").read_text())

    (src / "sub" / "gone.txt").unlink()
    (src / "doc00001.txt").unlink()
    clean([src], out, build_config({"jobs": 1}), validate=False)
    files = sorted(p.relative_to(out / "text").as_posix() for p in (out / "text").rglob("*.txt"))
    assert files == ["doc00000.txt", "doc00002.txt", "doc00003.txt"]
    assert not (out / "text" / "sub").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["documents"]["in"] == 3 != old_manifest["counts"]["documents"]["in"]
    # Every file the manifest lists matches its recorded hash: nothing half-replaced.
    import hashlib

    for name, digest in manifest["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name


def test_failed_run_uncommits_the_old_output(tmp_path: Path) -> None:
    """A run that stops on a bad input after it started writing leaves no manifest: the
    folder no longer claims to hold the (old) complete result."""
    src = write_corpus(tmp_path / "in", 2)
    out = tmp_path / "out"
    clean([src], out, build_config({"jobs": 1}), validate=False)
    (src / "zz-bad.txt").write_bytes(b"Title\n\xff\n")
    run = run_cli("clean", src, "--out", out, "--jobs", "1", "--quiet")
    assert run.exit_code == 1 and "zz-bad.txt:2" in run.output
    assert not looks_complete(out)


# Run in a child interpreter so that a regression (a pool that waits forever for a dead
# worker) fails on the timeout instead of hanging the test suite. Forked workers inherit
# the patched function; the second batch's worker is killed as the kernel's OOM killer
# would kill it.
_KILL_A_WORKER = """
import os, signal, sys
import dedup.mapping
from dedup.cli.main import cli

real = dedup.mapping.process_batch

def die_on_second_batch(raws, stages):
    if raws[0].doc_id != "doc00000.txt":
        os.kill(os.getpid(), signal.SIGKILL)
    return real(raws, stages)

dedup.mapping.process_batch = die_on_second_batch
cli(sys.argv[1:], prog_name="dedup")
"""


def test_a_killed_worker_stops_the_run_with_an_error_instead_of_hanging(tmp_path: Path) -> None:
    # multiprocessing.Pool waits forever for a task whose worker died; a pipeline must get
    # an error and a non-zero exit instead.
    src = write_corpus(tmp_path / "in", 200)  # several batches of 64
    out = tmp_path / "out"
    clean([src / "doc00000.txt"], out, build_config({"jobs": 1}), validate=False)
    args = ["clean", str(src), "--out", str(out), "--jobs", "2", "--quiet"]
    proc = subprocess.run(
        [sys.executable, "-c", _KILL_A_WORKER, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert "a worker process died" in proc.stderr and "nothing was committed" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1  # one line, no traceback
    assert not looks_complete(out)  # the earlier complete output is un-committed
