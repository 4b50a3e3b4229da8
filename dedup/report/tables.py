"""The report's corpus-wide tables: validation findings, near-duplicate clusters and
boilerplate groups, each bounded (the page says how many were left out) while the
totals count every record."""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

from dedup.report import load
from dedup.report.coerce import as_int, as_sim, as_str
from dedup.report.data import BoilerplateRow, ClusterRow, FindingRow
from dedup.report.documents import MAX_LINE_CHARS

MAX_FINDINGS: Final = 1_000
MAX_CLUSTERS: Final = 500
MAX_CLUSTER_MEMBERS: Final = 50  # members listed per cluster
MAX_CLUSTER_ROWS: Final = 5_000  # member rows across the clusters table
MAX_BOILERPLATE: Final = 500


def findings_table(validation: dict[str, Any] | None) -> tuple[list[FindingRow], int]:
    raw = (validation or {}).get("findings") or []
    rows = []
    for item in raw[:MAX_FINDINGS]:
        if not isinstance(item, dict):
            rows.append(FindingRow("", "", "", "", as_str(item)))
            continue
        check = as_str(item.get("check"))
        if item.get("column"):
            check = f"{check} ({as_str(item.get('column'))})"
        where = as_str(item.get("schema"))
        if item.get("line") is not None:
            where = f"{where}:{as_str(item.get('line'))}"
        failure = item.get("failure_case")
        rows.append(
            FindingRow(
                check=check,
                document=as_str(item.get("doc_id")),
                where=where,
                failure=as_str(failure)[:MAX_LINE_CHARS],
                message=as_str(item.get("message")),
            )
        )
    return rows, len(raw)


def clusters_table(out_dir: Path) -> tuple[list[ClusterRow], int, int]:
    """The first clusters of clusters.jsonl with their first members; the clusters and
    their members are counted in full. The table stops at :data:`MAX_CLUSTERS` clusters or
    :data:`MAX_CLUSTER_ROWS` member rows (the first cluster is always shown)."""
    rows: list[ClusterRow] = []
    total = members_total = shown = 0
    full = False
    for rec in load.iter_jsonl(out_dir / load.CLUSTERS):
        total += 1
        raw = rec.get("members")
        raw = [m for m in raw if isinstance(m, dict)] if isinstance(raw, list) else []
        members_total += len(raw)
        members = [
            (as_str(m.get("doc_id")), as_sim(m.get("similarity")))
            for m in raw[:MAX_CLUSTER_MEMBERS]
        ]
        full = (
            full
            or len(rows) >= MAX_CLUSTERS
            or bool(rows and shown + len(members) > MAX_CLUSTER_ROWS)
        )
        if full:
            continue  # in file order: stop rather than skip ahead
        shown += len(members)
        rows.append(ClusterRow(as_str(rec.get("canonical")), members, len(raw)))
    return rows, total, members_total


def boilerplate_table(out_dir: Path) -> tuple[list[BoilerplateRow], int]:
    total = 0

    def groups() -> Iterable[BoilerplateRow]:
        nonlocal total
        for rec in load.iter_jsonl(out_dir / load.BOILERPLATE):
            total += 1
            yield BoilerplateRow(
                as_str(rec.get("text"))[:MAX_LINE_CHARS],
                as_str(rec.get("representative")),
                as_int(rec.get("documents")),
                as_int(rec.get("paragraphs")),
            )

    # The most widespread first (file order breaks ties), holding only those in memory.
    rows = heapq.nsmallest(MAX_BOILERPLATE, groups(), key=lambda r: (-r.documents, -r.paragraphs))
    return rows, total
