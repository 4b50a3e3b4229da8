"""A per-user cache of validated rule packs, so a pre-commit check does not re-parse them.

Validating the bundled 180 KB pack (YAML with line numbers, the pydantic models, an RE2
compile of each of its ~560 patterns) is ~0.25 s of a `dedup check` that should answer in
a second, and gives the same answer for the same bytes every time. So a pack that
validated is pickled, keyed by its bytes and by the code that validated it (dedup's own
source files, Python's and the parsing libraries' versions): editing the pack or
upgrading either is a miss, never a stale answer. Packs with errors are not cached.

Pickles run code when loaded, so an entry is read only from a folder and file the user
owns that nobody else can write (made 0o700 and 0o600). Any failure to read or write the
cache only costs the time it would have saved. ``DEDUP_CACHE_DIR`` moves it (default
``$XDG_CACHE_HOME/dedup``, else ``~/.cache/dedup``); ``DEDUP_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import pickle
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

import pydantic
import re2
import yaml

log = logging.getLogger(__name__)

# Bump when what an entry holds changes shape in a way the source fingerprint would miss.
FORMAT = 1
# Entries kept: each edit of a pack writes a new one (~230 KB for the generic pack).
MAX_ENTRIES = 32
_SUBFOLDER = "rule-packs"


def folder() -> Path | None:
    """Where entries live now, from the environment; None when the cache is off."""
    if os.environ.get("DEDUP_NO_CACHE", "").strip() not in ("", "0"):
        return None
    chosen = os.environ.get("DEDUP_CACHE_DIR")
    if chosen:
        return Path(chosen).expanduser() / _SUBFOLDER
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "dedup" / _SUBFOLDER


@functools.cache
def _code_fingerprint() -> bytes:
    """What besides a pack's bytes decides its validated form: this package's source (an
    editable install changes without a version bump) and the parsers' versions."""
    digest = hashlib.sha256(
        f"{FORMAT}|{sys.version}|{pydantic.VERSION}|{yaml.__version__}".encode()
    )
    root = Path(__file__).resolve().parent.parent
    sources = [
        os.path.join(top, name)
        for top, _, names in os.walk(root)
        for name in names
        if name.endswith(".py")
    ]
    # google-re2 has no __version__; its compiled module changes with every release.
    for path in [*sorted(sources), re2._re2.__file__]:
        info = os.stat(path)
        digest.update(f"{path}|{info.st_size}|{info.st_mtime_ns}\0".encode())
    return digest.digest()


def _entry(pack_sha256: str) -> Path | None:
    place = folder()
    if place is None:
        return None
    key = hashlib.sha256(_code_fingerprint() + pack_sha256.encode()).hexdigest()
    return place / f"{key[:40]}.pickle"


def _private(info: os.stat_result) -> bool:
    owner = os.getuid() if hasattr(os, "getuid") else info.st_uid
    return info.st_uid == owner and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def get(pack_sha256: str) -> Any | None:
    """The value stored for a pack of these bytes by this code, or None."""
    path = _entry(pack_sha256)
    if path is None:
        return None
    try:
        with open(path, "rb") as fh:
            if not (_private(os.fstat(fh.fileno())) and _private(os.stat(path.parent))):
                log.debug("rule-pack cache %s: not private to this user, ignored", path)
                return None
            value = pickle.load(fh)
        with contextlib.suppress(OSError):
            os.utime(path)  # pruning keeps the entries last used
        return value
    except FileNotFoundError:
        return None
    except Exception as exc:  # a damaged entry, of whatever kind, is a miss
        log.debug("rule-pack cache %s unreadable (%s), ignored", path, exc)
        return None


def put(pack_sha256: str, value: Any) -> None:
    """Store ``value`` for a pack of these bytes (atomically; failures are ignored)."""
    path = _entry(pack_sha256)
    if path is None:
        return
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _prune(path.parent)
    except (OSError, pickle.PicklingError) as exc:
        log.debug("rule-pack cache %s not written: %s", path, exc)


def _prune(place: Path) -> None:
    entries = sorted(place.glob("*.pickle"), key=lambda p: p.stat().st_mtime_ns)
    for old in entries[:-MAX_ENTRIES]:
        with contextlib.suppress(OSError):
            old.unlink()
