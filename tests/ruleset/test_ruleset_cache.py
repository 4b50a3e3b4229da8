"""The rule-pack cache: a pack that validated is read back instead of parsed, never stale,
never from a file someone else could have written, and never a reason for a run to fail."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from helpers_ruleset import RULES, doc_of, removed_lines, write_pack

from dedup.errors import RuleErrors
from dedup.ruleset import cache, load_rules, loader

PACK = """
pack: demo
applies_to: {any: true}
rules:
  - id: share
    kind: drop
    why: share bar
    exact: ["Share this"]
    examples: {drop: ["Share this"], keep: ["Share this story with a friend, she said."]}
"""


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("DEDUP_CACHE_DIR", str(folder))
    monkeypatch.delenv("DEDUP_NO_CACHE", raising=False)
    return folder / "rule-packs"


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pickle")) if folder.exists() else []


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the pack was parsed, not read from the cache")

    monkeypatch.setattr(loader.yaml, "compose", refuse)


def drops(rules_path: Path) -> dict[int, str]:
    doc = doc_of("Share this\nShare this story with a friend, she said.\n")
    load_rules([rules_path]).apply(doc)
    return removed_lines(doc)


def test_a_validated_pack_is_read_back_without_parsing(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_pack(tmp_path, PACK)
    first = load_rules([path])
    [entry] = entries(cache_dir)
    assert entry.stat().st_mode & 0o777 == 0o600
    assert cache_dir.stat().st_mode & 0o777 == 0o700
    no_parsing(monkeypatch)
    second = load_rules([path])
    assert second.describe() == first.describe()
    assert [r.ok for r in second.run_examples()] == [True, True]
    assert drops(path) == {1: "demo/share"}


def test_the_bundled_packs_behave_the_same_from_the_cache(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = load_rules([RULES])
    assert len(entries(cache_dir)) == len(list(RULES.glob("*.yaml")))
    no_parsing(monkeypatch)
    cached = load_rules([RULES])
    assert cached.describe() == parsed.describe()
    assert [(r.rule, r.ok) for r in cached.run_examples()] == [
        (r.rule, r.ok) for r in parsed.run_examples()
    ]


def test_an_edited_pack_is_parsed_again(tmp_path: Path, cache_dir: Path) -> None:
    path = write_pack(tmp_path, PACK)
    load_rules([path])
    write_pack(tmp_path, PACK.replace('"Share this"]', '"Share this", "Tweet"]', 1))
    assert "Tweet" in str(load_rules([path]).packs[0].rules[0].model.exact)
    assert len(entries(cache_dir)) == 2


def test_new_code_is_a_miss(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_pack(tmp_path, PACK)
    load_rules([path])
    monkeypatch.setattr(cache, "_code_fingerprint", lambda: b"another version of dedup")
    load_rules([path])
    assert len(entries(cache_dir)) == 2


def test_a_pack_with_errors_is_not_cached_and_still_reported(
    tmp_path: Path, cache_dir: Path
) -> None:
    path = write_pack(tmp_path, PACK.replace("    why: share bar\n", ""))
    for _ in range(2):
        with pytest.raises(RuleErrors, match="missing required key"):
            load_rules([path])
    assert entries(cache_dir) == []


def test_a_damaged_entry_is_a_miss_and_is_replaced(tmp_path: Path, cache_dir: Path) -> None:
    path = write_pack(tmp_path, PACK)
    load_rules([path])
    [entry] = entries(cache_dir)
    entry.write_bytes(b"\x80\x05 not a pickle")
    assert drops(path) == {1: "demo/share"}
    assert pickle.loads(entry.read_bytes())[0].pack == "demo"


@pytest.mark.parametrize("writable", ["file", "folder"])
def test_an_entry_others_could_write_is_not_loaded(
    tmp_path: Path, cache_dir: Path, writable: str
) -> None:
    path = write_pack(tmp_path, PACK)
    load_rules([path])
    [entry] = entries(cache_dir)
    # Someone who could write there could plant any pickle: here, another pack's model.
    other = write_pack(tmp_path, PACK.replace("pack: demo", "pack: planted"), "other.yaml")
    planted = loader.load_pack(other, [])
    assert planted is not None
    entry.write_bytes(pickle.dumps((planted.model, planted.lines)))
    assert load_rules([path]).packs[0].name == "planted"  # a private entry is trusted
    os.chmod(entry if writable == "file" else cache_dir, 0o666 if writable == "file" else 0o777)
    assert load_rules([path]).packs[0].name == "demo"


def test_turned_off_nothing_is_written(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEDUP_NO_CACHE", "1")
    path = write_pack(tmp_path, PACK)
    load_rules([path])
    load_rules([path])
    assert not cache_dir.exists()


def test_an_unusable_cache_folder_costs_nothing_but_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("DEDUP_CACHE_DIR", str(blocker))
    path = write_pack(tmp_path, PACK)
    assert drops(path) == {1: "demo/share"}
    assert drops(path) == {1: "demo/share"}


def test_default_folder_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEDUP_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.folder() == tmp_path / "xdg" / "dedup" / "rule-packs"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")  # the spec: absolute only
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.folder() == tmp_path / "home" / ".cache" / "dedup" / "rule-packs"


def test_old_entries_are_pruned_and_a_hit_counts_as_use(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_pack(tmp_path, PACK)
    load_rules([path])
    [kept] = entries(cache_dir)
    for n in range(4):
        load_rules([write_pack(tmp_path, PACK + f"# edit {n}\n", "other.yaml")])
    for age, entry in enumerate(entries(cache_dir), start=1):
        os.utime(entry, ns=(age, age))
    os.utime(kept, ns=(0, 0))  # the oldest, until it is used
    load_rules([path])
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    load_rules([write_pack(tmp_path, PACK + "# last edit\n", "other.yaml")])
    assert len(entries(cache_dir)) == 3
    assert kept in entries(cache_dir)
