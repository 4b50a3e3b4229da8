"""End to end with the real `pre-commit` tool: `pre-commit try-repo` installs this repository's
`dedup-check` hook (.pre-commit-hooks.yaml, language: python) into its own virtualenv and
runs it in a consumer repository that keeps seed files in seeds/.

The hook source is a snapshot of this working tree committed into a temporary git repo, so
uncommitted changes are tested too and both runs share one hook environment (installing
it downloads dedup's dependencies from PyPI once: about a minute).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from check_helpers import CHECK_DATA, REPO, RULES, SEED_001, SEEDS, near_copy

PRE_COMMIT = Path(sys.executable).parent / "pre-commit"
NETWORK_ERRORS = ("Could not find a version", "Failed to establish", "No matching distribution")

pytestmark = pytest.mark.skipif(
    not PRE_COMMIT.exists() or shutil.which("git") is None, reason="needs pre-commit and git"
)


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    out = subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    )
    return out.stdout


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """This working tree (tracked + untracked, not ignored files) as a committed git repo."""
    src = tmp_path_factory.mktemp("hook-src")
    listed = git(REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for rel in filter(None, listed.split("\0")):
        path = REPO / rel
        if path.is_file() and not path.is_symlink():
            dest = src / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
    git(src, "init", "-q")
    git(src, "add", ".")
    git(src, "commit", "-q", "-m", "snapshot")
    yield src


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def consumer(tmp_path: Path) -> Path:
    """A repository with the seeds committed and the rule packs configured."""
    repo = tmp_path / "consumer"
    (repo / "seeds").mkdir(parents=True)
    for f in sorted(SEEDS.glob("*.txt")):
        shutil.copyfile(f, repo / "seeds" / f.name)
    shutil.copytree(RULES, repo / "rules")
    (repo / "dedup.toml").write_text('rules = ["rules"]\n')
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "seeds")
    return repo


def try_repo(
    hook_repo: Path, home: Path, consumer: Path, new: str
) -> subprocess.CompletedProcess[str]:
    git(consumer, "add", new)
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    env.pop("VIRTUAL_ENV", None)
    done = subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(hook_repo), "dedup-check", "--files", new],
        cwd=consumer,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = done.stdout + done.stderr
    if any(e in output for e in NETWORK_ERRORS):
        pytest.skip("installing the hook needs PyPI: " + output[-300:])
    return done


def test_near_copy_of_a_seed_fails_the_hook(
    hook_repo: Path, pre_commit_home: Path, consumer: Path
) -> None:
    near_copy(SEED_001, consumer / "seeds" / "005_copy.txt")
    done = try_repo(hook_repo, pre_commit_home, consumer, "seeds/005_copy.txt")
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "dedup-check" in out and "Failed" in out
    [line] = [ln for ln in out.splitlines() if ": DUPLICATE " in ln]
    assert line.startswith("seeds/005_copy.txt:")
    assert f"near-duplicate of seeds/{SEED_001.name} (similarity 0." in line


def test_new_clean_article_passes_the_hook(
    hook_repo: Path, pre_commit_home: Path, consumer: Path
) -> None:
    shutil.copyfile(CHECK_DATA / "new_article.txt", consumer / "seeds" / "005_ink.txt")
    done = try_repo(hook_repo, pre_commit_home, consumer, "seeds/005_ink.txt")
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "Passed" in out


def test_a_symlink_and_an_upper_case_suffix_are_checked(
    hook_repo: Path, pre_commit_home: Path, consumer: Path
) -> None:
    """pre-commit passes plain files only by default, and `\\.txt$` skipped ".TXT": both
    went in unchecked, and `dedup clean` then found the copies (and a dangling link broke
    it)."""
    (consumer / "seeds" / "005_link.txt").symlink_to(SEED_001.name)
    near_copy(SEED_001, consumer / "seeds" / "006_COPY.TXT")
    for new in ("seeds/005_link.txt", "seeds/006_COPY.TXT"):
        done = try_repo(hook_repo, pre_commit_home, consumer, new)
        out = done.stdout + done.stderr
        assert done.returncode == 1, out
        assert f"{new}:" in out and " DUPLICATE " in out, out
        git(consumer, "rm", "-q", "--cached", new)
