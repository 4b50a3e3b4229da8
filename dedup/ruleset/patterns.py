"""Regular expressions compiled with RE2 (linear time), picklable.

Rule packs are data written by people and run on untrusted text, often inside a pre-commit
hook: a backtracking engine would let ``(a+)+$`` hang on a long line. RE2 guarantees linear
time and rejects what it cannot do in linear time (backreferences, lookaround), which we
turn into a load error naming the pattern.
"""

from __future__ import annotations

from typing import Any

import re2

_OPTIONS = re2.Options()
# RE2 otherwise logs every rejected pattern to stderr through absl; we report it ourselves.
_OPTIONS.log_errors = False


def check_regex(source: str) -> str | None:
    """Return why RE2 cannot compile ``source``, or None if it can."""
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
    return None


class Pattern:
    """An RE2 pattern compiled on first use; pickles as its source text only."""

    __slots__ = ("_compiled", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self._compiled: Any = None

    def _get(self) -> Any:
        if self._compiled is None:
            self._compiled = re2.compile(self.source, _OPTIONS)
        return self._compiled

    def search(self, text: str) -> bool:
        return self._get().search(text) is not None

    def sub(self, repl: str, text: str) -> str:
        result: str = self._get().sub(repl, text)
        return result

    def __getstate__(self) -> str:
        return self.source

    def __setstate__(self, state: str) -> None:
        self.source = state
        self._compiled = None

    def __repr__(self) -> str:
        return f"Pattern({self.source!r})"
