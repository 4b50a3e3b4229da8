"""Each kind of `dedup check` finding, through the library entry points."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from check_helpers import RULES, SEED_001, copy_article, near_copy

from dedup.check import CheckFinding, check_files, run_check
from dedup.config import DedupConfig, build_config
from dedup.ruleset import load_rules

LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): (?P<code>[A-Z][A-Z-]*) (?P<msg>.+)$")


def codes(findings: list[CheckFinding]) -> list[str]:
    return [f.code for f in findings]


def test_near_copy_of_a_seed_is_a_duplicate_naming_the_twin(
    tmp_path: Path, corpus: Path, index_path: Path, config: DedupConfig
) -> None:
    new = near_copy(SEED_001, tmp_path / "incoming.txt")
    findings = check_files([new], config, corpus, index_path)
    assert codes(findings) == ["DUPLICATE"]
    dup = findings[0]
    assert dup.twin == f"{corpus.as_posix()}/{SEED_001.name}"
    assert dup.similarity is not None and 0.8 <= dup.similarity < 1.0
    assert SEED_001.name in dup.message and f"{dup.similarity:.2f}" in dup.message
    m = LINE.match(str(dup))
    assert m and m["path"] == new.as_posix() and m["code"] == "DUPLICATE"


def test_clean_new_article_has_no_findings(
    tmp_path: Path, corpus: Path, index_path: Path, config: DedupConfig
) -> None:
    new = copy_article(corpus / "005_new.txt")
    result = run_check([new], config, corpus, index_path)
    assert result.findings == []
    assert not result.failed(strict=True)


def test_file_inside_the_corpus_does_not_match_itself(
    corpus: Path, index_path: Path, config: DedupConfig
) -> None:
    seed = corpus / SEED_001.name
    assert check_files([seed], config, corpus, index_path) == []


def test_a_linked_file_inside_the_corpus_does_not_match_itself(
    tmp_path: Path, corpus: Path, index_path: Path, config: DedupConfig
) -> None:
    # The link was named by its target, outside the folder: a twin of itself.
    new = copy_article(tmp_path / "new.txt")
    link = corpus / "005_link.txt"
    link.symlink_to(new)
    assert check_files([link], config, corpus, index_path) == []


def test_two_new_files_that_duplicate_each_other(
    tmp_path: Path, corpus: Path, index_path: Path, config: DedupConfig
) -> None:
    a = copy_article(corpus / "005_a.txt")
    b = corpus / "006_b.txt"
    b.write_text(a.read_text().replace("Kyrgyz", "Kyrgyzstan's", 1))
    findings = check_files([b, a], config, corpus, index_path)
    # Reported once, on the file `dedup clean` would mark the duplicate: b keeps more text
    # (its canonical document), so a is the copy; it named b the copy before.
    assert [(f.path, f.code, f.twin) for f in findings] == [
        (a.as_posix(), "DUPLICATE", b.as_posix())
    ]
    # Of two equal files, the later path, as clean's input order.
    b.unlink()
    c = corpus / "007_c.txt"
    c.write_text(a.read_text())
    findings = check_files([c, a], config, corpus, tmp_path / "i2.sqlite")
    assert [(f.path, f.twin) for f in findings] == [(c.as_posix(), a.as_posix())]


def test_decode_error_names_the_line(
    tmp_path: Path, corpus: Path, index_path: Path, config: DedupConfig
) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes(b"A title\n\nfirst line\ncaf\xe9 society\n")
    [finding] = check_files([bad], config, corpus, index_path)
    assert (finding.code, finding.line) == ("DECODE", 4)
    assert "UTF-8" in finding.message


def test_binary_file(tmp_path: Path, corpus: Path, index_path: Path, config: DedupConfig) -> None:
    bad = tmp_path / "image.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert codes(check_files([bad], config, corpus, index_path)) == ["BINARY"]


def test_empty_file(tmp_path: Path, corpus: Path, index_path: Path, config: DedupConfig) -> None:
    blank = tmp_path / "blank.txt"
    blank.write_text("\n   \n\t\n")
    assert codes(check_files([blank], config, corpus, index_path)) == ["EMPTY"]


def test_too_large(tmp_path: Path, corpus: Path, index_path: Path) -> None:
    cfg = build_config({"rules": (RULES,), "jobs": 1, "input": {"max_doc_bytes": 100_000}})
    big = tmp_path / "big.txt"
    big.write_text("word " * 30_000)
    [finding] = check_files([big], cfg, corpus, index_path)
    assert finding.code == "TOO_LARGE" and "100000" in finding.message


def test_missing_file(tmp_path: Path, corpus: Path, index_path: Path, config: DedupConfig) -> None:
    assert codes(check_files([tmp_path / "nope.txt"], config, corpus, index_path)) == ["MISSING"]


def test_short_body_fails_the_length_check(
    tmp_path: Path, corpus: Path, index_path: Path, config: DedupConfig
) -> None:
    short = tmp_path / "short.txt"
    short.write_text("A headline\n\nOnly a few words here.\n")
    [finding] = check_files([short], config, corpus, index_path)
    assert (finding.code, finding.line) == ("SCHEMA-LENGTH", 3)
    # named by its configuration key: `dedup check` has no --min-words flag
    assert "5 words" in finding.message and "(validation.min_words)" in finding.message


def test_only_chrome_leaves_no_title(
    tmp_path: Path, corpus: Path, index_path: Path, config: DedupConfig
) -> None:
    chrome = tmp_path / "chrome.txt"
    chrome.write_text("Log in\nSkip to main content\n")
    [finding] = check_files([chrome], config, corpus, index_path)
    assert finding.code == "SCHEMA-TITLE" and "removed by the rules" in finding.message


def test_overlong_title(tmp_path: Path, corpus: Path, index_path: Path) -> None:
    cfg = build_config({"rules": (RULES,), "jobs": 1, "validation": {"max_title_chars": 20}})
    doc = copy_article(tmp_path / "a.txt")
    [finding] = check_files([doc], cfg, corpus, index_path)
    assert (finding.code, finding.line) == ("SCHEMA-TITLE", 1)


GENERIC_PACK = """\
pack: generic
applies_to: {any: true}
rules:
  - id: menu
    kind: drop
    why: Site menu line.
    exact: [Site menu]
"""

SITE_PACK = """\
pack: site
applies_to:
  line_pattern:
    - regex: '^A real title$'
      where: {head: 1}
rules:
  - id: advert
    kind: drop
    why: Advert label of this site.
    exact: [Advertisement]
"""


def test_leftover_chrome(tmp_path: Path, corpus: Path, index_path: Path) -> None:
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "generic.yaml").write_text(GENERIC_PACK)
    (tmp_path / "packs" / "site.yaml").write_text(SITE_PACK)
    cfg = build_config({"rules": (tmp_path / "packs",), "jobs": 1})
    body = " ".join(["Plenty of words in this body paragraph."] * 8)
    doc = tmp_path / "doc.txt"
    # Which packs apply is decided on the file as read: the site pack's marker is not the
    # first line until the menu line is cleaned away, so "Advertisement" survives the
    # cleaning and a second pass would remove it. `check` reports that.
    doc.write_text(f"Site menu\nA real title\nAdvertisement\n{body}\n")
    [finding] = check_files([doc], cfg, corpus, index_path)
    assert (finding.code, finding.line) == ("SCHEMA-CHROME", 3)
    assert "site/advert" in finding.message


def _corpus_with_shared_line(root: Path, line: str, n: int) -> Path:
    corpus = root / "site"
    corpus.mkdir()
    for i in range(n):
        body = f"Story number {i} about topic {i * 7} with its own words " * 6
        (corpus / f"{i:03d}.txt").write_text(f"Headline {i}\n\n{body}\n\n{line}\n")
    return corpus


def test_boilerplate_warning_with_a_rule_that_pastes(
    tmp_path: Path, index_path: Path, config: DedupConfig
) -> None:
    shared = "Follow our newsroom on Mastodon for more stories"
    corpus = _corpus_with_shared_line(tmp_path, shared, 6)
    new = tmp_path / "new.txt"
    new.write_text(f"Fresh title\n\n{'fresh words ' * 20}\n{shared}\n")
    result = run_check([new], config, corpus, index_path)
    [warning] = result.findings
    assert (warning.code, warning.severity, warning.line) == ("W-BOILERPLATE", "warning", 4)
    assert "6 of 6 corpus documents" in warning.message
    assert not result.failed() and result.failed(strict=True)
    strict = check_files([new], config, corpus, index_path, strict=True)
    assert [f.severity for f in strict] == ["error"]

    # The suggested rule is ready to paste: as a pack it loads, and the line is then covered.
    assert warning.rule is not None and warning.rule in warning.message
    pack = tmp_path / "suggested.yaml"
    pack.write_text(f"pack: suggested\napplies_to: {{any: true}}\nrules:\n  {warning.rule}\n")
    cfg = build_config({"rules": (RULES, pack), "jobs": 1})
    assert len(load_rules(cfg.rules)) == len(load_rules([RULES])) + 1
    assert check_files([new], cfg, corpus, index_path) == []


def test_findings_are_sorted_and_one_per_line(
    tmp_path: Path, corpus: Path, index_path: Path, config: DedupConfig
) -> None:
    (tmp_path / "b.txt").write_text("\n")
    (tmp_path / "a.txt").write_bytes(b"\x00")
    near = near_copy(SEED_001, tmp_path / "c.txt")
    findings = check_files(
        [near, tmp_path / "b.txt", tmp_path / "a.txt"], config, corpus, index_path
    )
    assert [f.sort_key() for f in findings] == sorted(f.sort_key() for f in findings)
    assert codes(findings) == ["BINARY", "EMPTY", "DUPLICATE"]
    for f in findings:
        assert LINE.match(str(f)) and "\n" not in str(f)


def test_bad_rule_pack_raises(tmp_path: Path, corpus: Path, index_path: Path) -> None:
    from dedup.errors import RuleError

    pack = tmp_path / "bad.yaml"
    pack.write_text("pack: bad\napplies_to: {any: true}\nrules:\n  - id: x\n    kind: nope\n")
    cfg = build_config({"rules": (pack,), "jobs": 1})
    with pytest.raises(RuleError):
        check_files([SEED_001], cfg, corpus, index_path)


def test_copies_of_one_article_are_not_boilerplate(
    tmp_path: Path, index_path: Path, config: DedupConfig
) -> None:
    # Five copies of one article (same title) share every line: that is duplication, not
    # site chrome, so its lines are not reported as boilerplate.
    corpus = tmp_path / "copies"
    corpus.mkdir()
    text = (Path(__file__).parents[1] / "data" / "check" / "new_article.txt").read_text()
    for i in range(5):
        (corpus / f"{i}.txt").write_text(text)
    other = tmp_path / "other.txt"
    lines = text.splitlines()
    other.write_text(
        "A different title\n\n" + " ".join(["new words"] * 20) + "\n" + lines[2] + "\n"
    )
    assert codes(check_files([other], config, corpus, index_path)) == []
