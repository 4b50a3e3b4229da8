"""Turn an output folder into the report's view model (``ReportData``).

Two streaming passes: the first reads every record once to count (per reason, per rule,
per document) and picks the detail sample; the second reads again and keeps only the
sampled documents' records to rebuild their raw lines. Memory is bounded by the sample,
not by the corpus.
"""

from __future__ import annotations

import heapq
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from dedup.model import RULE_REASONS
from dedup.report import documents, load
from dedup.report.charts import bar_chart
from dedup.report.coerce import as_int, as_str
from dedup.report.data import (
    DocDetail,
    DocRow,
    Example,
    ReasonRow,
    ReportData,
    RulePack,
    RuleRow,
    Verdict,
    css_for,
)
from dedup.report.documents import (
    MAX_DOC_LINES,
    MAX_LINE_CHARS,
    badness,
    document_details,
    pick_sample,
)
from dedup.report.tables import (
    MAX_BOILERPLATE,
    MAX_CLUSTER_MEMBERS,
    MAX_CLUSTER_ROWS,
    MAX_CLUSTERS,
    MAX_FINDINGS,
    boilerplate_table,
    clusters_table,
    findings_table,
)

# Bounds that keep the page small on large runs (documented in docs/report.md). Every list
# that grows with the corpus has one, and the page says how many were left out; the counts
# (per reason, per rule, per status, per cluster) always cover the whole run.
EXAMPLES_PER_RULE: Final = 3
# Documents in the searchable id list: ~200 bytes each, so 10,000 are ~2 MB (100,000 made
# a 21 MB page that took Chromium 28 s to open).
MAX_ROWS: Final = 10_000
MAX_RULE_BARS: Final = 25
MAX_INPUTS: Final = 20  # inputs named in the verdict (a shell glob can pass thousands)
MAX_NOTES: Final = 100  # validation notes


@dataclass(slots=True)
class _Counts:
    """What the first pass learns from removed.jsonl and edits.jsonl."""

    by_reason: Counter[str] = field(default_factory=Counter)
    chars_by_reason: Counter[str] = field(default_factory=Counter)
    removed_by_detail: Counter[str] = field(default_factory=Counter)
    edited_by_rule: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[Example]] = field(default_factory=lambda: defaultdict(list))
    per_doc: dict[str, list[int]] = field(default_factory=dict)  # removed, chars, edited
    removed_total: int = 0
    removed_chars: int = 0


def _doc_stats(counts: _Counts, doc_id: str) -> list[int]:
    stats = counts.per_doc.get(doc_id)
    if stats is None:
        stats = counts.per_doc[doc_id] = [0, 0, 0]
    return stats


def _first_pass(out_dir: Path) -> _Counts:
    counts = _Counts()
    for rec in load.iter_jsonl(out_dir / load.REMOVED):
        reason, detail, text = (
            as_str(rec.get("reason")),
            as_str(rec.get("detail")),
            as_str(rec.get("text")),
        )
        doc_id = as_str(rec.get("doc_id"))
        counts.by_reason[reason] += 1
        counts.chars_by_reason[reason] += len(text)
        counts.removed_total += 1
        counts.removed_chars += len(text)
        stats = _doc_stats(counts, doc_id)
        stats[0] += 1
        stats[1] += len(text)
        if reason in RULE_REASONS:  # detail is a rule id (the others name a twin)
            counts.removed_by_detail[detail] += 1
            if len(counts.examples[detail]) < EXAMPLES_PER_RULE:
                line = as_str(rec.get("line"))
                counts.examples[detail].append(Example(doc_id, line, text[:MAX_LINE_CHARS]))
    for rec in load.iter_jsonl(out_dir / load.EDITS):
        doc_id = as_str(rec.get("doc_id"))
        _doc_stats(counts, doc_id)[2] += 1
        for rule in as_str(rec.get("rule")).split(","):
            rule = rule.strip()
            if not rule:
                continue
            counts.edited_by_rule[rule] += 1
            if len(counts.examples[rule]) < EXAMPLES_PER_RULE:
                counts.examples[rule].append(
                    Example(
                        doc_id,
                        as_str(rec.get("line")),
                        as_str(rec.get("before"))[:MAX_LINE_CHARS],
                        as_str(rec.get("after"))[:MAX_LINE_CHARS],
                    )
                )
    return counts


def _rows(out_dir: Path, counts: _Counts) -> list[DocRow]:
    rows: list[DocRow] = []
    for index, rec in enumerate(load.iter_jsonl(out_dir / load.DOCUMENTS, required=True)):
        doc_id = as_str(rec.get("doc_id"))
        lines = rec.get("lines")
        stats = counts.per_doc.get(doc_id, [0, 0, 0])
        rows.append(
            DocRow(
                index=index,
                doc_id=doc_id,
                status=as_str(rec.get("status")) or "kept",
                kept=len(lines) if isinstance(lines, list) else 0,
                removed=stats[0],
                removed_chars=stats[1],
                edited=stats[2],
            )
        )
    return rows


def _rules(manifest: dict[str, Any], counts: _Counts) -> tuple[list[RulePack], list[RuleRow]]:
    packs: list[RulePack] = []
    rules: list[RuleRow] = []
    seen: set[str] = set()
    for pack in manifest.get("rules") or []:
        if not isinstance(pack, dict):
            continue
        pack_rules = [r for r in pack.get("rules") or [] if isinstance(r, dict)]
        packs.append(
            RulePack(
                as_str(pack.get("path")),
                as_str(pack.get("pack")),
                as_str(pack.get("sha256")),
                len(pack_rules),
            )
        )
        for rule in pack_rules:
            rule_id = as_str(rule.get("id"))
            seen.add(rule_id)
            rules.append(
                RuleRow(
                    rule_id,
                    as_str(pack.get("pack")),
                    as_str(rule.get("kind")),
                    as_str(rule.get("why")),
                    counts.removed_by_detail.get(rule_id, 0),
                    counts.edited_by_rule.get(rule_id, 0),
                    counts.examples.get(rule_id, []),
                )
            )
    # Rule-like details not declared in the manifest (e.g. "strip-whitespace") still count.
    for rule_id in sorted(set(counts.removed_by_detail) | set(counts.edited_by_rule)):
        if rule_id not in seen:
            rules.append(
                RuleRow(
                    rule_id,
                    rule_id.split("/")[0] if "/" in rule_id else "built-in",
                    "edit" if counts.edited_by_rule.get(rule_id) else "drop",
                    "",
                    counts.removed_by_detail.get(rule_id, 0),
                    counts.edited_by_rule.get(rule_id, 0),
                    counts.examples.get(rule_id, []),
                    in_manifest=False,
                )
            )
    return packs, rules


def _listed(rows: list[DocRow]) -> list[DocRow]:
    """The documents of the searchable id list, in input order: all of them up to
    :data:`MAX_ROWS`; beyond, the detailed ones, then the worst (as the detail sample)."""
    if len(rows) <= MAX_ROWS:
        return rows
    picked = heapq.nlargest(MAX_ROWS, rows, key=lambda r: (r.in_sample, *badness(r)))
    return sorted(picked, key=lambda r: r.index)


def _mismatches(counts: dict[str, Any], rows: list[DocRow], c: _Counts) -> list[str]:
    """Cross-check the manifest's counts against the files: a reviewer should know."""
    out = []
    docs = counts.get("documents") or {}
    status = Counter(r.status for r in rows)
    pairs = [("documents in", docs.get("in"), len(rows))]
    pairs += [
        (f"documents {s}", docs.get(s), status.get(s, 0)) for s in ("kept", "duplicate", "rejected")
    ]
    pairs.append(
        ("paragraphs removed", (counts.get("paragraphs") or {}).get("removed"), c.removed_total)
    )
    for reason, n in sorted((counts.get("removed_by_reason") or {}).items()):
        pairs.append((f"removed ({reason})", n, c.by_reason.get(reason, 0)))
    for name, declared, found in pairs:
        if isinstance(declared, int) and declared != found:
            out.append(f"manifest says {name} = {declared}, the files hold {found}")
    return out


def _verdict(
    manifest: dict[str, Any],
    validation: dict[str, Any] | None,
    packs: list[RulePack],
    rows: list[DocRow],
    c: _Counts,
) -> Verdict:
    counts = manifest.get("counts") or {}
    docs = counts.get("documents") or {}
    paras = counts.get("paragraphs") or {}
    chars = counts.get("characters") or {}
    mval = manifest.get("validation") or {}
    status = as_str((validation or {}).get("status") or mval.get("status")) or "unknown"
    findings = (
        len((validation or {}).get("findings") or [])
        if validation
        else as_int(mval.get("findings"))
    )
    total = (manifest.get("timings") or {}).get("total")
    command = manifest.get("command")
    command = " ".join(map(str, command)) if isinstance(command, list) else as_str(command)
    inputs = [as_str(i.get("path")) for i in manifest.get("inputs") or [] if isinstance(i, dict)]
    return Verdict(
        status=status,
        docs_in=as_int(docs.get("in")),
        docs_kept=as_int(docs.get("kept")),
        docs_duplicate=as_int(docs.get("duplicate")),
        docs_rejected=as_int(docs.get("rejected")),
        paragraphs_in=as_int(paras.get("in")),
        paragraphs_kept=as_int(paras.get("kept")),
        paragraphs_removed=as_int(paras.get("removed")),
        chars_in=as_int(chars.get("in")),
        chars_removed=as_int(chars.get("removed")),
        findings=findings,
        runtime_s=float(total) if isinstance(total, int | float) else None,
        version=as_str(manifest.get("version")),
        created=as_str(manifest.get("created")),
        command=command[:MAX_LINE_CHARS],
        command_cut=max(0, len(command) - MAX_LINE_CHARS),
        packs=packs,
        parameters_json=json.dumps(manifest.get("parameters") or {}, indent=2, sort_keys=True),
        inputs=inputs[:MAX_INPUTS],
        inputs_total=len(inputs),
        mismatches=_mismatches(counts, rows, c),
    )


def _categories(details: Iterable[DocDetail]) -> list[tuple[str, str, int]]:
    found: Counter[str] = Counter(line.category for d in details for line in d.lines)
    order = ["kept", "edited", *sorted(k for k in found if k not in ("kept", "edited"))]
    return [(cat, css_for(cat), found.get(cat, 0)) for cat in order]


def build_report_data(out_dir: Path, *, sample_limit: int = 200) -> ReportData:
    manifest = load.read_manifest(out_dir)
    validation = load.read_optional_json(out_dir / load.VALIDATION)
    counts = _first_pass(out_dir)
    rows = _rows(out_dir, counts)
    sample, order = pick_sample(rows, max(0, sample_limit))
    details = document_details(out_dir, sample)
    packs, rules = _rules(manifest, counts)
    findings, findings_total = findings_table(validation)
    clusters, clusters_total, cluster_members_total = clusters_table(out_dir)
    boilerplate, boilerplate_total = boilerplate_table(out_dir)

    by_reason = (manifest.get("counts") or {}).get("removed_by_reason") or dict(counts.by_reason)
    reasons = [
        ReasonRow(r, as_int(n), counts.chars_by_reason.get(r, 0), css_for(r))
        for r, n in sorted(by_reason.items(), key=lambda kv: (-as_int(kv[1]), kv[0]))
    ]
    fired = sorted((r for r in rules if r.hits), key=lambda r: (-r.hits, r.rule_id))
    rule_items = [(r.rule_id, r.hits, "cat-rulebar") for r in fired[:MAX_RULE_BARS]]
    if len(fired) > MAX_RULE_BARS:
        rest = fired[MAX_RULE_BARS:]
        rule_items.append((f"{len(rest)} more rules", sum(r.hits for r in rest), "cat-other"))
    notes = [as_str(n) for n in (validation or {}).get("notes") or []]
    return ReportData(
        verdict=_verdict(manifest, validation, packs, rows, counts),
        findings=findings,
        findings_total=findings_total,
        validation_notes=notes[:MAX_NOTES],
        validation_notes_total=len(notes),
        reasons=reasons,
        reason_chart=bar_chart(
            "Removed paragraphs by reason", [(r.reason, r.count, r.css) for r in reasons]
        ),
        rule_chart=bar_chart("Hits by rule", rule_items),
        rules=sorted(rules, key=lambda r: (-r.hits, r.rule_id)),
        dead_rules=[r for r in rules if not r.hits],
        clusters=clusters,
        clusters_total=clusters_total,
        cluster_members_total=cluster_members_total,
        boilerplate=boilerplate,
        boilerplate_total=boilerplate_total,
        details=details,
        rows=_listed(rows),
        rows_total=len(rows),
        sample_limit=sample_limit,
        sample_order=order,
        sample_cut=len(sample) - len(details),
        categories=_categories(details),
        limits={
            "examples_per_rule": EXAMPLES_PER_RULE,
            "max_line_chars": MAX_LINE_CHARS,
            "max_doc_lines": MAX_DOC_LINES,
            "max_detail_lines": documents.MAX_DETAIL_LINES,
            "max_findings": MAX_FINDINGS,
            "max_clusters": MAX_CLUSTERS,
            "max_cluster_members": MAX_CLUSTER_MEMBERS,
            "max_cluster_rows": MAX_CLUSTER_ROWS,
            "max_boilerplate": MAX_BOILERPLATE,
            "max_rows": MAX_ROWS,
            "max_inputs": MAX_INPUTS,
            "max_notes": MAX_NOTES,
        },
    )
