"""Regular expressions compiled with RE2 (linear time), picklable.

Rule packs are data written by people and run on untrusted text, often inside a pre-commit
hook: a backtracking engine would let ``(a+)+$`` hang on a long line. RE2 guarantees linear
time and rejects what it cannot do in linear time (backreferences, lookaround), which we
turn into a load error naming the pattern.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import re2
import xxhash

_OPTIONS = re2.Options()
# RE2 otherwise logs every rejected pattern to stderr through absl; we report it ourselves.
_OPTIONS.log_errors = False
# The bank's DFA over every pattern of a rule set outgrows RE2's default 8 MiB budget (the
# Unicode classes of run rules make it large); past the budget RE2 keeps flushing its state
# cache. 64 MiB (allocated only as states are built) made bank matching ~4x faster; with
# the sixth session's pack it was full again (new text kept rebuilding flushed states:
# 24,000 documents 1.43 s at 64 MiB, 0.92-0.98 s at 128-256 MiB, +25 MB of RSS; the
# cache then holds ~85 MB). The seventh session's pack (61 more patterns) filled 128 MiB:
# rules stage over 15,000 documents 5.45 s at 128 MiB, 5.16 s at 256, 5.00 s at 512;
# read+map at 100 MB -4% at 256 MiB, peak RSS unchanged (730 -> 728 MB), outputs equal.
# The budget buys speed, not answers: a set match whose DFA cache fills resets it and goes
# on (RE2 never gives up a many-match search for slowness), and a budget too small for the
# compiled set fails loudly in Compile(). Measured with the eighth session's pack: every
# budget that compiles (12 MiB and up) gave the same answers for 45,014 distinct lines.
_BANK_OPTIONS = re2.Options()
_BANK_OPTIONS.log_errors = False
_BANK_OPTIONS.max_mem = 256 << 20


_NONE: frozenset[int] = frozenset()


def check_regex(source: str) -> str | None:
    """Return why ``source`` is no usable pattern (RE2 cannot compile it, or it matches
    the empty string), or None."""
    try:
        re2.compile(source, _OPTIONS)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else "invalid pattern"
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        hint = ""
        if "(?=" in source or "(?!" in source or "(?<" in source or "\\1" in source:
            hint = " (RE2 has no lookaround or backreferences: they can take exponential time)"
        return f"invalid regex {source!r}: {reason}{hint}"
    if re2.compile(source, _OPTIONS).search("") is not None:
        # "x*" or "^" drops every line, and a strip of it inserts its replacement between
        # every two characters of every line (found by an adversarial pass: both linted ok).
        return (
            f"regex {source!r} matches the empty string, so it matches every line; "
            "make it need at least one character"
        )
    return None


class PatternBank:
    """Every pattern of a rule set matched at once per line (one ``RE2::Set`` call).

    Calling each pattern's ``search`` costs ~1 us of Python wrapper per pattern per line,
    which made the rules stage the pipeline's hot spot (profiled with pyinstrument). The
    bank answers "which patterns match this text" with one C++ call and memoises it, so
    ``Pattern.search`` becomes a set lookup. Long texts fall back to per-pattern search,
    where RE2's DFA memory budget could otherwise make a set match give up.
    """

    MAX_TEXT = 10_000
    MAX_MEMO = 50_000

    def __init__(self, patterns: list[Pattern]) -> None:
        self.sources = [p.source for p in patterns]
        self._set: Any = None
        self._memo: dict[str, frozenset[int]] = {}
        for index, pattern in enumerate(patterns):
            pattern.attach(self, index)

    def _compiled(self) -> Any:
        if self._set is None:
            bank = re2.Set.SearchSet(_BANK_OPTIONS)
            for source in self.sources:
                bank.Add(source)
            bank.Compile()
            self._set = bank
        return self._set

    def matches(self, text: str) -> frozenset[int] | None:
        """Indices of the patterns found in ``text``; None when the text is too long."""
        hit = self._memo.get(text)
        if hit is not None:
            return hit
        if len(text) > self.MAX_TEXT:
            return None
        if len(self._memo) >= self.MAX_MEMO:
            self._memo.clear()
        hit = frozenset(self._compiled().Match(text) or ())
        self._memo[text] = hit
        return hit

    @functools.cached_property
    def fingerprint(self) -> int:
        """A digest of the patterns in bank order: equal banks give equal answers."""
        return xxhash.xxh3_64_intdigest("\0".join(self.sources).encode("utf-8", "surrogatepass"))

    def answers(self, texts: Iterable[str]) -> dict[str, tuple[int, ...]]:
        """The bank's answers for ``texts``, only those that found some pattern."""
        out: dict[str, tuple[int, ...]] = {}
        for text in texts:
            hits = self.matches(text)
            if hits:
                out[text] = tuple(sorted(hits))
        return out

    def prime(self, found: Mapping[str, Sequence[int]], texts: Iterable[str]) -> None:
        """Memoise answers another bank of the same :attr:`fingerprint` gave: ``found`` for
        the texts that found patterns, none for the other ``texts``. Which patterns a text
        holds depends on that text alone, so answers carry over between processes."""
        if len(self._memo) >= self.MAX_MEMO:
            self._memo.clear()
        for text in texts:
            hits = found.get(text)
            self._memo[text] = frozenset(hits) if hits else _NONE

    def __getstate__(self) -> list[str]:
        return self.sources

    def __setstate__(self, state: list[str]) -> None:
        self.sources = state
        self._set = None
        self._memo = {}


_TEMPLATE = re.compile(r"\\(?:g<(\w+)>|(\d{1,2})|(.))", re.DOTALL)
_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\"}


def _expand(template: str, match: Any) -> str:
    """A replacement template with the groups of ``match`` put in, as :meth:`re.Match.expand`
    reads it: ``\\1``, ``\\g<1>``, ``\\g<name>``, ``\\n``, ``\\\\``."""
    if "\\" not in template:
        return template

    def group(m: re.Match[str]) -> str:
        name, number, other = m.groups()
        if other is not None:
            return _ESCAPES.get(other, "\\" + other)
        key: int | str = int(name) if name and name.isdigit() else (name or int(number))
        return match.group(key) or ""

    return _TEMPLATE.sub(group, template)


class Pattern:
    """An RE2 pattern compiled on first use; pickles as its source text only."""

    __slots__ = ("_bank", "_compiled", "_index", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self._compiled: Any = None
        self._bank: PatternBank | None = None
        self._index = -1

    def attach(self, bank: PatternBank, index: int) -> None:
        self._bank, self._index = bank, index

    @property
    def bank_index(self) -> int:
        return self._index

    def _get(self) -> Any:
        if self._compiled is None:
            self._compiled = re2.compile(self.source, _OPTIONS)
        return self._compiled

    def search(self, text: str) -> bool:
        if self._bank is not None:
            hits = self._bank.matches(text)
            if hits is not None:
                return self._index in hits
        return self._get().search(text) is not None

    def sub(self, repl: str, text: str) -> str:
        """``text`` with every match replaced by ``repl`` (``\\1``, ``\\g<name>`` expanded).
        The expansion is ours: google-re2's own turns a non-ASCII replacement into
        mojibake ("—" became "â\\x80\\x94")."""
        result: str = self._get().sub(lambda m: _expand(repl, m), text)
        return result

    def __getstate__(self) -> tuple[str, PatternBank | None, int]:
        return self.source, self._bank, self._index

    def __setstate__(self, state: tuple[str, PatternBank | None, int]) -> None:
        self.source, self._bank, self._index = state
        self._compiled = None

    def __repr__(self) -> str:
        return f"Pattern({self.source!r})"
