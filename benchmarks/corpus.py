"""Scaled benchmark corpus: scraped-looking news text built from the shared data.

Sources: the BBC articles, the article-extraction-benchmark texts (article bodies and the
raw page texts, full of navigation chrome) and the seeds. Each emitted document is one of:

* new (most): a source article remixed so it is a different document (paragraphs
  shuffled, about a third of the words replaced from the corpus vocabulary), so the scaled
  corpus is not just the same 2,225 articles over and over;
* exact copy (3%) of an earlier document;
* near copy (6%) of an earlier document with a known perturbation rate (words deleted or
  substituted, two paragraphs swapped) -- the pairs are written to ``pairs.jsonl``.

Half of the documents get site chrome (a login line, "Share:", a "Related news" block of
headlines from a shared pool) so the rules and boilerplate stages have work to do.
Output: ``corpus.jsonl`` (``id``, ``text``) and ``pairs.jsonl`` (``a``, ``b``, ``rate``).

Usage: ``python benchmarks/corpus.py --size 10 --out build/bench/10mb``
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
RATES = (0.01, 0.03, 0.06, 0.15, 0.3)
_WORD = re.compile(r"\w+")


def load_sources(shared: Path = SHARED) -> list[str]:
    texts: list[str] = []
    for path in sorted((shared / "data" / "bbc").glob("*/*.txt")):
        texts.append(path.read_bytes().decode("latin-1"))
    aeb = shared / "data" / "article-extraction-benchmark"
    if (aeb / "ground-truth.json").is_file():
        truth = json.loads((aeb / "ground-truth.json").read_text(encoding="utf-8"))
        texts.extend(v["articleBody"] for v in truth.values())
    if (aeb / "html-text.json").is_file():
        pages = json.loads((aeb / "html-text.json").read_text(encoding="utf-8"))
        output = pages.get("output", {})
        texts.extend(v["articleBody"] for v in output.values() if isinstance(v, dict))
    for path in sorted((shared / "seeds").glob("*.txt")):
        texts.append(path.read_text(encoding="utf-8"))
    return [t for t in texts if t.strip()]


def perturb(text: str, rate: float, rng: random.Random) -> str:
    """Delete or substitute about ``rate`` of the words; swap two body paragraphs."""
    paras = [p for p in text.split("\n") if p.strip()]
    out = []
    for p in paras:
        words = []
        for w in p.split(" "):
            r = rng.random()
            if r < rate / 2:
                continue
            words.append(w + "x" if r < rate else w)
        out.append(" ".join(words) if words else p)
    if len(out) > 3:
        i, j = rng.sample(range(1, len(out)), 2)
        out[i], out[j] = out[j], out[i]
    return "\n\n".join(out)


def remix(text: str, vocab: list[str], rng: random.Random) -> str:
    """A different document from the same material: shuffled paragraphs, 1/3 new words."""
    paras = [p for p in text.split("\n") if p.strip()]
    body = paras[1:]
    rng.shuffle(body)
    out = []
    for p in [*paras[:1], *body]:
        words = p.split(" ")
        for i in range(len(words)):
            if rng.random() < 0.33:
                words[i] = rng.choice(vocab)
        out.append(" ".join(words))
    return "\n\n".join(out)


def chrome(rng: random.Random, headlines: list[str]) -> tuple[str, str]:
    head = "Log in\nHanoi\n\n"
    related = rng.sample(headlines, 4)
    tail = "\nReactions:\nShare:\nTrending\nMost Viewed\nRelated news\n" + "\n\n".join(
        f"{h}\n\n{h}" for h in related
    )
    return head, tail


def build(size_mb: float, out: Path, seed: int = 7) -> dict[str, int]:
    rng = random.Random(seed)
    sources = load_sources()
    vocab = sorted({w for t in sources[:500] for w in _WORD.findall(t) if len(w) > 3})
    headlines = [t.strip().split("\n")[0][:90] for t in sources[:400]]
    out.mkdir(parents=True, exist_ok=True)
    target = int(size_mb * 1_000_000)
    emitted: list[str] = []
    written = 0
    counts = {"documents": 0, "exact": 0, "near": 0}
    with (
        (out / "corpus.jsonl").open("w", encoding="utf-8") as fh,
        (out / "pairs.jsonl").open("w", encoding="utf-8") as pairs,
    ):
        while written < target:
            doc_id = f"d{counts['documents']:07d}"
            r = rng.random()
            if emitted and r < 0.03:
                src = rng.randrange(len(emitted))
                text = emitted[src]
                counts["exact"] += 1
                pairs.write(json.dumps({"a": f"d{src:07d}", "b": doc_id, "rate": 0.0}) + "\n")
            elif emitted and r < 0.09:
                src = rng.randrange(len(emitted))
                rate = rng.choice(RATES)
                text = perturb(emitted[src], rate, rng)
                counts["near"] += 1
                pairs.write(json.dumps({"a": f"d{src:07d}", "b": doc_id, "rate": rate}) + "\n")
            else:
                text = remix(rng.choice(sources), vocab, rng)
                if rng.random() < 0.5:
                    head, tail = chrome(rng, headlines)
                    text = head + text + tail
            emitted.append(text)
            line = json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n"
            fh.write(line)
            written += len(text.encode("utf-8"))
            counts["documents"] += 1
    counts["bytes"] = written
    (out / "stats.json").write_text(json.dumps(counts))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=float, default=10, help="corpus size in MB of text")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(build(args.size, args.out, args.seed))


if __name__ == "__main__":
    main()
