"""Quality on real data: BBC exact-duplicate groups, perturbed near-duplicates, captions."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from dedup.model import REASON_CAPTION, REASON_REPEATED
from dedup.neardup import verify_documents
from dedup.neardup.map_stages import CaptionStage, SignStage
from dedup.neardup.params import Params
from tests.neardup.helpers import (
    aeb_ground_truth,
    bbc_exact_groups,
    bbc_sample,
    config,
    make_doc,
    perturb,
    run,
)

SHARED_BBC = Path(__file__).resolve().parents[3] / "shared" / "data" / "bbc"


def _clusters(facts: dict[str, object]) -> set[tuple[str, ...]]:
    out = set()
    for c in facts["clusters"]:  # type: ignore[attr-defined]
        out.add(tuple(sorted([c["canonical"], *(m["doc_id"] for m in c["members"])])))
    return out


def test_bbc_exact_duplicate_groups_all_found_and_no_false_cluster() -> None:
    corpus = run(bbc_sample())
    expected = {tuple(g) for g in bbc_exact_groups()}
    assert len(expected) == 100
    assert _clusters(corpus.facts) == expected
    for doc in corpus.documents:
        if doc.status == "duplicate":
            # identical up to whitespace; line breaks may split shingles differently
            assert doc.similarity is not None and doc.similarity >= 0.99
            assert doc.duplicate_of is not None
            # duplicates keep their paragraphs: the status says it
            assert all(p.removal is None or p.removal.reason == "rule" for p in doc.paragraphs)


def test_canonical_is_longest_then_first_in_input_order() -> None:
    text = bbc_sample()[0][1]
    longer = text + "\n\nOne more closing paragraph with several extra words."
    corpus = run([("a", text), ("b", longer), ("c", text)])
    [cluster] = corpus.facts["clusters"]
    assert cluster["canonical"] == "b"
    assert [m["doc_id"] for m in cluster["members"]] == ["a", "c"]
    assert all(0.9 < m["similarity"] < 1.0 for m in cluster["members"])
    assert [d.status for d in corpus.documents] == ["duplicate", "kept", "duplicate"]
    assert corpus.documents[0].duplicate_of == "b"
    corpus = run([("x", text), ("y", text)])
    assert corpus.facts["clusters"][0]["canonical"] == "x"


def test_perturbed_copies_precision_and_recall() -> None:
    rng = random.Random(11)
    exact = {d for g in bbc_exact_groups() for d in g}
    originals = [(i, t) for i, t in bbc_sample() if i not in exact][:60]
    items = list(originals)
    for i, t in originals:
        items.append((f"{i}~copy", perturb(t, rng.choice([0.01, 0.03, 0.06, 0.15, 0.3]), rng)))
    corpus = run(items, config(boilerplate_min_corpus=10_000))
    norms = {d.doc_id: [p.norm for p in d.kept_paragraphs()] for d in corpus.documents}
    found = set()
    for c in corpus.facts["clusters"]:
        ids = [c["canonical"], *(m["doc_id"] for m in c["members"])]
        found.update(itertools.combinations(sorted(ids), 2))
    truth = set()
    for a, b in itertools.combinations(sorted(norms), 2):
        if a.split("~")[0] == b.split("~")[0] and verify_documents(norms[a], norms[b]) >= 0.8:
            truth.add((a, b))
    assert len(truth) >= 20
    tp = len(found & truth)
    precision = tp / len(found) if found else 1.0
    recall = tp / len(truth)
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)


def test_caption_echo_never_eats_article_extraction_ground_truth_lines() -> None:
    params = Params.from_config(config().neardup)
    stages = [SignStage(params), CaptionStage(params)]
    eaten = []
    for key, body in aeb_ground_truth().items():
        doc = make_doc(key, body)
        for stage in stages:
            doc = stage.process(doc)
        # Only caption removals count: invisible lines (zero-width or control characters
        # only) are removed at segmentation as empty, which is not the caption stage's doing.
        eaten += [
            (key, p.line, p.text)
            for p in doc.paragraphs
            if p.removal is not None and p.removal.reason == REASON_CAPTION
        ]
    assert eaten == []


def test_caption_needs_a_following_sentence_echo() -> None:
    text = (
        "A title\n"
        "Some opening paragraph about the city and its plans for the coming year.\n"
        "Minister of the Government of Moscow, Sergey Cheremin\n"
        "Sergey Cheremin, Minister of the Moscow Government, said the plan is ready.\n"
        "Pushing for Moscow House in Hanoi\n"
        "The Moscow House in Hanoi project will be pushed forward, officials said today.\n"
    )
    corpus = run([("d", text)])
    removed = {p.line: p.removal for p in corpus.documents[0].paragraphs if p.removal}
    assert list(removed) == [3]
    assert removed[3].reason == REASON_CAPTION and removed[3].detail == "d:4"  # type: ignore[union-attr]


def test_a_caption_echo_is_a_sentence_not_a_quoted_title() -> None:
    from dedup.neardup.caption import ends_sentence

    assert ends_sentence("He left.") and ends_sentence('"We will win," he said.')
    assert ends_sentence('She said: "We will win."') and ends_sentence("'Yes,'")
    assert not ends_sentence("2018 Tradition Series Performance '2018 Festival'")
    assert not ends_sentence("A headline") and not ends_sentence("")
    label = "2018 Jeongdong Theater Tradition Series Performance"
    page = f"Title\n{label}\n{label} [The Palace] '2018 Welcome Daehak-ro Festival'\n"
    assert [p.removal for p in run([("d", page)]).documents[0].paragraphs] == [None] * 3


def test_near_repeats_inside_a_document_must_carry_the_same_numbers() -> None:
    # A meal plan: the same dish on two days with other quantities is not a repeated line;
    # the same sentence with a typo and the same numbers is.
    dish = "Tomato Cucumber Salad ({} cup lettuce, 1/2 cup cherry tomatoes, {} oz. cooked chicken)"
    monday, tuesday = dish.format(1, 4), dish.format(2, 6)
    said = "The council approved 12 new schools and 3 hospitals for the district on Monday evening."
    typo = "The council aproved 12 new schools and 3 hospitals for the district on Monday evening."
    corpus = run([("d", "\n".join(["Day one", monday, said, "Day two", tuesday, typo]))])
    removed = {p.line: p.removal for p in corpus.documents[0].paragraphs if p.removal}
    assert list(removed) == [6]
    assert removed[6].reason == REASON_REPEATED and removed[6].detail == "d:3"  # type: ignore[union-attr]
    assert 0.9 < removed[6].similarity < 1.0  # type: ignore[union-attr,operator]


def test_a_transcripts_stage_directions_are_no_repeats() -> None:
    # "(LAUGHTER)" recurs in a transcript: each is the text where it stands. A repeated
    # sentence in the same transcript is still a repeat.
    said = "VANG: The first month, people came in to look. Now they come in with a list."
    page = "\n".join(["Title", "(LAUGHTER)", said, "(SOUNDBITE OF MUSIC)", "(LAUGHTER)", said])
    removed = {p.line: p.removal for p in run([("d", page)]).documents[0].paragraphs if p.removal}
    assert list(removed) == [6] and removed[6].reason == REASON_REPEATED  # type: ignore[union-attr]


@pytest.mark.slow
@pytest.mark.skipif(not SHARED_BBC.is_dir(), reason="needs ../shared/data/bbc")
def test_full_bbc_exact_groups() -> None:
    items = []
    for path in sorted(SHARED_BBC.glob("*/*.txt")):
        items.append((str(path.relative_to(SHARED_BBC)), path.read_bytes().decode("latin-1")))
    groups: dict[str, list[str]] = {}
    for i, t in items:
        groups.setdefault(" ".join(t.split()), []).append(i)
    expected = {tuple(sorted(g)) for g in groups.values() if len(g) > 1}
    corpus = run(items)
    found = _clusters(corpus.facts)
    assert expected <= found
    # the other clusters are real near-duplicates: verified Jaccard >= the threshold
    for c in corpus.facts["clusters"]:
        assert all(m["similarity"] >= 0.8 for m in c["members"])


def test_a_listed_headline_stays_the_title_of_its_own_article() -> None:
    # Pages of one site whose "Most read" list names another page's article: the list
    # line is boilerplate on every page, the same line as the article's own title is not.
    headline = "City opens its first metro line after ten years of work"
    site = "The Example Times"
    rng = random.Random(7)
    words = [
        "council",
        "budget",
        "river",
        "school",
        "market",
        "bridge",
        "harbour",
        "station",
        "museum",
        "park",
    ]

    def body() -> str:
        return "\n".join(" ".join(rng.choice(words) for _ in range(25)) + "." for _ in range(3))

    pages = [
        (f"p{i}", f"{site}\nHeadline number {i} of the day\n{body()}\nMost read\n{headline}\n")
        for i in range(6)
    ]
    pages.append(("owner", f"{headline}\n{body()}\n"))
    corpus = run(pages, config(boilerplate_min_docs=3, boilerplate_min_corpus=2))
    by_id = {d.doc_id: d for d in corpus.documents}
    title = by_id["owner"].paragraphs[0]
    assert title.kept and by_id["owner"].title == headline
    for i in range(6):
        listed = next(p for p in by_id[f"p{i}"].paragraphs if p.text == headline)
        assert listed.removal is not None and listed.removal.reason == "boilerplate"
        assert listed.removal.detail == "owner:1"  # the kept twin
        # The site name opens every page: it has no owner and goes from all of them.
        assert by_id[f"p{i}"].paragraphs[0].removal is not None


def test_templated_stories_that_differ_in_their_numbers_are_not_boilerplate() -> None:
    # Earnings reports from one template: every paragraph near-repeats across documents,
    # and its numbers are its facts (197 of 200 such reports lost every paragraph). A
    # footer repeated word for word, numbers and all, is boilerplate still.
    rng = random.Random(3)
    footer = "Copyright 2026 The Example Wire. All rights reserved, 1999-2026 edition."
    items = []
    for i in range(25):
        a, b, c = rng.randint(1, 9), rng.randint(10, 99), rng.randint(100, 999)
        items.append(
            (
                f"e{i}",
                f"Acme Corp earnings beat forecasts in quarter {i}\n"
                f"Acme Corp reported quarterly earnings of ${a}.{b} per share on Tuesday, "
                f"beating analysts' estimates, according to data compiled by the desk.\n"
                f"Revenue for the quarter came in at ${c} million, compared with ${c + i} "
                f"million in the same period a year earlier, the company said.\n{footer}\n",
            )
        )
    corpus = run(items, config(boilerplate_min_docs=5, boilerplate_min_corpus=20))
    for doc in corpus.documents:
        gone = [p.text for p in doc.paragraphs if p.removal is not None]
        assert gone == [footer], (doc.doc_id, gone)
