"""How many CPUs this process may use: the default of ``--jobs``.

``os.cpu_count()`` counts the machine's. Under ``taskset`` or a scheduler's CPU set the
process may run on fewer, and in a container with a CPU quota (Docker ``--cpus``, a
Kubernetes limit) it gets fewer CPUs' worth of time: one worker per host CPU then only
multiplies memory (~190 MB each) and contention.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

# cgroup v2, then v1: "QUOTA PERIOD" (or "max PERIOD" without a limit) / the two files.
CPU_MAX = Path("/sys/fs/cgroup/cpu.max")
CFS_QUOTA = Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us")
CFS_PERIOD = Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us")


def usable_cpus() -> int:
    """The CPUs this process may run on, capped by its container's CPU quota (at least 1)."""
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        count = os.cpu_count() or 1
    quota = cpu_quota()
    if quota is not None:
        count = min(count, quota)
    return max(1, count)


def cpu_quota() -> int | None:
    """CPUs' worth of time the container's quota allows (rounded up), or None."""
    try:
        quota, period = CPU_MAX.read_text().split()[:2]
        if quota != "max":
            return math.ceil(int(quota) / int(period))
        return None
    except (OSError, ValueError):
        pass
    try:
        quota_us = int(CFS_QUOTA.read_text())
        period_us = int(CFS_PERIOD.read_text())
    except (OSError, ValueError):
        return None
    return math.ceil(quota_us / period_us) if quota_us > 0 and period_us > 0 else None
