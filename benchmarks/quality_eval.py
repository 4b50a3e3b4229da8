"""Line-level quality of `dedup clean` against ground truth.

Not a test: prints tables (tests/quality/ holds the CI floors). Two sources:

* the article-extraction benchmark (``html-text.json``: raw page text with its chrome;
  ``ground-truth.json``: the true article body, MIT, Scrapinghub): 181 pages of many sites.
  Each raw non-blank line is labelled ``body`` (it is, or fuzzily is, a line of the true
  body), ``chrome`` (it is not), or ``either`` (a short fragment or an echo of body text,
  e.g. a teaser that repeats a sentence of the first paragraph: unscored).
* the seeds with their gold labels (``tests/data/seeds.labels.tsv``: keep/drop/either).

Metrics, over scored lines: keep recall (body lines kept; removing article text is the
worst error), chrome recall (chrome lines removed), removal precision (removed lines that
were chrome), and per remover (rule id, or the near-duplicate reason) how many body and
chrome lines it removed. Body lines with the same text in one page count once (kept if any
copy is kept), so the engine removing a repeated paragraph is not an error.

Usage::

    .venv/bin/python benchmarks/quality_eval.py                 # bundled rules
    .venv/bin/python benchmarks/quality_eval.py --baseline HEAD~3  # compare with rules/ at a rev
    .venv/bin/python benchmarks/quality_eval.py --rules-only --show-fp 20
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from dedup.api import clean
from dedup.config import build_config
from dedup.text.normalize import normalize
from dedup.text.segment import is_blank, split_lines

ROOT = Path(__file__).resolve().parents[1]
AEB = Path("/work/shared/data/article-extraction-benchmark")
SEEDS = ROOT / "seeds"
SEED_LABELS = ROOT / "tests" / "data" / "seeds.labels.tsv"
# Hand-labelled pages of sites the benchmark lacks (docs/quality.md): keep / drop / either.
UNSEEN = ROOT / "tests" / "data" / "unseen"

BBC = Path("/work/shared/data/bbc")
BODY, CHROME, EITHER = "body", "chrome", "either"
# A fragment of a body paragraph this long (or covering this share of it) is body text
# split differently; shorter fragments ("Reuters", a name) are ambiguous.
MIN_FRAGMENT_CHARS = 40
MIN_FRAGMENT_SHARE = 0.5
FUZZY_RATIO = 90  # whole-line similarity for quote/spacing variants
FUZZY_PARTIAL = 95  # long lines: nearly all of it inside one body paragraph


# --- labelling ---------------------------------------------------------------------------


def body_lines(truth: str) -> list[str]:
    return [n for n in (normalize(x) for x in split_lines(truth)) if n]


def label_lines(raw_text: str, truth: str) -> dict[int, tuple[str, str]]:
    """``{line number: (label, norm)}`` for every non-blank raw line of a page."""
    gold = body_lines(truth)
    gold_set = set(gold)
    gold_text = "\n".join(gold)
    gold_lower = gold_text.lower()
    raw = {i: normalize(x) for i, x in enumerate(split_lines(raw_text), start=1) if not is_blank(x)}
    longer = [n for n in raw.values() if n in gold_set]
    out: dict[int, tuple[str, str]] = {}
    for number, norm in raw.items():
        out[number] = (_label(norm, gold, gold_set, gold_text, gold_lower, longer), norm)
    return out


def _label(
    norm: str,
    gold: list[str],
    gold_set: set[str],
    gold_text: str,
    gold_lower: str,
    whole_body_lines: list[str],
) -> str:
    if not any(ch.isalnum() for ch in norm):
        return EITHER  # separators and symbols carry no article text
    if norm in gold_set:
        return BODY
    if norm.lower() in gold_lower:
        # A fragment of the body: body text split differently, or an echo (teaser,
        # caption quoting a sentence) of a paragraph the page also has whole.
        if any(norm in w and norm != w for w in whole_body_lines):
            return EITHER
        host = next((g for g in gold if norm.lower() in g.lower()), "")
        if len(norm) >= MIN_FRAGMENT_CHARS or len(norm) >= MIN_FRAGMENT_SHARE * max(1, len(host)):
            return BODY if len(norm.split()) > 2 else EITHER
        return EITHER
    # The raw line merges several body lines (different paragraph breaks).
    inside = sum(len(g) for g in gold if len(g) >= 20 and g in norm)
    if inside >= 0.6 * len(norm):
        return BODY
    if len(norm) >= 12:
        best = process.extractOne(norm, gold, scorer=fuzz.ratio, score_cutoff=FUZZY_RATIO)
        if best is not None:
            return BODY
    if len(norm) >= 60:
        for g in gold:
            if len(g) >= 0.8 * len(norm) and fuzz.partial_ratio(norm, g) >= FUZZY_PARTIAL:
                return BODY if len(norm) >= MIN_FRAGMENT_SHARE * len(g) else EITHER
    return CHROME


# --- scoring -----------------------------------------------------------------------------


@dataclass
class Score:
    body: int = 0
    body_kept: int = 0
    chrome: int = 0
    chrome_removed: int = 0
    removed: int = 0  # scored lines removed (body + chrome)
    by_remover: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    false_positives: list[tuple[str, int, str, str]] = field(default_factory=list)
    # The benchmark's truth leaves the headline out, so a rule that removes it costs no
    # keep recall above: pages printing their title again, and those left with no copy.
    headline_pages: int = 0
    headlines_lost: list[str] = field(default_factory=list)

    @property
    def keep_recall(self) -> float:
        return self.body_kept / self.body if self.body else 1.0

    @property
    def chrome_recall(self) -> float:
        return self.chrome_removed / self.chrome if self.chrome else 1.0

    @property
    def precision(self) -> float:
        return self.chrome_removed / self.removed if self.removed else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "body_lines": self.body,
            "body_kept": self.body_kept,
            "chrome_lines": self.chrome,
            "chrome_removed": self.chrome_removed,
            "keep_recall": round(self.keep_recall, 4),
            "chrome_recall": round(self.chrome_recall, 4),
            "removal_precision": round(self.precision, 4),
            "by_remover": {k: dict(v) for k, v in sorted(self.by_remover.items())},
            "headline_pages": self.headline_pages,
            "headlines_lost": len(self.headlines_lost),
        }


def remover(row: dict[str, Any]) -> str:
    return str(row["detail"]) if row["reason"] == "rule" else str(row["reason"])


def score_pages(
    labels: dict[str, dict[int, tuple[str, str]]], removed: Iterable[dict[str, Any]]
) -> Score:
    """Score per-page labels against ``removed.jsonl`` rows."""
    gone: dict[tuple[str, int], str] = {(r["doc_id"], r["line"]): remover(r) for r in removed}
    s = Score()
    for doc_id, lines in labels.items():
        groups: dict[str, list[int]] = defaultdict(list)  # body text -> its line numbers
        for number, (label, norm) in lines.items():
            who = gone.get((doc_id, number))
            if label == CHROME:
                s.chrome += 1
                if who is not None:
                    s.chrome_removed += 1
                    s.removed += 1
                    s.by_remover[who]["chrome"] += 1
            elif label == BODY:
                groups[norm].append(number)
        for norm, numbers in groups.items():
            s.body += 1
            removers = [gone.get((doc_id, n)) for n in numbers]
            if any(w is None for w in removers):
                s.body_kept += 1
                continue
            s.removed += 1
            who = str(removers[0])
            s.by_remover[who]["body"] += 1
            s.false_positives.append((doc_id, numbers[0], who, norm))
    return s


# "Section | Headline - Site": the HTML title's parts, one of them the headline.
TITLE_PARTS = re.compile(r"\s+[-|–—]\s+")


def headline_losses(pages: list[dict[str, str]], removed: Iterable[dict[str, Any]]) -> Score:
    """Pages whose first line (the HTML title), or a part of it of three words or more,
    stands again as a line of its own: the headline. Lost when no copy of it, the first
    line included, is kept (only ``headline_pages`` and ``headlines_lost`` are set)."""
    gone = {(r["doc_id"], r["line"]) for r in removed}
    s = Score()
    for p in pages:
        lines = [normalize(x).casefold() for x in split_lines(p["text"])]
        if not lines:
            continue
        titles = {lines[0]} | {t for t in TITLE_PARTS.split(lines[0]) if len(t.split()) >= 3}
        copies = [n for n, line in enumerate(lines[1:], start=2) if line and line in titles]
        if not copies:
            continue
        s.headline_pages += 1
        if all((p["id"], n) in gone for n in [1, *copies]):
            s.headlines_lost.append(p["id"])
    return s


# --- runs --------------------------------------------------------------------------------


def load_aeb(root: Path) -> list[dict[str, str]]:
    """``[{id, url, text, truth}]`` from the benchmark's two JSON files."""
    pages = json.loads((root / "html-text.json").read_text(encoding="utf-8"))["output"]
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        {
            "id": key,
            "url": truth[key].get("url") or "",
            "text": pages[key]["articleBody"],
            "truth": truth[key]["articleBody"],
        }
        for key in sorted(truth)
        if key in pages
    ]


def run_clean(
    inputs: Sequence[Path], rules: Sequence[Path] | None, rules_only: bool, jobs: int, out: Path
) -> list[dict[str, Any]]:
    # The BBC files hold a few cp1252 bytes (a pound sign): decode them as U+FFFD.
    overrides: dict[str, Any] = {"jobs": jobs, "input": {"encoding_errors": "replace"}}
    if rules is not None:
        overrides["rules"] = [str(r) for r in rules]
    if rules_only:
        overrides["neardup"] = {"enabled": False}
    clean(list(inputs), out, build_config(overrides), validate=False)
    with (out / "removed.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def eval_pages(
    pages: list[dict[str, str]],
    rules: Sequence[Path] | None,
    *,
    rules_only: bool = False,
    jobs: int = 1,
) -> Score:
    """Clean ``pages`` (JSONL corpus id/url/text) and score them against their truth."""
    with tempfile.TemporaryDirectory(prefix="dedup-quality-") as tmp:
        corpus = Path(tmp) / "pages.jsonl"
        with corpus.open("w", encoding="utf-8") as fh:
            for p in pages:
                rec = {"id": p["id"], "url": p["url"], "text": p["text"]}
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        removed = run_clean([corpus], rules, rules_only, jobs, Path(tmp) / "out")
    labels = {p["id"]: label_lines(p["text"], p["truth"]) for p in pages}
    score = score_pages(labels, removed)
    heads = headline_losses(pages, removed)
    score.headline_pages, score.headlines_lost = heads.headline_pages, heads.headlines_lost
    return score


def seed_labels(path: Path) -> dict[str, dict[int, tuple[str, str]]]:
    """Gold keep/drop/either -> body/chrome/either; each keep line is its own group."""
    out: dict[str, dict[int, tuple[str, str]]] = defaultdict(dict)
    rows = path.read_text(encoding="utf-8").splitlines()[1:]
    mapping = {"keep": BODY, "drop": CHROME}
    for row in rows:
        file, line, label, *_ = row.split("\t")
        out[file][int(line)] = (mapping.get(label, EITHER), f"{file}:{line}")
    return dict(out)


def eval_seeds(
    seeds: Path, labels: Path, rules: Sequence[Path] | None, *, rules_only: bool = False
) -> Score:
    with tempfile.TemporaryDirectory(prefix="dedup-quality-") as tmp:
        removed = run_clean([seeds], rules, rules_only, 1, Path(tmp) / "out")
    return score_pages(seed_labels(labels), removed)


def eval_bbc(root: Path, rules: Sequence[Path] | None, jobs: int) -> tuple[int, Counter[str]]:
    """Rules only on clean article text (every line is body): lines in, removals by rule."""
    with tempfile.TemporaryDirectory(prefix="dedup-quality-") as tmp:
        removed = run_clean([root], rules, True, jobs, Path(tmp) / "out")
    lines = sum(
        1
        for f in root.rglob("*.txt")
        if f.name != "README.TXT"
        for x in f.read_text(encoding="utf-8", errors="replace").splitlines()
        if x.strip()
    )
    return lines, Counter(remover(r) for r in removed)


def rules_at(rev: str, dest: Path) -> Path:
    """The ``rules/`` folder as of git ``rev``, written under ``dest``."""
    names = subprocess.run(
        ["git", "-C", str(ROOT), "ls-tree", "--name-only", rev, "rules/"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    folder = dest / "rules"
    folder.mkdir(parents=True)
    for name in names:
        blob = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{rev}:{name}"], check=True, capture_output=True
        ).stdout
        (folder / Path(name).name).write_bytes(blob)
    return folder


# --- printing ----------------------------------------------------------------------------


def print_table(title: str, scores: dict[str, Score]) -> None:
    print(f"\n## {title}\n")
    head = "run | body lines | kept | keep recall | chrome lines | removed | chrome recall"
    print(f"| {head} | precision |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, s in scores.items():
        print(
            f"| {name} | {s.body} | {s.body_kept} | {s.keep_recall:.4f} | {s.chrome} | "
            f"{s.chrome_removed} | {s.chrome_recall:.4f} | {s.precision:.4f} |"
        )
    for name, s in scores.items():
        print(f"\n{title}, {name}: lines removed by remover\n")
        print("| remover | chrome | body (false positive) |")
        print("| --- | ---: | ---: |")
        rows = sorted(s.by_remover.items(), key=lambda kv: (-kv[1]["body"], -kv[1]["chrome"]))
        for who, c in rows:
            print(f"| {who} | {c['chrome']} | {c['body']} |")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--aeb", type=Path, default=AEB, help="article-extraction-benchmark folder")
    ap.add_argument("--rules", type=Path, action="append", help="rule packs (default: bundled)")
    ap.add_argument("--baseline", metavar="REV", help="also run with rules/ as of this git rev")
    ap.add_argument("--rules-only", action="store_true", help="disable the near-dup engine")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--show-fp", type=int, default=0, metavar="N", help="print N body removals")
    ap.add_argument("--json", type=Path, help="write the scores here")
    ap.add_argument(
        "--bbc",
        type=Path,
        nargs="?",
        const=BBC,
        help="also count rule removals "
        "on the BBC articles (clean text: every removal is a false positive)",
    )
    args = ap.parse_args(argv)

    runs: dict[str, Sequence[Path] | None] = {}
    with tempfile.TemporaryDirectory(prefix="dedup-baseline-") as tmp:
        if args.baseline:
            runs[f"rules@{args.baseline}"] = [rules_at(args.baseline, Path(tmp))]
        runs["current" if args.rules is None else "given"] = args.rules
        pages = load_aeb(args.aeb)
        aeb = {
            n: eval_pages(pages, r, rules_only=args.rules_only, jobs=args.jobs)
            for n, r in runs.items()
        }
        seeds = {
            n: eval_seeds(SEEDS, SEED_LABELS, r, rules_only=args.rules_only)
            for n, r in runs.items()
        }
        unseen = {
            n: eval_seeds(UNSEEN / "pages", UNSEEN / "labels.tsv", r, rules_only=args.rules_only)
            for n, r in runs.items()
        }
        bbc = {n: eval_bbc(args.bbc, r, args.jobs) for n, r in runs.items()} if args.bbc else {}
    mode = "rules only" if args.rules_only else "rules + near-dup"
    print_table(f"Article-extraction benchmark, {len(pages)} pages ({mode})", aeb)
    for name, score in aeb.items():
        lost = ", ".join(d[:12] for d in score.headlines_lost)
        print(
            f"\nHeadlines (the truth leaves them out), {name}: {score.headline_pages} pages "
            f"print their title again; {len(score.headlines_lost)} kept no copy {lost}".rstrip()
        )
    print_table(f"Seeds, gold labels ({mode})", seeds)
    print_table(f"Pages of sites the benchmark lacks, hand-labelled ({mode})", unseen)
    for name, (lines, by_rule) in bbc.items():
        total = sum(by_rule.values())
        print(
            f"\nBBC articles, {name} (rules only): {total} of {lines} lines removed {dict(by_rule)}"
        )
    if args.show_fp:
        last = list(aeb.values())[-1]
        print(f"\nBody lines removed ({len(last.false_positives)}), first {args.show_fp}:")
        for doc_id, line, who, norm in last.false_positives[: args.show_fp]:
            print(f"  {doc_id[:12]}:{line} [{who}] {norm[:150]}")
    if args.json:
        data = {
            "aeb": {n: s.as_dict() for n, s in aeb.items()},
            "seeds": {n: s.as_dict() for n, s in seeds.items()},
            "unseen": {n: s.as_dict() for n, s in unseen.items()},
        }
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
