"""How `dedup clean` scales with worker processes: one corpus, one run per ``--jobs`` value.

For each value it prints the wall time, MB/s, peak RSS of the main process (``os.wait4``,
what GNU ``time -v`` reports) and the manifest's phase timings, so the serial part (reduce
and write, in the main process) can be read off beside the map that the workers share.
Outputs of every run are compared byte for byte with the first (the ``--jobs``
contract), so a scaling figure never comes from a run that did something else.

Usage: ``python benchmarks/scaling.py build/bench/100mb/corpus.jsonl --jobs 1 2 4 8``
(build the corpus first with ``benchmarks/corpus.py`` or ``benchmarks/run.py``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

COMPARED = ("documents.jsonl", "removed.jsonl", "clusters.jsonl")


@dataclass
class Run:
    wall: float
    peak_rss_mb: float
    cpu_s: float  # the main process and its workers, user + system
    timings: dict[str, float]  # the manifest's phases
    digest: str  # of the compared outputs


def run_once(corpus: Path, out: Path, jobs: int) -> Run:
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "dedup", "clean", str(corpus), "--out", str(out)]
    cmd += ["--jobs", str(jobs), "--no-validate", "-q"]
    with tempfile.TemporaryFile() as errors:  # a pipe could fill up while we wait
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stderr=errors)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):  # 1: validation findings, still a complete output
            errors.seek(0)
            sys.exit(f"jobs={jobs}: dedup clean exited {code}: {errors.read().decode()[-2000:]}")
    manifest = json.loads((out / "manifest.json").read_text())
    digest = hashlib.sha256()
    for name in COMPARED:
        digest.update((out / name).read_bytes())
    return Run(
        wall=wall,
        peak_rss_mb=usage.ru_maxrss / 1024,
        cpu_s=usage.ru_utime + usage.ru_stime,
        timings=manifest["timings"],
        digest=digest.hexdigest(),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--out", type=Path, default=Path("build/bench/scaling-out"))
    args = parser.parse_args()

    mb = args.corpus.stat().st_size / 1e6
    print(f"corpus {args.corpus}: {mb:.1f} MB on disk; {os.cpu_count()} CPUs", flush=True)
    print("jobs  wall s   MB/s  read+map  reduce  write  RSS MB  CPU s")
    first = None
    for jobs in args.jobs:
        r = run_once(args.corpus, args.out, jobs)
        t = r.timings
        print(
            f"{jobs:>4} {r.wall:7.2f} {mb / r.wall:6.2f} {t['read_map']:9.2f} {t['reduce']:7.2f} "
            f"{t['write']:6.2f} {r.peak_rss_mb:7.0f} {r.cpu_s:6.1f}",
            flush=True,
        )
        first = first or r.digest
        if r.digest != first:
            sys.exit(f"jobs={jobs}: outputs differ from the first run's")
    shutil.rmtree(args.out, ignore_errors=True)


if __name__ == "__main__":
    main()
