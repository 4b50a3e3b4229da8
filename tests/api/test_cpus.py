"""The default --jobs: the CPUs this process may use, not the machine's (dedup.cpus)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dedup import cpus
from dedup.config import DedupConfig


@pytest.fixture
def no_cgroup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("CPU_MAX", "CFS_QUOTA", "CFS_PERIOD"):
        monkeypatch.setattr(cpus, name, tmp_path / name)
    return tmp_path


def test_a_container_quota_caps_the_default(
    no_cgroup: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    assert cpus.usable_cpus() == 64  # no quota: every CPU it may run on
    (no_cgroup / "CPU_MAX").write_text("150000 100000\n")  # docker --cpus 1.5
    assert cpus.usable_cpus() == 2
    assert DedupConfig().jobs == 2
    (no_cgroup / "CPU_MAX").write_text("max 100000\n")
    assert cpus.usable_cpus() == 64
    (no_cgroup / "CPU_MAX").unlink()  # cgroup v1
    (no_cgroup / "CFS_QUOTA").write_text("300000\n")
    (no_cgroup / "CFS_PERIOD").write_text("100000\n")
    assert cpus.usable_cpus() == 3
    (no_cgroup / "CFS_QUOTA").write_text("-1\n")  # v1's "no limit"
    assert cpus.usable_cpus() == 64


def test_cpu_affinity_counts(no_cgroup: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert cpus.usable_cpus() == 1  # taskset -c 0 on a many-core machine
